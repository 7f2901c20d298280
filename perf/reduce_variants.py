"""How a blocked reduction's block is summed, measured on the mse and tanh-GELU joint kernels.

    python perf/reduce_variants.py [mse gelu] [--repeat 15] [--asm]

One thread (``numba.set_num_threads(1)``), CPU time (``time.process_time``), interleaved
rounds, median of per-round ratios to the floor (``perf/impl_numba.py``). Each variant runs
the loop jitgrad generates for the workload's forward+backward (the same expressions as
``JITGRAD_DEBUG=3`` output, ``tanh32`` and all; the block's loop a function of its own) over
blocks of 4096 elements, and differs only in how a block's summands are added:

* ``fresh scratch``: the summands stored into a new ``np.empty`` per block, summed by
  ``block_sum64``, a ``reassoc`` float64 sum (jitgrad before Run floor9; ``block_sum64`` is
  ``scalar.block_sum`` as it was until Run floorsum);
* ``one scratch``: the same with one scratch array per call, reused by every block (jitgrad
  from Run floor9 to Run floorsum: bitwise the same results);
* ``one scratch, fold_sum``: one scratch summed by ``scalar.fold_sum``, the explicit pairwise
  order (jitgrad since Run floorsum);
* ``one scratch, fold_sum, hint``: the same, the loop also adding the summand into a
  discarded running sum through ``scalar.interleave_hint`` (a ``reassoc`` add), so that LLVM
  interleaves the loop (jitgrad since Run floor11: the same bits);
* ``one scratch, f32 sum``: the same summed in float32 lanes (``reassoc``), then float64;
* ``running f32 sum``: no scratch, a float32 running sum in the loop through a ``reassoc``
  add compiled on its own (LLVM keeps the flag on the inlined instruction, so only that add
  may be reordered: the vectorizer keeps VF x interleave partial sums);
* ``16/32/64 explicit lanes``: element ``i`` added to lane ``i % W`` of a W-element
  accumulator, in source order (a structure fixed by the source, needing no ``reassoc``);
* ``one scratch, lanes64, hint``: the hinted loop, its scratch summed by ``scalar.lanes_sum``
  (lane ``l`` adds ``i = l mod 64`` in order, the lanes then ``fold_sum``-ed; Run lanes64);
* ``64 lanes, fold_sum``: the same order accumulated in the loop (64 explicit lanes, folded
  by ``fold_sum``): the same bits as ``lanes_sum`` over the scratch;
* ``64 lanes on the stack, fold_sum``: the same loop, its 64 lanes a stack array
  (:func:`stack_lanes64`, an ``alloca`` nothing else can alias) that LLVM keeps in four vector
  registers across the rows (no load or store of the lanes in the loop): the same bits, the
  floor's shape without ``reassoc`` (Run gelu17);
* ``sub-blocks of 1024, lanes_add, hint``: the hinted loop called on sub-blocks of 1024 with
  a scratch of 1024, each sub-block added into the lanes by ``scalar.lanes_add``, the lanes
  folded once per block by ``scalar.lanes_fold`` (jitgrad since Run gelu13: the same bits
  as ``lanes_sum`` over the whole block).
* ``rows of 64 into the lanes, hint`` (gelu only): no scratch; the block's loop runs rows of
  64 elements from row slices, each adding its summands into the 64 lanes as it goes (the
  same order, the same bits), hinted. Run floor14: as fast as the sub-block form, not faster.

Since Run gelu13 ``scalar.lanes_sum`` (and ``lanes_add``) add whole rows of 64 through
``lane_rows.add_rows`` (the lanes in registers), so the rows using them are faster than the
same rows in earlier runs.

``--tanh NAME`` (repeatable) builds each variant with another float32 tanh in gelu's body:
``tanh32`` (jitgrad's, the default), ``rational`` (the floor's ``rtanh32``, 6.9 ulp) or ``f64``
(``perf/tanh_accuracy.tanh32_f64``, float64-evaluated, 0.5008 ulp); the row names the tanh.

``--cube NAME`` (repeatable) builds gelu's body with ``x**3``'s derivative as jitgrad declares
it since Run gelu15, ``pytorch`` (``g * (3 * (x * x))``, PyTorch's rounding; the default), or as
before, ``3g`` (``((3 * g) * x) * x``): the first shares ``x * x`` with the forward.

See perf/RESULTS.md, Runs floor9, floorsum, floor11, gelutanh, gelu13, gelu15 and gelu17.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import llvmlite.ir as llir  # noqa: E402
import numba  # noqa: E402
import numpy as np  # noqa: E402
from numba import njit, types  # noqa: E402
from numba.core import cgutils  # noqa: E402
from numba.extending import intrinsic  # noqa: E402

from jitgrad.kernels.cpu import fastmath as _fm  # noqa: E402
from jitgrad.kernels.cpu import scalar as _k  # noqa: E402
from perf import impl_numba, workloads  # noqa: E402
from perf.loop_asm import describe  # noqa: E402
from perf.tanh_accuracy import tanh32_f64  # noqa: E402

F = np.float32
#: Per workload: the block function's parameters, its loop body (the generated statements,
#: ending with the summand ``s``) and the outputs it stores.
BODIES = {
    "mse": (
        "g, x0, x1, o0, o1",
        """a = x0[i]
        b = x1[i]
        d = a - b
        s = d * d
        e = (np.float32(2) * g) * d
        o0[i] = e
        o1[i] = -e""",
    ),
    "gelu": (
        "g, c1, c3, c5, c7, x0, o0",
        """x = x0[i]
        m7 = x * c7
        m3 = (x + ((x * x) * x) * c5) * c3
        t = _fm.tanh32(m3)
        a1 = t + c1
        s = m7 * a1
        dt = ((g * m7) * _k.fma(-t, t, np.float32(1))) * c3
        o0[i] = dt + (dt * c5) * (np.float32(3) * (x * x)) + (g * a1) * c7""",
    ),
}

_SCRATCH = """
@njit(error_model="numpy")
def blk({p}, scr, n):
    for i in range(n):
        {body}
        scr[i] = s
