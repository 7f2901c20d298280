"""Render a :class:`~jitgrad.fusion.codegen.KernelSpec` as a ``@cuda.jit`` grid-stride kernel.

The spec is the one the CPU renderer (:func:`jitgrad.fusion.codegen.render_source`) turns
into an ``@njit`` loop nest: same inputs, same statements (already rendered in the shared
vocabulary ``np.float32(...)``, ``math.erf``, ``_fm.exp32``, ``_k.maximum``), same outputs.
Only the loop differs. Each array operand arrives as its flat device buffer plus one element
stride per iteration dimension (0 along a broadcast dimension); one thread handles flat index
``i`` (64-bit), unravels it into ``i0 .. i{ndim-1}`` (unrolled for the spec's ``ndim``) and
reads or writes ``x[i0 * x_s0 + i1 * x_s1 ...]``.

``STORE`` and ``ACCUMULATE`` outputs render directly; the latter is race-free only when no
two indices map to one element, so :func:`run` turns an accumulation into a broadcast view
into a store into a full-size temporary, reduced afterwards by the deterministic tree
reduction of :func:`jitgrad.kernels.cuda.reduce.sum_to_shape` and added into the destination
by a rendered ``dest += s`` kernel. A ``REDUCE`` output (a sum to one element: a loss
epilogue, a scalar operand's gradient) is summed in the kernel itself: each thread adds up
its grid-stride elements, each block folds its threads' parts by a fixed shared-memory tree
into one partial per block, and the partials (at most ``MAX_BLOCKS``) are summed as above.
No atomics: the same bits every run.
"""

from __future__ import annotations

import math
import re
import threading
import time
from dataclasses import replace
from typing import Any

import numpy as np

from ... import helpers
from ...fusion.codegen import ACCUMULATE, ACCUMULATE_ROW, REDUCE, STORE, KernelSpec
from ...helpers import debug_print
from ...kernels.cuda.reduce import sum_to_shape
from . import runtime
from .devmath import UFUNCS

_KERNELS: dict[KernelSpec, Any] = {}
_SOURCES: dict[KernelSpec, str] = {}
#: (spec as described, loop ndim, which outputs go through temporaries) -> (the spec the
#: kernel is rendered from, the kernel): the per-launch lookup.
_PREPARED: dict[tuple, tuple[KernelSpec, Any]] = {}
_LOCK = threading.Lock()
#: Generated kernels launched by :func:`run` (a debug counter the tests read).
LAUNCHES = [0]
#: spec -> seconds its first launch took (numba's compile included)
FIRST_LAUNCH: dict[KernelSpec, float] = {}


#: A call of a numpy ufunc numba-cuda cannot lower (:data:`.devmath.UFUNCS`).
_UFUNC_CALL = re.compile(r"\bnp\.(" + "|".join(UFUNCS) + r")\(")
#: spec -> None if its statements call none of them, True if it computes in float64 anyway
#: (a float64 output or cast), False if its operands decide
_WIDTH: dict[KernelSpec, bool | None] = {}


def device_stmts(stmts: tuple, wide: bool) -> tuple:
    """``stmts`` with each ``np.<ufunc>(`` numba-cuda cannot lower replaced by devmath's
    version for float64 (``wide``) or float32 operands: ``np.sqrt(x_)`` -> ``_k.sqrt32(x_)``."""
    suffix = r"_k.\g<1>64(" if wide else r"_k.\g<1>32("
    return tuple((local, _UFUNC_CALL.sub(suffix, expr)) for local, expr in stmts)


def _is_wide(spec: KernelSpec, operands: dict[str, Any] | None) -> bool:
    """Whether ``spec``'s ufunc calls want the float64 versions: a float64 output, operand or
    cast in its statements (otherwise everything it computes is float32, or an integer the
    float32 version serves exactly)."""
    if spec in _WIDTH:
        static = _WIDTH[spec]
    else:
        static = None
        if any(_UFUNC_CALL.search(expr) for _local, expr in spec.stmts):
            static = any(dt == "float64" for *_x, dt in spec.outputs) or any(
                "float64" in expr for _local, expr in spec.stmts
            )
        _WIDTH[spec] = static
    if static is not False:
        return bool(static)
    return operands is not None and any(
        getattr(v, "dtype", None) == np.float64 for v in operands.values()
    )


