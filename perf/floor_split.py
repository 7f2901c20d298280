"""Where a floor workload's jitgrad step spends its CPU time: the kernel, and the Python around it.

    python perf/floor_split.py [gelu] [--rounds 11]

One thread; each round times 20 floor steps (``perf/impl_numba.py``), then 20 jitgrad steps
(``perf/impl_module.py``, the body ``perf/floor_cpu.py`` times) with ``time.process_time``
around every launch of a chunked kernel (``jitgrad.fusion.chunked.Launcher.__call__``):
``kernel`` is that time, ``rest`` the step's time outside it (recording the forward, the
backward's bookkeeping, the loss and gradients handed back). The rest runs after the kernel
has streamed tens of megabytes, so it finds Python's working set out of the caches: it costs
about three times what the same calls cost back to back, which the last line measures (the
same step with the launch made a no-op, 200 steps a round, warm caches).

The median of the per-round ratios to the floor is printed, as in floor_cpu.py.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import numba  # noqa: E402

import jitgrad  # noqa: E402
from jitgrad.fusion import chunked  # noqa: E402
from perf import impl_module, impl_numba, workloads  # noqa: E402


def measure(name: str, rounds: int, per_round: int = 20) -> None:
    inp = workloads.WORKLOADS[name].inputs(quick=False)
    step = getattr(impl_module, name)(jitgrad, inp)
    floor = impl_numba.BUILDERS[name](inp)
    launch = chunked.Launcher.__call__
    in_kernel = [0.0]

    def timed(self: chunked.Launcher, *args: object) -> None:
        c0 = time.process_time()
        launch(self, *args)
        in_kernel[0] += time.process_time() - c0

    for _ in range(3):
        step(), floor()
    steps, kernels, floors = [], [], []
    chunked.Launcher.__call__ = timed  # type: ignore[method-assign]
    try:
        for _ in range(rounds):
            c0 = time.process_time()
            for _ in range(per_round):
                floor()
            floors.append((time.process_time() - c0) / per_round)
            in_kernel[0] = 0.0
            c0 = time.process_time()
            for _ in range(per_round):
                step()
            steps.append((time.process_time() - c0) / per_round)
            kernels.append(in_kernel[0] / per_round)
        chunked.Launcher.__call__ = lambda self, *args: None  # type: ignore[method-assign]
        warm = []
        for _ in range(rounds):
            c0 = time.process_time()
            for _ in range(200):
                step()
            warm.append((time.process_time() - c0) / 200)
    finally:
        chunked.Launcher.__call__ = launch  # type: ignore[method-assign]
    med = statistics.median
    rest = [s - k for s, k in zip(steps, kernels, strict=True)]
    print(f"{name} (one thread, {rounds} rounds, load {os.getloadavg()[0]:.1f})")
    for label, xs in (("floor", floors), ("step", steps), ("kernel", kernels), ("rest", rest)):
        ratio = med(x / f for x, f in zip(xs, floors, strict=True))
        print(f"  {label:7s} CPU median {med(xs) * 1e3:7.3f} ms  / floor {ratio:5.3f}")
    print(f"  the step without its kernel, warm: {med(warm) * 1e6:7.1f} us")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python perf/floor_split.py")
    p.add_argument("workloads", nargs="*", default=["gelu"])
    p.add_argument("--rounds", type=int, default=11)
    args = p.parse_args(argv)
    numba.set_num_threads(1)
    for name in args.workloads:
        measure(name, args.rounds)


if __name__ == "__main__":
    main()
