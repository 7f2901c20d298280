"""One ``perf/compare.py`` workload's jitgrad step timed in process CPU time, for ``perf/ab.py``.

    python perf/ab.py --a OLD_TREE --b . --reps 7 --pattern "([0-9.]+) us cpu" -- \\
        perf/cpu_ab.py chain

The step is the one ``perf/compare.py`` times (``perf/impl_module.py``'s builder on the
workload's full-size inputs). CPU time (``time.process_time``) is what other engineers'
processes on a shared machine disturb least: waiting for a core is not counted. Run it with
``NUMBA_NUM_THREADS=1`` so CPU time is the work of one thread rather than the sum of a
thread pool's spinning. Prints the median of ``--repeats`` blocks, each the CPU time of enough
calls to take about ``--block-s`` seconds, per call, in microseconds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import jitgrad  # first: PYTHONPATH picks the tree under test (perf/ab.py checks which)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # then this tree's perf
from perf import impl_module  # noqa: E402
from perf import workloads as W  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("workload", choices=list(W.WORKLOADS))
    ap.add_argument("--repeats", type=int, default=9)
    ap.add_argument("--block-s", type=float, default=0.3)
    args = ap.parse_args(argv)
    wl = W.WORKLOADS[args.workload]
    step = impl_module.BUILDERS[W.base_name(wl.name)](jitgrad, wl.inputs(False))

    def call() -> None:
        impl_module.finish(step())

    for _ in range(3):  # compile and warm every cache the step uses
        call()
    t0 = time.process_time()
    n = 0
    while time.process_time() - t0 < args.block_s / 3:
        call()
        n += 1
    n = max(1, 3 * n)
    per_call = []
    for _ in range(args.repeats):
        t0 = time.process_time()
        for _ in range(n):
            call()
        per_call.append((time.process_time() - t0) / n * 1e6)
    print(f"{wl.name}: {statistics.median(per_call):.2f} us cpu per call (n={n}, "
          f"min {min(per_call):.2f})")


if __name__ == "__main__":
    main()