"""
_HINTED = """
@njit(error_model="numpy")
def blk({p}, scr, n):
    ilv_ = np.float32(0)
    for i in range(n):
        {body}
        scr[i] = s
        ilv_ = _k.interleave_hint(ilv_, s)
    return ilv_
"""
_RUNNING = """
@njit(error_model="numpy")
def blk({p}, n):
    acc = np.float32(0)
    for i in range(n):
        {body}
        acc = radd(acc, s)
    return np.float64(acc)
"""
_LANES = """
@njit(error_model="numpy")
def blk({p}, acc, n):
    acc[:] = 0
    for j in range(0, n - n % {w}, {w}):
        for l in range({w}):
            i = j + l
            {deep}
            acc[l] += s
    for i in range(n - n % {w}, n):
        {body}
        acc[i % {w}] += s
    return np.float64(acc.sum())
"""
_LANES_FOLD = _LANES.replace(
    "np.float64(acc.sum())", "_k.fold_sum(acc[: min(n, {w})], np.float64(0))"
)
_STACK = _LANES_FOLD.replace("    acc[:] = 0\n", "    acc = stack_lanes64()\n    acc[:] = 0\n")
_ROWS = """
@njit(error_model="numpy")
def blk({p}, acc, n):
    ilv_ = np.float32(0)
    for j in range(0, n, 64):
        m = min(64, n - j)
        xr0 = x0[j:j + m]
        or0 = o0[j:j + m]
        accr = acc[:m]
        for i in range(m):
            {rows}
            accr[i] = accr[i] + s
            ilv_ = _k.interleave_hint(ilv_, s)
    return ilv_
"""
_KERNEL = """
@njit(error_model="numpy")
def kern({p}, loss):
    n0 = x0.shape[0]
    n_blk = (n0 + 4095) // 4096
    part = np.empty(n_blk, np.float64)
    scr = np.empty(min(n0, 4096), np.float32)
    lanes = np.empty(64, np.float32)
    for b in range(n_blk):
        lo = b * 4096
        hi = min(lo + 4096, n0)
        {call}
    acc = np.float64(0)
    for b in range(n_blk):
        acc += part[b]
    loss[0] += np.float32(acc)