def render_source(spec: KernelSpec) -> str:
    """Readable ``numba.cuda`` source for ``spec`` (``spec.ndim`` >= 1)."""
    nd = spec.ndim
    assert nd >= 1, "the CUDA renderer wants an iteration shape of at least one dimension"
    reduced = [(array, local, dt) for array, local, mode, dt in spec.outputs if mode == REDUCE]
    lines = _header(spec)
    lines += [f"    # {c}" for c in spec.comment]
    lines += [
        "    i = np.int64(cuda.grid(1))  # 64-bit flat index: grid-stride over n elements",
        "    step = np.int64(cuda.gridsize(1))",
    ]
    for array, _local, dt in reduced:
        lines.append(f"    {array}_t = np.{dt}(0)  # this thread's part of {array}")
    lines += _loop_body(spec)
    for array, _local, dt in reduced:
        lines += _block_sum(array, dt)
    return "\n".join(lines) + "\n"


def _header(spec: KernelSpec) -> list[str]:
    """The module's imports and the kernel's signature: each array operand as its flat
    buffer and one element stride per dimension, a scalar or a per-block partial sums
    buffer as itself, then the iteration shape (``n`` elements, ``n1`` .. sizes)."""
    nd = spec.ndim
    params: list[str] = []
    for name, scalar in spec.inputs:
        params += [name] if scalar else [name, *_strides(name, nd)]
    for array, _local, mode, _dt in spec.outputs:
        params += [array] if mode == REDUCE else [array, *_strides(array, nd)]
    params += ["n", *(f"n{d}" for d in range(1, nd))]
    return [
        '"""Generated by jitgrad.backends.cuda.render from the kernel description the CPU',
        'kernel is rendered from. Do not edit."""',
        *(["import cmath"] if any("cmath." in e for _l, e in spec.stmts) else []),
        "import math",
        "import numpy as np",
        "from numba import cuda",
        "",
        "from jitgrad.backends.cuda import devmath as _fm  # noqa: F401",
        "from jitgrad.backends.cuda import devmath as _k  # noqa: F401",
        "",
        "",
        "@cuda.jit",
        f"def {kernel_name(spec)}({', '.join(params)}):",
    ]


def _loop_body(spec: KernelSpec) -> list[str]:
    """The grid-stride loop: unravel the flat index, load the arrays, the statements, then
    store, add into, or add to this thread's part of each output."""
    nd = spec.ndim

    def at(name: str) -> str:
        return f"{name}[" + " + ".join(f"i{d} * {name}_s{d}" for d in range(nd)) + "]"

    lines = ["    while i < n:", "        rem_ = i"]
    for d in range(nd - 1, 0, -1):
        lines += [f"        i{d} = rem_ % n{d}", f"        rem_ = rem_ // n{d}"]
    lines.append("        i0 = rem_")
    lines += [f"        {name}_ = {at(name)}" for name, scalar in spec.inputs if not scalar]
    lines += [f"        {local} = {expr}" for local, expr in spec.stmts]
    for array, local, mode, _dt in spec.outputs:
        if mode == STORE:
            lines.append(f"        {at(array)} = {local}")
        elif mode == ACCUMULATE:
            lines.append(f"        {at(array)} += {local}")
        elif mode == REDUCE:
            lines.append(f"        {array}_t += {local}")
        else:
            raise ValueError(f"the CUDA renderer has no output mode {mode!r}: see run()")
    lines.append("        i += step")
    return lines


