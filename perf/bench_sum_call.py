"""Per-call CPU time of ``sum``/``mean`` on a small tensor (the argument handling's share):
``x.sum()``, ``x.sum(0)``, ``x.mean(1, keepdim=True)``, ``torch.sum(x, dim=0)``, in turn.

    python perf/ab.py --a /tmp/base --b . --reps 7 --pattern "us per call ([0-9.]+)" -- \\
        perf/bench_sum_call.py

Prints the median over rounds of CPU time (``time.process_time``) per call of the four.
"""

from __future__ import annotations

import statistics
import time

import jitgrad as torch


def main(rounds: int = 15, n: int = 4000) -> None:
    x = torch.ones(3, 4)
    calls = (lambda: x.sum(), lambda: x.sum(0), lambda: x.mean(1, keepdim=True),
             lambda: torch.sum(x, dim=0))  # fmt: skip
    for c in calls:
        c()
    times = []
    for _ in range(rounds):
        t0 = time.process_time()
        for _ in range(n):
            for c in calls:
                c()
        times.append((time.process_time() - t0) / (n * len(calls)) * 1e6)
    print(f"us per call {statistics.median(times):.3f}")


if __name__ == "__main__":
    main()