"""
_CALLS = {
    "fresh scratch": "blk_s = np.empty(hi - lo, np.float32)\n        blk({sl}, blk_s, hi - lo)"
    "\n        part[b] = block_sum64(blk_s, np.float64(0))",
    "one scratch": "blk({sl}, scr[: hi - lo], hi - lo)"
    "\n        part[b] = block_sum64(scr[: hi - lo], np.float64(0))",
    "one scratch, fold_sum": "blk({sl}, scr[: hi - lo], hi - lo)"
    "\n        part[b] = _k.fold_sum(scr[: hi - lo], np.float64(0))",
    "one scratch, fold_sum, hint": "blk({sl}, scr[: hi - lo], hi - lo)"
    "\n        part[b] = _k.fold_sum(scr[: hi - lo], np.float64(0))",
    "one scratch, f32 sum": "blk({sl}, scr[: hi - lo], hi - lo)"
    "\n        part[b] = np.float64(sum32(scr[: hi - lo]))",
    "running f32 sum": "part[b] = blk({sl}, hi - lo)",
    "16 explicit lanes": "part[b] = blk({sl}, lanes[:16], hi - lo)",
    "32 explicit lanes": "part[b] = blk({sl}, lanes[:32], hi - lo)",
    "64 explicit lanes": "part[b] = blk({sl}, lanes, hi - lo)",
    "one scratch, lanes64, hint": "blk({sl}, scr[: hi - lo], hi - lo)"
    "\n        part[b] = _k.lanes_sum(scr[: hi - lo], lanes, np.float64(0))",
    "64 lanes, fold_sum": "part[b] = blk({sl}, lanes, hi - lo)",
    "64 lanes on the stack, fold_sum": "part[b] = blk({sl}, lanes, hi - lo)",
    "rows of 64 into the lanes, hint": "lanes[:] = 0\n        blk({sl}, lanes, hi - lo)"
    "\n        part[b] = _k.lanes_fold(lanes, hi - lo, np.float64(0))",
    "sub-blocks of 1024, lanes_add, hint": "lanes[:] = 0"
    "\n        for s0 in range(lo, hi, 1024):"
    "\n            s1 = min(s0 + 1024, hi)"
    "\n            blk({sub}, scr[: s1 - s0], s1 - s0)"
    "\n            _k.lanes_add(scr[: s1 - s0], lanes)"
    "\n        part[b] = _k.lanes_fold(lanes, hi - lo, np.float64(0))",
}


@intrinsic
def stack_lanes64(typingctx):
    """A float32 array of 64 elements in the calling function's stack frame (an entry-block
    ``alloca``, no meminfo): it must not outlive the call."""
    arr = types.Array(types.float32, 1, "C")

    def codegen(context, builder, signature, args):
        data = cgutils.alloca_once(builder, llir.FloatType(), size=64)
        data.align = 64
        n, size = (llir.Constant(context.get_value_type(types.intp), v) for v in (64, 4))
        ary = context.make_array(arr)(context, builder)
        context.populate_array(
            ary, data=data, shape=[n], strides=[size], itemsize=size, meminfo=None
        )
        return ary._getvalue()

    return arr(), codegen


@njit(fastmath={"reassoc"}, error_model="numpy")
def radd(a, b):  # pragma: no cover - compiled
    return a + b


@njit(fastmath={"reassoc"}, error_model="numpy")
def block_sum64(x, zero):  # pragma: no cover - compiled; jitgrad's block sum before floorsum
    s = zero
    for i in range(x.shape[0]):
        s += x[i]
    return s


@njit(fastmath={"reassoc"}, error_model="numpy")
def sum32(x):  # pragma: no cover - compiled
    s = np.float32(0)
    for i in range(x.shape[0]):
        s += x[i]
    return s


#: --tanh choices: the name gelu's body calls instead of ``_fm.tanh32``
TANHS = {"tanh32": "_fm.tanh32", "rational": "rtanh32", "f64": "tanh32_f64"}
#: --cube choices: x**3's derivative in gelu's body (``dt * c5`` is the gradient reaching x**3)
CUBES = {
    "pytorch": "(dt * c5) * (np.float32(3) * (x * x))",
    "3g": "((np.float32(3) * (dt * c5)) * x) * x",
}


def build(workload: str, variant: str, tanh: str = "tanh32", cube: str = "pytorch"):
    """(kernel, block function) of ``variant`` for ``workload``, compiled on first call."""
    params, body = BODIES[workload]
    body = body.replace("_fm.tanh32", TANHS[tanh]).replace(CUBES["pytorch"], CUBES[cube])
    names = [p.strip() for p in params.split(",")]
    sliced = ", ".join(f"{n}[lo:hi]" if n in ("x0", "x1", "o0", "o1") else n for n in names)
    template = _RUNNING if variant == "running f32 sum" else _SCRATCH
    template = _LANES if "explicit lanes" in variant else template
    template = _LANES_FOLD if variant == "64 lanes, fold_sum" else template
    template = _STACK if variant == "64 lanes on the stack, fold_sum" else template
    template = _HINTED if variant.endswith("hint") else template
    template = _ROWS if variant.startswith("rows") else template
    deep = body.replace("\n        ", "\n            ")
    rows = deep.replace("x0[i]", "xr0[i]").replace("o0[i]", "or0[i]")  # gelu's names
    src = template.format(p=params, body=body, deep=deep, rows=rows, w=variant.split()[0])
    sub = sliced.replace("[lo:hi]", "[s0:s1]")
    src += _KERNEL.format(p=params, call=_CALLS[variant].format(sl=sliced, sub=sub))
    scope = {
        "np": np,
        "njit": njit,
        "_fm": _fm,
        "_k": _k,
        "radd": radd,
        "sum32": sum32,
        "block_sum64": block_sum64,
        "rtanh32": impl_numba.rtanh32,
        "tanh32_f64": tanh32_f64,
        "stack_lanes64": stack_lanes64,
    }
    exec(compile(src, f"<{workload}: {variant}>", "exec"), scope)  # noqa: S102 - our template
    return scope["kern"], scope["blk"]


def _args(workload: str, inp: dict) -> tuple:
    n = next(iter(inp.values())).size
    if workload == "mse":
        a, b = inp["a"].ravel(), inp["b"].ravel()
        return (F(1 / n), a, b, np.empty_like(a), np.empty_like(b), np.zeros(1, F))
    x = inp["x"].ravel()
    c = (F(1), F(workloads.GELU_C), F(workloads.GELU_A), F(0.5))
    return (F(1 / n), *c, x, np.empty_like(x), np.zeros(1, F))


def measure(
    workload: str,
    repeat: int,
    asm: bool,
    only: list[str] | None = None,
    tanhs: tuple = (),
    cubes: tuple = (),
) -> None:
    inp = workloads.WORKLOADS[workload].inputs(quick=False)
    steps = {}
    pairs = [
        (v, t, c)
        for v in _CALLS
        if not only or v in only
        for t in tanhs or ("tanh32",)
        for c in cubes or ("pytorch",)
    ]
    for variant, tanh, cube in pairs:
        kern, blk = build(workload, variant, tanh, cube)
        name = variant + (f" [{tanh}]" if tanhs else "") + (f" [cube {cube}]" if cubes else "")
        args = _args(workload, inp)
        c0 = time.process_time()
        kern(*args)
        print(f"  {name}: compiled in {time.process_time() - c0:.2f} s CPU, loss {args[-1][0]}")
        steps[name] = lambda kern=kern, args=args: kern(*args)
        if asm:
            describe(f"  {name}", blk.inspect_asm(blk.signatures[0]), False, top=1)
    steps["floor"] = impl_numba.BUILDERS[workload](inp)
    steps["floor"]()
    cpu: dict[str, list[float]] = {k: [] for k in steps}
    for _ in range(repeat):
        for k, step in steps.items():
            c0 = time.process_time()
            step()
            cpu[k].append(time.process_time() - c0)
    print(f"{workload}: one thread, {repeat} rounds, load {os.getloadavg()[0]:.1f}")
    floor = np.array(cpu["floor"])
    for k, v in cpu.items():
        print(
            f"  {k:22s} CPU median {np.median(v) * 1e3:6.2f} ms (min {min(v) * 1e3:6.2f})"
            f"  / floor {np.median(np.array(v) / floor):5.2f}"
        )


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python perf/reduce_variants.py")
    p.add_argument("workloads", nargs="*", default=["mse", "gelu"])
    p.add_argument("--repeat", type=int, default=15)
    p.add_argument("--asm", action="store_true", help="count each block loop's instructions")
    p.add_argument("--only", action="append", help="this variant only (repeatable)")
    p.add_argument("--tanh", action="append", choices=list(TANHS), help="gelu's tanh (repeatable)")
    p.add_argument("--cube", action="append", choices=list(CUBES), help="x**3's derivative")
    args = p.parse_args(argv)
    numba.set_num_threads(1)
    for w in args.workloads:
        measure(w, args.repeat, args.asm, args.only, tuple(args.tanh or ()), tuple(args.cube or ()))


if __name__ == "__main__":
    main()
