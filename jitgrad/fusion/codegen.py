"""Render straight-line elementwise programs to Numba source, compile them, cache them.

Every elementwise kernel jitgrad runs - the forward and backward of a single op, or a whole
fusion group - is a :class:`KernelSpec`: named array/scalar inputs, a list of assignments whose
right-hand sides are expressions from :mod:`jitgrad.ops.expr`, and outputs that are stored,
accumulated (``+=`` into a possibly broadcast view: that sums gradients over broadcast
dimensions) or reduced to a scalar accumulator (full reductions). A kernel for a large loop
is rendered as a chunk kernel that :mod:`.chunked` runs on a thread pool.

All array operands are views of one iteration shape (see :mod:`jitgrad.fusion.layout`), so the
generated loop nest is the same for every operand and needs no index arithmetic.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, replace

from ..kernels.cpu import jit
from . import block_render as BR
from . import chunked, diskcache, tier0

STORE, ACCUMULATE, REDUCE = "store", "acc", "reduce"
#: Accumulate into a view with stride 0 in the innermost dimension: summed in a register over
#: the inner loop, then added once per row (no store-to-load chain in the inner loop).
ACCUMULATE_ROW = "acc_row"


def refine_accumulation(modes: list, out_views: list) -> tuple[list, bool]:
    """Pick ACCUMULATE_ROW where a gradient view is broadcast along the innermost dimension,
    and say whether the outer loop may run in parallel (no accumulating output may be
    broadcast along dimension 0, or threads would race on it).

    ``out_views`` are the iteration views of the outputs whose mode is not REDUCE, in order.
    """
    refined = []
    parallel_safe = True
    it = iter(out_views)
    for mode in modes:
        if mode in (STORE, REDUCE, None):
            refined.append(mode)
            if mode == STORE:
                next(it)
            continue
        view = next(it)
        if view.ndim > 1 and view.strides[-1] == 0:
            mode = ACCUMULATE_ROW
        if view.ndim and view.strides[0] == 0:
            parallel_safe = False
        refined.append(mode)
    return refined, parallel_safe


@dataclass(frozen=True)
class KernelSpec:
    """What one generated kernel computes; equal specs share one compiled kernel."""

    label: str  # readable op chain, e.g. "mul_bwd" or "sub_pow_mean"
    inputs: tuple[tuple[str, bool], ...]  # (name, is_scalar)
    stmts: tuple[tuple[str, str], ...]  # (local name, rendered Numba expression)
    outputs: tuple[tuple[str, str, str, str], ...]  # (array name, local name, mode, dtype name)
    ndim: int
    parallel: bool = False
    #: the source's comment (what the kernel computes, in node names): part of the spec and of
    #: its key, as the cached file is the source; two specs computing the same thing under
    #: different node names sharing one file name rewrote each other's file on every run and
    #: warned that the cache was damaged.
    comment: tuple[str, ...] = ()
    #: (array name, loop dimension) for operands of a 2-D loop passed as the 1-D arrays they
    #: are (a row or column broadcast over the other dimension; -1: one value broadcast over
    #: the whole loop, 1-D or 2-D, read at index 0): see :func:`compact_args`.
    compact: tuple[tuple[str, int], ...] = ()

    def key(self) -> str:
        parts = (self.label, self.inputs, self.stmts, self.outputs, self.ndim, self.parallel)
        text = repr(parts + ((self.compact,) if self.compact else ()) + (self.comment,))
        return hashlib.sha1(text.encode()).hexdigest()[:12]

    @property
    def function_name(self) -> str:
        return f"_gen_{self.label}_{self.key()}"

    @property
    def arg_names(self) -> list[str]:
        """The kernel's parameters in call order: the inputs, then the outputs."""
        return [name for name, _ in self.inputs] + [o[0] for o in self.outputs]


#: The shortest 1-D loop whose one-value broadcast operands are compacted (see
#: :func:`compact_args`): below it the gathers cost less than looking the variant up, and the
#: kernel is launched as it is (the backward's fast path for flat groups stays open).
COMPACT_1D = 4096