def _block_sum(array: str, dt: str) -> list[str]:
    """The block's threads' parts of ``array`` summed by a fixed shared-memory tree (the
    block size is a power of two), block b's sum stored at ``array[b]``."""
    return [
        f"    # {array}[block] = the sum of the block's parts: a fixed tree, same bits every run",
        f"    sm_{array} = cuda.shared.array({runtime.THREADS}, np.{dt})",
        "    tid_ = cuda.threadIdx.x",
        f"    sm_{array}[tid_] = {array}_t",
        "    cuda.syncthreads()",
        "    half_ = cuda.blockDim.x // 2",
        "    while half_ > 0:",
        "        if tid_ < half_:",
        f"            sm_{array}[tid_] += sm_{array}[tid_ + half_]",
        "        cuda.syncthreads()",
        "        half_ //= 2",
        "    if tid_ == 0:",
        f"        {array}[cuda.blockIdx.x] = sm_{array}[0]",
    ]


def _strides(name: str, nd: int) -> list[str]:
    return [f"{name}_s{d}" for d in range(nd)]


def kernel_name(spec: KernelSpec) -> str:
    return f"{spec.function_name}_cuda"


def get_kernel(spec: KernelSpec) -> Any:
    """The compiled ``@cuda.jit`` kernel for ``spec``, cached in memory per spec."""
    kernel = _KERNELS.get(spec)
    if kernel is None:
        with _LOCK:
            kernel = _KERNELS.get(spec)
            if kernel is None:
                source = render_source(spec)
                debug_print(2, f"CUDA kernel {kernel_name(spec)}:\n{source}")
                namespace = {"__name__": f"jitgrad_cuda_{kernel_name(spec)}"}
                exec(compile(source, f"<{kernel_name(spec)}>", "exec"), namespace)  # noqa: S102
                kernel = _KERNELS[spec] = namespace[kernel_name(spec)]
                _SOURCES[spec] = source
    return kernel


def source(spec: KernelSpec) -> str:
    """The generated source of ``spec``'s CUDA kernel (for ``explain`` and debugging)."""
    get_kernel(spec)
    return _SOURCES[spec]


