"""tanh-GELU's generated block loop in L1 against the floor's loop, and same-bits rewrites of it.

    python perf/gelu_interleave.py [--rounds 11] [--n 1024] [--interleave N]

Builds the gelu workload's joint kernel through jitgrad (in an empty kernel cache, as
``perf/loop_asm.py``), takes the generated module's block function (``<kernel>_blk``, the loop
``perf/loop_asm.py`` counts), and times it on ``--n`` float32 elements (in L1) against the floor's
source (``perf/impl_numba.py``'s gelu, plain ``njit``: one block, no thread pool), interleaved
rounds of one process, CPU time. The other rows re-execute the generated source with one rewrite
each that keeps every bit (checked against the generated row):

* ``tanh32 (2**k-1)/2 by the exponent``: tanh32's ``fma(s, 1/2, -1/2)`` (s = 2**k) as
  ``2**(k-1) - 1/2``, 2**(k-1) by an integer subtract from s's bits: one FMA-pipe op per element
  moved to the adder and the integer unit, the same single rounding;
* ``3*y as (y+y)+y``: the cube's backward ``3 * (x*x)``; ``y + y`` is exact, so one rounding.

Each row prints the innermost loop's counts: instructions, ``vdivps`` (one per vector of 16: the
loop's interleave count), ``vmovups`` (4 loads / stores per vector of elements, the rest spills)
and the ops on the multiply/FMA pipes. ``--interleave N`` sets LLVM's
``-force-vector-interleave`` for every loop compiled in this process. perf/RESULTS.md, Run gelu19.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import types as pytypes
from collections import Counter
from pathlib import Path

if __package__ in (None, ""):
    sys.path[0] = str(Path(__file__).resolve().parent.parent)
os.environ["JITGRAD_CACHE_DIR"] = tempfile.mkdtemp(prefix="jitgrad-gelu-interleave-")

import llvmlite.binding as llvm  # noqa: E402
import numba  # noqa: E402
import numpy as np  # noqa: E402
from numba.extending import intrinsic  # noqa: E402

import jitgrad  # noqa: E402
from jitgrad.fusion import diskcache  # noqa: E402
from jitgrad.kernels.cpu import fastmath as fm  # noqa: E402
from jitgrad.kernels.cpu import fastmath_base as fb  # noqa: E402
from perf import impl_module, impl_numba, workloads  # noqa: E402
from perf.loop_asm import innermost_loops  # noqa: E402


@intrinsic
def _halve_pow2(typingctx, s):
    """2**(k-1) from s = 2**k (float32, k >= -125): the exponent field minus one."""

    def codegen(context, builder, signature, args):
        bits = builder.bitcast(args[0], fb._int_type(s))
        return builder.bitcast(builder.sub(bits, fb._int_type(s)(1 << 23)), args[0].type)

    return s(s), codegen


@numba.njit(inline="always")
def tanh32_exponent_half(x):  # pragma: no cover - compiled; fm.tanh32 with one line changed
    a = abs(x)
    a = fm._TANH_CLAMP_F if a > fm._TANH_CLAMP_F else a
    t = fb._fma(a, fm._LOG2E_X2_F, fm._MAGIC_BIAS_F)
    k = t - fm._MAGIC_BIAS_F
    h = fb._fma(-k, fm._LN2_HALF_F, a)
    s = fb._pow2_biased(t)
    v = fb._fma(s, fm._half_expm1_2h(h), _halve_pow2(s) - fb._HALF_F)  # the one change
    d = v + fb._ONE_F
    big = v if v > fb._ONE_F else fb._ONE_F
    small = fb._ONE_F if v > fb._ONE_F else v
    dl = small - (d - big)
    q = fb._div(v, d)
    return np.copysign(fb._fma(dl, fb._fma(q, q, -q), q), x)


REWRITES = {
    "generated": [],
    "tanh32 (2**k-1)/2 by the exponent": [("_fm.tanh32(", "tanh32_exponent_half(")],
    "3*y as (y+y)+y": [
        ("(np.float32(3) * (x0_ * x0_))", "(((x0_ * x0_) + (x0_ * x0_)) + (x0_ * x0_))")
    ],
}


def _generated_source() -> tuple[str, str]:
    inp = workloads.WORKLOADS["gelu"].inputs(quick=False)
    run = impl_module.gelu(jitgrad, inp)
    for _ in range(3):
        run()
    spec = next(s for s in diskcache.MEMORY if "joint" in s.function_name)
    module = sys.modules[diskcache.MEMORY[spec].dispatcher.py_func.__module__]
    return Path(module.__file__).read_text(), spec.function_name + "_blk"


def _variant(source: str, name: str, rewrite: list) -> numba.core.registry.CPUDispatcher:
    for old, new in rewrite:
        assert old in source, old
        source = source.replace(old, new)
    source = source.replace("from jitgrad.kernels.cpu.jit import cached_njit", "")
    mod = pytypes.ModuleType(f"gelu_interleave_{len(sys.modules)}")
    mod.__dict__.update(cached_njit=numba.njit, tanh32_exponent_half=tanh32_exponent_half)
    exec(compile(source, mod.__name__, "exec"), mod.__dict__)
    return mod.__dict__[name].py_func


def _repeat(fn):
    """``reps`` calls of the compiled ``fn`` inside one compiled loop (no Python dispatch)."""

    @numba.njit
    def repeat(reps, *a):  # pragma: no cover - compiled
        acc = 0.0
        for _ in range(reps):
            acc += fn(*a)
        return acc

    return repeat


def _loop_counts(dispatcher) -> str:
    body = innermost_loops(dispatcher.inspect_asm(dispatcher.signatures[0]))[0]
    c = Counter(x.split()[0] for x in body)
    fma = sum(v for m, v in c.items() if m.startswith(("vmul", "vfmadd", "vfmsub", "vfnm")))
    return f"{len(body)} instr, vdivps {c['vdivps']}, vmovups {c['vmovups']}, FMA-pipe {fma}"


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python perf/gelu_interleave.py")
    p.add_argument("--rounds", type=int, default=11)
    p.add_argument("--n", type=int, default=1024)
    p.add_argument("--interleave", type=int, default=0)
    args = p.parse_args(argv)
    if args.interleave:
        llvm.set_option("", f"-force-vector-interleave={args.interleave}")
    f32, n = np.float32, args.n
    x = (np.random.default_rng(0).standard_normal(n) * 2).astype(f32)
    w = workloads
    consts = (0, 0.5, 1, w.GELU_C, w.GELU_A, 3 * w.GELU_A, 1 / n)
    floor = numba.njit(fastmath=impl_numba.SPEED_FLAGS, error_model="numpy")(
        impl_numba._kernel("gelu", np.dtype(f32)).py_func
    )
    source, blk_name = _generated_source()
    blk_args = (f32(1 / n), f32(1), f32(w.GELU_C), f32(w.GELU_A), f32(0.5))
    rows = {
        "floor (impl_numba's gelu, no prange)": (floor, (x, np.empty_like(x), *map(f32, consts)))
    }
    for name, rewrite in REWRITES.items():
        fn = numba.njit(error_model="numpy")(_variant(source, blk_name, rewrite))
        rows[name] = (fn, (*blk_args, x, np.empty_like(x), np.empty_like(x), n))
    loops = {name: _repeat(fn) for name, (fn, _) in rows.items()}
    bits = {}
    for name, (_fn, a) in rows.items():
        loops[name](1, *a)
        if name in REWRITES:
            bits[name] = (a[-3].tobytes(), a[-2].tobytes())
    reps = max(1, (1 << 24) // n)
    times: dict[str, list[float]] = {name: [] for name in rows}
    for r in range(args.rounds):
        for name in list(rows)[:: 1 if r % 2 == 0 else -1]:
            fn, a = rows[name]
            t0 = time.process_time()
            loops[name](reps, *a)
            times[name].append((time.process_time() - t0) / reps / n * 1e9)
    floor_t = times[next(iter(rows))]
    load = os.getloadavg()[0]
    print(f"gelu loop on {n} float32, {args.rounds} rounds, load {load:.1f}, CPU ns/element")
    for name, (fn, _) in rows.items():
        ratio = statistics.median(t / f for t, f in zip(times[name], floor_t))
        same = (
            ""
            if name not in bits or name == "generated"
            else f", bits {bits[name] == bits['generated']}"
        )
        print(f"  {name:40s} {statistics.median(times[name]):.3f}  / floor {ratio:.3f}{same}")
        print(f"  {'':40s} loop: {_loop_counts(fn)}")


if __name__ == "__main__":
    main()