def compact_args(spec: KernelSpec, call: list) -> tuple[list, tuple[tuple[str, int], ...]]:
    """``call`` (values in ``spec.arg_names`` order) with every operand of a 2-D loop that is
    broadcast along one dimension replaced by the 1-D array it is, and every operand of a 1-D
    loop that is one value broadcast by the 1-element array it is; and which ones were.

    Why: a broadcast operand reaches the loop as a view with a zero stride, which Numba types
    as a non-contiguous ('A') array. LLVM then cannot vectorize the loop: a bias-add + relu
    backward on 512x512 float32 took 1.7 ms, the same loop over the bias as a contiguous 1-D
    array indexed by the column 0.073 ms; a 1-D backward reading a ``mean``'s seed gradient
    compiled to gathers. A full reduction's 1-element output and row-accumulated outputs
    (``ACCUMULATE_ROW``) are left as they are. 1-D loops: :data:`COMPACT_1D` elements or more.

    A read-only compacted operand (a ``sum``'s seed gradient) is copied: a read-only array
    picks the any-layout overload (``jit.one_overload_per_layout``), a strided scalar
    loop over every operand (tanh-GELU under ``mean``: 178 against 11 ms, RESULTS.md Run X).
    """
    if spec.ndim not in (1, 2):
        return call, ()
    keep = {o[0] for o in spec.outputs if o[2] in (REDUCE, ACCUMULATE_ROW)}
    compact, original = [], call
    full = 0  # operands left whole: the loop's shape is read from one of them
    call = list(call)
    for k, (name, v) in enumerate(zip(spec.arg_names, call, strict=True)):
        if name in keep or getattr(v, "ndim", 0) != spec.ndim:
            continue
        if spec.ndim == 1:
            if v.strides[0] == 0 and v.shape[0] > 1:
                call[k] = v[:1]
                compact.append((name, -1))
            full += v.strides[0] != 0 or v.shape[0] <= 1
            continue
        s0, s1 = v.strides
        if s0 == 0 and s1 == 0:  # one value everywhere (a loss's seed gradient)
            call[k] = v[0, :1]
            compact.append((name, -1))
        elif s0 == 0:  # one row, repeated down the rows
            call[k] = v[0]
            compact.append((name, 1))
        elif s1 == 0:  # one column, repeated across the columns
            call[k] = v[:, 0]
            compact.append((name, 0))
        full += not (s0 == 0 or s1 == 0)
    if spec.ndim == 1 and not full:
        return original, ()
    if compact and not full and ACCUMULATE_ROW not in {o[2] for o in spec.outputs}:
        call[j] = original[j := spec.arg_names.index(compact.pop(0)[0])]  # one whole: the shape
    for k in (spec.arg_names.index(name) for name, _ in compact):
        if not call[k].flags.writeable:  # an input only: outputs are written
            call[k] = call[k].copy()
    return call, tuple(compact)


def render_source(spec: KernelSpec) -> str:
    """Readable Python/Numba source for ``spec``: one line per op, named after the ops.

    ``ndim`` 0 is a 0-d result: no loop, every array read and written at ``[()]``.
    """
    array_inputs = [name for name, is_scalar in spec.inputs if not is_scalar]
    reduced = [o for o in spec.outputs if o[2] == REDUCE]
    chunked = spec.parallel and spec.ndim > 0
    lines = _header(spec, reduced, chunked)
    if reduced and spec.ndim == 1:  # the block function goes above the kernel's decorator
        at = next(k for k, line in enumerate(lines) if line.startswith("@cached_njit("))
        block, body = _blocked_reduction(spec, array_inputs, reduced, lines[at][13:-1])
        lines[at:at] = block
        return "\n".join(lines + body) + "\n"
    if chunked and reduced:  # one partial per outer index, added up by the finishing call
        lines += _finish(reduced, "n0")
    for array, _local, mode, dt in spec.outputs:
        if mode == REDUCE and not chunked:
            lines.append(f"    acc_{array} = np.{_accumulator(dt)}(0)")
    loops, indent, prefix = _loop_nest(spec, array_inputs, reduced, chunked)
    lines += loops
    idx = ", ".join(f"i{d}" for d in range(spec.ndim)) or "()"
    lines += _body(spec, array_inputs, idx, indent, "acc_{array} += {local}", prefix)
    lines += _accumulator_writes(spec, reduced, chunked, indent)
    return "\n".join(lines) + "\n"


