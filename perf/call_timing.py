"""Per-call CPU time of a few small calls in turn: the loop the per-call A/B scripts share
(``perf/bench_sum_call.py``, ``perf/bench_fill_calls.py``, run through ``perf/ab.py`` with
``--pattern "us per call ([0-9.]+)"``)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence


def print_us_per_call(calls: Sequence[Callable[[], object]], rounds: int, n: int) -> None:
    """Run each call once (first-use costs out of the timing), then ``rounds`` rounds of ``n``
    passes over all of them; print the median CPU microseconds per call."""
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