def element_strides(arr: Any, shape: tuple[int, ...]) -> list[int]:
    """``arr``'s element strides as a view broadcast to ``shape`` (0 along broadcast dims)."""
    lead = len(shape) - arr.ndim
    strides = [0] * lead
    size = arr.dtype.itemsize
    for k, n in enumerate(arr.shape):
        strides.append(0 if n == 1 and shape[lead + k] != 1 else arr.strides[k] // size)
    return strides


def run(
    spec: KernelSpec, shape: tuple[int, ...], operands: dict[str, Any], mean: int = 1
) -> KernelSpec | None:
    """Launch ``spec`` over iteration ``shape`` with ``operands`` (name -> device array or
    scalar; outputs are device arrays of their own shapes, broadcastable to ``shape``).

    Outputs that several indices would hit (``REDUCE``, or an accumulation into a broadcast
    view) are computed into full-size temporaries, then summed by ``sum_to_shape`` in a
    fixed order and added to the destination: no atomics, the same bits every run.
    ``mean`` (a count): each ``REDUCE`` output's sum is divided by it as it is added (a
    mean's loss: no kernel of its own). Returns the spec the launched kernel was rendered
    from (None if nothing ran).
    """
    shape = tuple(shape) or (1,)
    n = math.prod(shape)
    if n == 0:
        return None
    blocks, threads = runtime.launch_config(n)
    operands, temps, later, partials = _temporaries(spec, shape, operands, blocks, mean)
    spec, kernel = _prepare(spec, len(shape), temps, _is_wide(spec, operands))
    args: list[Any] = []
    for name in spec.arg_names:
        v = operands[name]
        if name in partials:
            args.append(v)
        elif isinstance(v, runtime.DEVICE_ARRAY_TYPES):
            args += [runtime.flat(v), *element_strides(v, shape)]
        else:
            args.append(v)
    args += [n, *shape[1:]]
    if helpers.DEBUG:
        debug_print(1, f"cuda launch {kernel_name(spec)} {list(shape)} grid={blocks}x{threads}")
    if spec in FIRST_LAUNCH:
        kernel[blocks, threads](*args)
    else:  # numba compiles a kernel at its first launch: explain reports the time
        started = time.perf_counter()
        kernel[blocks, threads](*args)
        FIRST_LAUNCH[spec] = time.perf_counter() - started
    LAUNCHES[0] += 1
    for dest, temp, to, count in later:  # (the blocks' partial sums: summed to one element)
        add_into(dest, sum_to_shape(temp, to), count)
    return spec


def _temporaries(
    spec: KernelSpec, shape: tuple[int, ...], operands: dict[str, Any], blocks: int, mean: int
) -> tuple[dict[str, Any], tuple[bool, ...], list[tuple], set[str]]:
    """The outputs several indices would hit, each given a buffer the kernel writes instead:
    a full-size temporary for an accumulation into a broadcast destination, one partial sum
    per block for a ``REDUCE``. Returns the operands with those buffers, per output whether
    it goes through a temporary, ``(destination, buffer, destination's shape, divisor)``
    for each to add up after the launch, and the names of the per-block buffers."""
    n = math.prod(shape)
    later = []
    temps = []
    partials = set()
    for array, _local, mode, dt in spec.outputs:
        dest = operands[array]
        temp = mode == ACCUMULATE or mode == ACCUMULATE_ROW
        temp = temp and (dest.size != n or 0 in element_strides(dest, shape))
        if temp or mode == REDUCE:  # a reduction: one partial sum per block
            buffer = runtime.empty((blocks,) if mode == REDUCE else shape, np.dtype(dt))
            to = (1,) if mode == REDUCE else tuple(dest.shape)
            later.append((dest, buffer, to, mean if mode == REDUCE else 1))
            operands = {**operands, array: buffer}
            if mode == REDUCE:
                partials.add(array)
        temps.append(temp)
    return operands, tuple(temps), later, partials


def prepare(spec: KernelSpec, shape: tuple[int, ...], temps: tuple[bool, ...]) -> KernelSpec:
    """The spec :func:`run` renders for ``spec`` over ``shape`` when the outputs marked in
    ``temps`` go through temporaries (its kernel compiled; for ``explain``)."""
    return _prepare(spec, len(shape), temps, _is_wide(spec, None))[0]


def _prepare(
    spec: KernelSpec, nd: int, temps: tuple[bool, ...], wide: bool
) -> tuple[KernelSpec, Any]:
    key = (spec, nd, temps, wide)
    prepared = _PREPARED.get(key)
    if prepared is None:
        outputs = tuple(
            (array, local, STORE if temp else ACCUMULATE if mode == ACCUMULATE_ROW else mode, dt)
            for (array, local, mode, dt), temp in zip(spec.outputs, temps, strict=True)
        )
        stmts = device_stmts(spec.stmts, wide)
        final = replace(spec, outputs=outputs, stmts=stmts, ndim=nd, parallel=False, compact=())
        prepared = _PREPARED[key] = (final, get_kernel(final))
    return prepared


def add_into(dest: Any, src: Any, count: int = 1) -> None:
    """``dest += src`` (``src / count`` for a count other than 1; contiguous device arrays
    of one size) by a rendered kernel."""
    n = dest.size
    if n:
        operands = {"s": runtime.flat(src), "dest": runtime.flat(dest)}
        if count == 1:
            inputs, expr = (("s", False),), "s_"
        else:  # (the count in the destination's dtype: a float32 division for float32)
            inputs, expr = (("s", False), ("count", True)), "s_ / count"
            operands["count"] = dest.dtype.type(count)
        spec = _ADD_INTO.get((dest.dtype.name, expr))
        if spec is None:
            spec = _ADD_INTO[dest.dtype.name, expr] = KernelSpec(
                label="accumulate",
                inputs=inputs,
                stmts=(("r", expr),),
                outputs=(("dest", "r", ACCUMULATE, dest.dtype.name),),
                ndim=1,
                comment=("dest += " + expr.replace("_", ""),),
            )
        run(spec, (n,), operands)


#: (dtype, expression) -> the spec of add_into's kernel
_ADD_INTO: dict[tuple[str, str], KernelSpec] = {}