def _header(spec: KernelSpec, reduced: list, chunked: bool) -> list[str]:
    """The generated module's imports, the kernel's decorator and signature, its comment
    lines and the loop bounds ``n0, n1 ...`` read from the shape-giving array."""
    shape_source = loop_shape_source(spec)
    args = [name for name, _ in spec.inputs] + [o[0] for o in spec.outputs]
    if chunked:  # a chunk kernel (see the module docstring of .chunked)
        args += [f"part_{o[0]}" for o in reduced] + ["lo_", "hi_"]
    flags = 'error_model="numpy"' + (", nogil=True" if chunked else "")  # x / 0: inf or nan
    lines = [
        '"""Generated by jitgrad.fusion.codegen. Do not edit: regenerated from op declarations."""',
        *(["import cmath"] if "cmath." in str(spec.stmts) else []),  # (complex kernels only)
        "import math",
        "import numpy as np",
        "",
        "from jitgrad.kernels.cpu import fastmath_calls as _fm  # noqa: F401",
        "from jitgrad.kernels.cpu import scalar as _k  # noqa: F401",
        "from jitgrad.kernels.cpu.jit import cached_njit",
        "",
        "",
        f"@cached_njit({flags})",
        f"def {spec.function_name}({', '.join(args)}):",
    ]
    lines += [f"    # {c}" for c in spec.comment]
    for d in range(spec.ndim):
        lines.append(f"    n{d} = {shape_source}.shape[{d}]")
    return lines


def _loop_nest(
    spec: KernelSpec, array_inputs: list[str], reduced: list, chunked: bool
) -> tuple[list[str], str, str]:
    """The ``for`` lines of the loop nest (with the row and chunk accumulators' resets), the
    body's indent, and the prefix of the arrays it indexes (``c_``: a 1-D chunk's slices)."""
    lines = []
    indent = "    "
    prefix = ""
    if chunked and spec.ndim == 1:  # the chunk's slices, indexed from 0 (see _blocked_reduction)
        whole = dict(spec.compact)
        sliced = array_inputs + [o[0] for o in spec.outputs if o[2] != REDUCE]
        lines += [f"    c_{n} = {n}[lo_:hi_]" for n in sliced if n not in whole]
        lines.append("    for i0 in range(hi_ - lo_):")
        indent, prefix = "        ", "c_"
    for d in range(1 if prefix else 0, spec.ndim):
        if d == spec.ndim - 1:
            for array, _local, mode, dt in spec.outputs:
                if mode == ACCUMULATE_ROW:
                    lines.append(f"{indent}acc_{array} = np.{_accumulator(dt)}(0)")
        bounds = "lo_, hi_" if chunked and d == 0 else f"n{d}"
        lines.append(f"{indent}for i{d} in range({bounds}):")
        indent += "    "
        if chunked and d == 0:
            lines += [f"{indent}acc_{o[0]} = np.{_accumulator(o[3])}(0)" for o in reduced]
    return lines, indent, prefix


def _accumulator_writes(spec: KernelSpec, reduced: list, chunked: bool, indent: str) -> list[str]:
    """After the body: each row accumulator added to its output (narrowed once), then the
    chunk's partials, or the full reductions' sums added to their outputs."""
    row_idx = ", ".join([f"i{d}" for d in range(spec.ndim - 1)] + ["0"])
    lines = [
        f"{indent[:-4]}{array}[{row_idx}] += {_narrow(f'acc_{array}', dt)}"
        for array, _local, mode, dt in spec.outputs
        if mode == ACCUMULATE_ROW
    ]
    if chunked:
        return lines + [f"        part_{o[0]}[i0] = acc_{o[0]}" for o in reduced]
    for array, _local, mode, dt in spec.outputs:
        if mode == REDUCE:
            lines.append(f"    {array}[0] += {_narrow(f'acc_{array}', dt)}")
    return lines


