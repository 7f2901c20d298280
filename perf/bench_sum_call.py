"""Per-call CPU time of ``sum``/``mean`` on a small tensor (the argument handling's share):
``x.sum()``, ``x.sum(0)``, ``x.mean(1, keepdim=True)``, ``torch.sum(x, dim=0)``, in turn.

    python perf/ab.py --a /tmp/base --b . --reps 7 --pattern "us per call ([0-9.]+)" -- \\
        perf/bench_sum_call.py

Prints the median over rounds of CPU time (``time.process_time``) per call of the four.
"""

from __future__ import annotations

from call_timing import print_us_per_call

import jitgrad as torch


def main(rounds: int = 15, n: int = 4000) -> None:
    x = torch.ones(3, 4)
    calls = (lambda: x.sum(), lambda: x.sum(0), lambda: x.mean(1, keepdim=True),
             lambda: torch.sum(x, dim=0))  # fmt: skip
    print_us_per_call(calls, rounds, n)


if __name__ == "__main__":
    main()
