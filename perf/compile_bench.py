"""Eager jitgrad against ``jitgrad.compile`` on the dispatch-bound workloads of issue 16.

Three workloads, each the same Python body run two ways in one process, interleaved:
Rogozhnikov's scalar graph (``perf/rogozhnikov.py``: forward and backward of ``--ops``
scalar ops from 100 leaves), the 200-op ``dispatch`` chain on 16 elements and the scalar
``logistic`` step (``perf/impl_module.py``, forward+backward, gradients cleared each call).
Repetition *r* takes one sample of each way, starting with eager on even *r* and with the
compiled function on odd *r*, so drift on a shared machine hits both alike. The report is the
median (and min) time per op-iteration (Rogozhnikov), per op (dispatch) or per step
(logistic), and compiled/eager of the medians. Before timing, one call each way is compared
bit for bit (loss and every gradient): a mismatch stops the run.

    python perf/compile_bench.py                       # 7 repetitions
    python perf/compile_bench.py --repeat 15 --ops 1000

``jitgrad.compile`` runs the function eagerly (capture is not implemented yet), so the ratio
measures the wrapper's cost: it should be 1.0 within the noise.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import jitgrad  # before ``perf`` is made importable: PYTHONPATH picks the tree under test
import jitgrad.nn.functional  # noqa: F401 - rogozhnikov's graph reaches it as m.nn.functional

if __package__ in (None, ""):  # run as a script: make ``perf`` importable (after jitgrad)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from perf import impl_module
from perf import workloads as W
from perf.rogozhnikov import run_graph


def _rogozhnikov(n_ops: int) -> tuple[Callable[[], dict], int]:
    leaves = jitgrad.arange(100, dtype=jitgrad.float32, requires_grad=True)

    def step() -> dict:
        leaves.grad = None
        last = run_graph(jitgrad, leaves, n_ops)[-1]
        last.backward()
        return {"loss": last, "d_leaves": leaves.grad}

    return step, n_ops


def _workload(name: str) -> tuple[Callable[[], dict], int]:
    w = W.WORKLOADS[name]
    return impl_module.BUILDERS[name](jitgrad, w.inputs(False)), w.per_call


def _bits(out: dict) -> dict[str, bytes]:
    return {k: np.asarray(v.detach().numpy()).tobytes() for k, v in out.items()}


def _sample(fn: Callable[[], Any], calls: int) -> float:
    gc.collect()
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls


def bench(name: str, step: Callable[[], dict], per: int, repeat: int, budget: float) -> dict:
    """Interleaved samples of eager ``step`` and ``jitgrad.compile(step)``."""
    compiled = jitgrad.compile(step)
    for _ in range(2):  # compiles, disk loads, replay-cache recordings
        eager_bits, compiled_bits = _bits(step()), _bits(compiled())
    if eager_bits != compiled_bits:
        raise SystemExit(f"{name}: jitgrad.compile's results differ from eager's")
    once = _sample(step, 1)
    calls = max(1, int(budget / max(once, 1e-7)))
    ways = {"eager": step, "compiled": compiled}
    samples: dict[str, list[float]] = {"eager": [], "compiled": []}
    for r in range(repeat):
        order = ("eager", "compiled") if r % 2 == 0 else ("compiled", "eager")
        for way in order:
            samples[way].append(_sample(ways[way], calls) / per * 1e6)
    med = {w: statistics.median(s) for w, s in samples.items()}
    return {
        "name": name,
        "calls": calls,
        "median": med,
        "min": {w: min(s) for w, s in samples.items()},
        "ratio": med["compiled"] / med["eager"],
    }


def wrapper_cost(repeat: int) -> float:
    """Median extra nanoseconds one call through ``jitgrad.compile`` costs over calling the
    function itself (a function that returns its argument; interleaved timeit samples)."""

    def ident(x: Any) -> Any:
        return x

    compiled = jitgrad.compile(ident)
    n = 200_000
    extra = []
    for _ in range(repeat):
        plain = timeit.timeit(lambda: ident(1), number=n)
        wrapped = timeit.timeit(lambda: compiled(1), number=n)
        extra.append((wrapped - plain) / n * 1e9)
    return statistics.median(extra)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7, help="interleaved samples per way")
    ap.add_argument("--ops", type=int, default=1000, help="ops in Rogozhnikov's graph")
    ap.add_argument("--budget", type=float, default=0.3, help="seconds per sample (about)")
    args = ap.parse_args(argv)
    print(f"load average before: {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs)")
    rows = [
        bench("rogozhnikov", *_rogozhnikov(args.ops), args.repeat, args.budget),
        bench("dispatch", *_workload("dispatch"), args.repeat, args.budget),
        bench("logistic", *_workload("logistic"), args.repeat, args.budget),
    ]
    units = {"rogozhnikov": "us/op-iteration", "dispatch": "us/op", "logistic": "us/step"}
    print("| workload | unit | eager median (min) | compiled median (min) | compiled/eager |")
    print("|---|---|---|---|---|")
    for r in rows:
        e, c = r["median"], r["min"]
        print(
            f"| {r['name']} | {units[r['name']]} | {e['eager']:.2f} ({c['eager']:.2f}) "
            f"| {e['compiled']:.2f} ({c['compiled']:.2f}) | {r['ratio']:.3f} |"
        )
    print(f"jitgrad.compile's wrapper: {wrapper_cost(args.repeat):.0f} ns per call (median)")
    print(f"load average after: {os.getloadavg()[0]:.2f}; {args.repeat} samples per way")


if __name__ == "__main__":
    main()