def _finish(reduced: list, count: str) -> list[str]:
    """A chunk kernel's finishing call (``lo_ < 0``): add each reduced output's partials in
    index order, after every chunk has run, so the sum does not depend on the chunking."""
    lines = ["    if lo_ < 0:"]
    for array, _local, _mode, dt in reduced:
        lines += [
            f"        acc_{array} = np.{_accumulator(dt)}(0)",
            f"        for i_p in range({count}):",
            f"            acc_{array} += part_{array}[i_p]",
            f"        {array}[0] += {_narrow(f'acc_{array}', dt)}",
        ]
    return lines + ["        return"]


def loop_shape_source(spec: KernelSpec) -> str:
    """The parameter whose shape is the loop's (an array no operand of which is compacted)."""
    arrays = [n for n, is_scalar in spec.inputs if not is_scalar]
    arrays += [o[0] for o in spec.outputs if o[2] != REDUCE]
    return next(n for n in arrays if n not in dict(spec.compact))


def _body(
    spec: KernelSpec, array_inputs: list[str], idx: str, indent: str, reduce: str, prefix: str = ""
):
    """The innermost loop body: load the operands, one line per statement, then store,
    accumulate, or (``reduce``, a template over ``array`` and ``local``) reduce each output
    (a full or a row reduction). Arrays other than ``spec.compact`` ones are read and written
    as ``prefix + name`` (a blocked loop's block slices); loaded values keep their names."""
    compact = dict(spec.compact)

    def at(name: str) -> str:
        if name not in compact:
            return f"{prefix}{name}[{idx}]"
        return f"{name}[{'0' if compact[name] < 0 else f'i{compact[name]}'}]"

    lines = [f"{indent}{name}_ = {at(name)}" for name in array_inputs]
    lines += [f"{indent}{local} = {expr}" for local, expr in spec.stmts]
    for array, local, mode, _dt in spec.outputs:
        if mode == STORE:
            lines.append(f"{indent}{at(array)} = {local}")
        elif mode == ACCUMULATE:
            lines.append(f"{indent}{at(array)} += {local}")
        else:  # REDUCE, ACCUMULATE_ROW: into the running accumulator (or the block)
            lines.append(indent + reduce.format(array=array, local=local, dt=_dt))
    return lines


#: Elements per block of a blocked reduction: 32 KB of float64 partials, in L1/L2.
REDUCE_BLOCK = 4096


def _blocked_reduction(spec: KernelSpec, array_inputs: list, reduced: list, flags: str) -> tuple:
    """A 1-D loop whose full reductions are blocked, each block summed in the 64-lane order
    of :func:`jitgrad.kernels.cpu.scalar.lanes_sum` (tier 0 and capture call it: the same
    bits), the blocks' partial sums added in block order, whatever the thread count. A short
    body keeps the lanes in its loop (:func:`.block_render.keeps_lanes`); any other stores
    the summands into a scratch of their dtype (one per call, Run floor9), a sub-block at a
    time, each added into the lanes by ``lanes_add`` (the same order: Run gelu13), the first
    summand (``reduced[0][1::2]``) feeding a discarded interleave hint. Block
    slices are indexed from 0 (``x[i0]`` over ``range(blk_lo, blk_hi)`` compiled to gathers:
    tanh-GELU 2.35x slower). Returns the element loop as a function of its own
    (:mod:`.block_render` says why) and the kernel body."""
    lines = [f"    n_blk = (n0 + {REDUCE_BLOCK - 1}) // {REDUCE_BLOCK}"]
    if spec.parallel:  # a chunk kernel over blocks [lo_, hi_); the caller owns part_*
        lines += _finish(reduced, "n_blk")
    else:
        for array, _local, _mode, dt in reduced:
            lines.append(f"    part_{array} = np.empty(n_blk, np.{_accumulator(dt)})")
    whole = dict(spec.compact)  # one broadcast value, read at [0]
    sliced = array_inputs + [o[0] for o in spec.outputs if o[2] != REDUCE]
    params = [n for n, is_scalar in spec.inputs if is_scalar] + list(whole)
    params += [f"blk_{n}" for n in sliced if n not in whole]
    name = f"{spec.function_name}_blk"
    body_at = functools.partial(_body, spec, array_inputs, "i0")  # (indent, reduce, prefix)
    scratch, block, sums = BR.reduction_block(name, params, body_at, reduced, flags)
    lines += [f"    scr_{o[0]} = np.empty(min(n0, {BR.SUB_BLOCK}), np.{o[3]})" for o in scratch]
    lines += [f"    lanes_{o[0]} = np.empty({BR.LANES}, np.{o[3]})" for o in reduced]
    lines += [
        f"    for i_blk in {'range(lo_, hi_)' if spec.parallel else 'range(n_blk)'}:",
        f"        blk_lo = i_blk * {REDUCE_BLOCK}",
        f"        blk_hi = min(blk_lo + {REDUCE_BLOCK}, n0)",
    ]
    lines += BR.block_calls(name, params, [n for n in sliced if n not in whole], scratch)
    for (array, _local, _mode, dt), call in zip(reduced, sums):
        lines.append(f"        part_{array}[i_blk] = {call}np.{_accumulator(dt)}(0))")
    if spec.parallel:
        return block, lines
    for array, _local, _mode, dt in reduced:
        lines.append(f"    acc_{array} = np.{_accumulator(dt)}(0)")
        lines.append("    for i_blk in range(n_blk):")
        lines.append(f"        acc_{array} += part_{array}[i_blk]")
        lines.append(f"    {array}[0] += {_narrow(f'acc_{array}', dt)}")
    return block, lines


