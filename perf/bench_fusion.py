"""The fusion pass's benchmark: issue 3's three workloads, fused vs unfused vs hand-fused.

Same-run medians (interleaved rounds, so machine noise hits every implementation alike) of
forward+backward with gradients for every input, written the ordinary PyTorch way
(``perf/impl_module.py``, the same body for jitgrad and torch) against the hand-fused Numba
reference (``perf/impl_numba.py``). Also: compile time of each workload's kernels from a
cold cache, the warm-process (disk cache) start, and the per-step overhead of a small graph.

    JITGRAD_CACHE_DIR=/tmp/jgc python3 -m perf.bench_fusion [--quick]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import impl_module, impl_numba
from . import workloads as W

NAMES = ("chain", "gelu", "mse")
ROOT = Path(__file__).resolve().parents[1]


def _impls(name: str, inp: W.Inputs) -> dict:
    import jitgrad

    impls = {"hand-fused": getattr(impl_numba, name)(inp)}
    run = getattr(impl_module, name)(jitgrad, inp)

    def fused():
        with jitgrad.fusion(True):
            return run()

    def unfused():
        with jitgrad.fusion(False):
            return run()

    impls["jitgrad fused"] = fused
    impls["jitgrad unfused"] = unfused
    try:
        import torch

        impls["torch eager"] = getattr(impl_module, name)(torch, inp)
    except ImportError:
        pass
    return impls


def bench(name: str, quick: bool, rounds: int) -> dict[str, float]:
    """Median ms per call of each implementation, rounds interleaved."""
    inp = W.WORKLOADS[name].inputs(quick)
    impls = _impls(name, inp)
    times: dict[str, list[float]] = {k: [] for k in impls}
    for fn in impls.values():
        fn()  # warm: compile, allocate
    for _ in range(rounds):
        for k, fn in impls.items():
            start = time.perf_counter()
            fn()
            times[k].append((time.perf_counter() - start) * 1e3)
    return {k: statistics.median(v) for k, v in times.items()}


COMPILE = """
import time, sys
t0 = time.perf_counter()
import jitgrad
from perf import impl_module, workloads as W
t1 = time.perf_counter()
for name in sys.argv[1:]:
    getattr(impl_module, name)(jitgrad, W.WORKLOADS[name].inputs(True))()
t2 = time.perf_counter()
info = jitgrad.cache_info()
print(f"{t1 - t0:.3f} {t2 - t1:.3f} {info['compiled']} {info['disk_hits']} "
      f"{info['compile_seconds']:.3f}")
"""


def compile_times(name: str) -> tuple[str, str]:
    """(cold, warm) first-step seconds of one workload in a fresh process."""
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "JITGRAD_CACHE_DIR": cache, "PYTHONPATH": str(ROOT)}
        out = []
        for _ in range(2):
            res = subprocess.run(
                [sys.executable, "-c", COMPILE, name], env=env, capture_output=True, text=True
            )
            out.append(res.stdout.split() if res.returncode == 0 else ["err"] * 5)
    return tuple(" ".join(o) for o in out)  # type: ignore[return-value]


def step_overhead(rounds: int = 300) -> tuple[float, float, float]:
    """A small graph (16 elements, 2 fused groups): us per step fused and unfused, and the
    Python cost per fused group on top of its kernel: recognising the graph (the replay
    cache's matcher or walk), gathering the saved arrays, buffers, launch and routing the
    gradients, or on the engine's path planning and analysis."""
    import importlib

    import jitgrad
    from jitgrad.fusion import backward as FB

    replay = importlib.import_module("jitgrad.fusion.replay")

    x = jitgrad.randn(16, requires_grad=True)
    w = jitgrad.randn(16, requires_grad=True)

    def step():
        x.grad = w.grad = None
        a = jitgrad.tanh(x * w + 1.0) * x
        b = a.sum() * a  # the sum's backward separates two groups
        (jitgrad.exp(-b * b) * w).backward(jitgrad.ones(16))

    def med(fn):
        fn()
        ts = []
        for _ in range(rounds):
            t = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t)
        return statistics.median(ts) * 1e6

    fused = med(step)
    with jitgrad.fusion(False):
        unfused = med(step)
    spent = {"run": 0.0, "kernel": 0.0, "groups": 0}
    run, run_replayed, find = FB.FusedGroup.run, replay._run_group, replay.find

    def timed(fn, counts_groups):
        def call(*args):
            t = time.perf_counter()
            result = fn(*args)
            spent["run"] += time.perf_counter() - t
            spent["groups"] += counts_groups
            return result

        return call

    for kernel, _spec in FB._kernels.values():
        kernel.fn = _timed(kernel.fn, spent)
    FB.FusedGroup.run = timed(run, 1)
    replay._run_group = timed(run_replayed, 1)
    replay.find = timed(find, 0)
    try:
        for _ in range(rounds):
            step()
    finally:
        FB.FusedGroup.run, replay._run_group, replay.find = run, run_replayed, find
        for kernel, _spec in FB._kernels.values():
            kernel.fn = kernel.dispatcher
    per_group = (spent["run"] - spent["kernel"]) / max(spent["groups"], 1) * 1e6
    return fused, unfused, per_group


