"""Tier 0's complex interpreter: what it costs to build, and per call against compiled code.

    python perf/tier0_complex_bench.py build [--reps 3]   # build CPU, fresh caches, interleaved
    python perf/tier0_complex_bench.py calls [--reps 5]   # us per call, interpreted vs compiled

``build``: each rep builds the complex interpreter and, as the reference, the float32 one, each
in a fresh process with an empty cache (the thread's CPU seconds of ``ready``'s build, so the
process start and imports are not counted), alternating. ``calls``: complex64 mul's backward
(a float32 gradient of a real operand beside the complex64 one: the mixed kind) and exp's
forward on complex128, at 16 and 4096 elements: the median of ``reps`` timings of 200 calls
each, interpreted (``Program.launch``) and compiled (the kernel's dispatcher), in one process.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

_BUILD = """
import json, time
from jitgrad.fusion import tier0
tier0.AFTER_COMPILES = tier0.AFTER_COMPLEX = 0
dt = {dt!r}
t = time.thread_time()
tier0.ready(dt)
print(json.dumps({{"dtype": dt, "cpu": time.thread_time() - t}}))
"""


def build(reps: int) -> None:
    got: dict[str, list[float]] = {"complex": [], "float32": []}
    for _ in range(reps):
        for dt in ("complex", "float32"):
            with tempfile.TemporaryDirectory() as d:
                env = {**os.environ, "JITGRAD_CACHE_DIR": d, "NUMBA_CACHE_DIR": d,
                       "JITGRAD_COMPILE_NOTICE": "0"}  # fmt: skip
                out = subprocess.run([sys.executable, "-c", _BUILD.format(dt=dt)], env=env,
                                     capture_output=True, text=True, check=True).stdout  # fmt: skip
                got[dt].append(json.loads(out.splitlines()[-1])["cpu"])
    for dt, cpus in got.items():
        print(f"{dt:8s} build CPU s: median {statistics.median(cpus):.2f} of {cpus}")


def calls(reps: int) -> None:
    import numpy as np

    from jitgrad.fusion import codegen as C
    from jitgrad.fusion import lowering as LW
    from jitgrad.fusion import tier0
    from jitgrad.ops.registry import REGISTRY, complex_form

    mul, exp = complex_form(REGISTRY["mul"]), complex_form(REGISTRY["exp"])
    bwd, order = LW.op_backward(mul, "tt", (C.STORE, C.STORE), 1, False, "complex64",
                                ("complex64", "float32"))  # fmt: skip
    fwd = LW.op_forward(exp, "t", 1, False, "complex128", "complex128")
    rng = np.random.default_rng(0)
    for n in (16, 4096):
        z64 = (rng.standard_normal(n) + 1j * rng.standard_normal(n)).astype(np.complex64)
        cases = {
            "mul_bwd c64/f32": (bwd, [z64] * len(order) + [np.zeros(n, np.complex64),
                                                           np.zeros(n, np.float32)]),
            "exp c128": (fwd, [z64.astype(np.complex128), np.zeros(n, np.complex128)]),
        }  # fmt: skip
        for label, (spec, args) in cases.items():
            kernel = C.get_kernel(spec)
            program = tier0.translate(spec, tuple(args), C.REDUCE_BLOCK)
            kernel.dispatcher(*args)
            program.launch(kernel, tuple(args))
            med = _time(reps, lambda k=kernel, p=program, a=tuple(args): p.launch(k, a),
                        lambda k=kernel, a=args: k.dispatcher(*a))  # fmt: skip
            print(f"{label:16s} n={n:5d}: tier0 {med['tier0']:8.1f} us, compiled "
                  f"{med['compiled']:7.1f} us, per element and row "
                  f"{(med['tier0'] - med['compiled']) / n / program.rows * 1e3:.1f} ns "
                  f"({program.rows} rows)")  # fmt: skip


def _time(reps: int, interpreted, compiled) -> dict[str, float]:  # noqa: ANN001
    """Median us per call of each, timed alternately, ``reps`` times 200 calls."""
    times: dict[str, list[float]] = {"tier0": [], "compiled": []}
    for _ in range(reps):
        for name, fn in (("tier0", interpreted), ("compiled", compiled)):
            t = time.process_time()
            for _ in range(200):
                fn()
            times[name].append((time.process_time() - t) / 200 * 1e6)
    return {k: statistics.median(v) for k, v in times.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=("build", "calls"))
    ap.add_argument("--reps", type=int, default=3)
    a = ap.parse_args()
    (build if a.what == "build" else calls)(a.reps)


if __name__ == "__main__":
    main()