def _accumulator(dt: str) -> str:
    """The dtype a sum accumulates in: float32 sums run in float64 (a float32 running sum
    over millions of elements loses about three digits; torch sums pairwise instead)."""
    return "float64" if dt == "float32" else dt


def _narrow(expr: str, dt: str) -> str:
    return f"np.{dt}({expr})" if _accumulator(dt) != dt else expr


def get_kernel(spec: KernelSpec) -> diskcache.Kernel:
    """The kernel for ``spec``: from memory, else from the disk cache, else compiled; a new
    one not on disk first runs in tier 0 (:mod:`.tier0`)."""
    kernel = diskcache.MEMORY.get(spec)
    if kernel is None:
        with diskcache.LOCK:  # threads asking at once share one module, so one compile
            kernel = diskcache.MEMORY.get(spec)
            if kernel is None:
                kernel = diskcache.load(spec.function_name, render_source(spec), spec.label)
                kernel.spec = spec
                jit.one_overload_per_layout(kernel.dispatcher, len(spec.inputs))
                if spec.parallel and spec.ndim:
                    chunked.install(kernel, *_launch_layout(spec), _serial_twin(spec))
                tier0.attach(kernel, REDUCE_BLOCK)
                diskcache.MEMORY[spec] = kernel
    return kernel


def _serial_twin(spec: KernelSpec):
    """For a chunk kernel without reduced outputs: a function returning the serial kernel of
    the same spec, which :class:`.chunked.Launcher` runs where the loop is one chunk."""
    if any(o[2] == REDUCE for o in spec.outputs):
        return None
    return functools.partial(get_kernel, replace(spec, parallel=False))


def _launch_layout(spec: KernelSpec) -> tuple[int, int, tuple[str, ...]]:
    """What :class:`.chunked.Launcher` needs to know about a chunk kernel's loop."""
    reduced = [o for o in spec.outputs if o[2] == REDUCE]
    block = REDUCE_BLOCK if reduced and spec.ndim == 1 else 0
    parts = tuple(_accumulator(o[3]) for o in reduced)
    return spec.arg_names.index(loop_shape_source(spec)), block, parts


def for_call(kernel: diskcache.Kernel, call: list) -> tuple[diskcache.Kernel, list]:
    """The kernel and arguments to launch ``kernel`` on ``call`` with: for a loop with
    broadcast operands, its variant reading them as the smaller arrays they are (see
    :func:`compact_args`)."""
    if kernel.spec.ndim not in (1, 2):
        return kernel, call
    call, compact = compact_args(kernel.spec, call)
    if not compact:
        return kernel, call
    variant = kernel.compacted.get(compact)
    if variant is None:
        variant = kernel.compacted[compact] = get_kernel(replace(kernel.spec, compact=compact))
    return variant, call