def replay_costs(rounds: int = 300) -> dict[str, float]:
    """What recognising a repeated graph costs, us per backward, on the dispatch chain (200
    ops on 16 elements): the generic walk plus the key's hash and lookup, against the
    generated matcher; and a forced-deferred 12-op step (joint kernel replayed), us."""
    import importlib

    import jitgrad
    from jitgrad.engine.sweep import _edge_of
    from jitgrad.frontend import lazy

    replay = importlib.import_module("jitgrad.fusion.replay")
    x = jitgrad.randn(16, requires_grad=True)
    y = jitgrad.randn(16, requires_grad=True)

    def chain():
        h = x
        for _ in range(50):
            h = jitgrad.tanh(h * y + x) * 0.5
        return h.sum()

    for _ in range(3):  # recorded, replayed (matcher built), matched
        chain().backward()
    roots, grads = [_edge_of(chain())], [jitgrad.ones(())]
    program = replay.find(roots, grads)[0]

    def walk():
        replay.PROGRAMS.get(replay.structure(roots, grads)[0])

    def match():
        program.matcher(roots, grads)

    def med(fn):
        ts = []
        for _ in range(rounds):
            t = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t)
        return statistics.median(ts) * 1e6

    def deferred_step():
        x.grad = y.grad = None
        (jitgrad.tanh(x * y + jitgrad.sin(x)) * jitgrad.exp(-x * x) / (1 + y * y)).sum().backward()

    prev = lazy.STATE.enabled
    lazy.STATE.enabled = True
    try:
        for _ in range(3):
            deferred_step()
        deferred = med(deferred_step)
    finally:
        lazy.STATE.enabled = prev
    return {"walk_and_key": med(walk), "matcher": med(match), "deferred_step": deferred}


def _timed(fn, spent):
    def call(*args):
        t = time.perf_counter()
        fn(*args)
        spent["kernel"] += time.perf_counter() - t

    return call


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes (CI smoke run)")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    print(f"median ms per forward+backward call, {args.rounds} interleaved rounds")
    for name in NAMES:
        res = bench(name, args.quick, args.rounds)
        ref = res["hand-fused"]
        cells = ", ".join(f"{k} {v:.2f} ({v / ref:.2f}x)" for k, v in res.items())
        print(f"{name}: {cells}")
    print("first step in a fresh process [import s, first-step s, compiled, disk hits, compile s]:")
    for name in NAMES:
        cold, warm = compile_times(name)
        print(f"{name}: cold cache {cold} | warm cache {warm}")
    fused, unfused, per_group = step_overhead()
    print(
        f"small graph (2 fused groups, 16 elements): {fused:.1f} us/step fused, "
        f"{unfused:.1f} us/step unfused; {per_group:.1f} us Python per fused group"
    )
    costs = replay_costs()
    print(
        f"recognising a 200-op graph: walk + key {costs['walk_and_key']:.1f} us, generated "
        f"matcher {costs['matcher']:.1f} us; forced-deferred 12-op step (joint kernel "
        f"replayed) {costs['deferred_step']:.1f} us"
    )


if __name__ == "__main__":
    main()
