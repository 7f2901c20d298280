"""Per-call CPU time of the calls whose Python number conform16 checks against the tensor's
type (``c10::checked_convert``): ``masked_fill(mask, -inf)``, ``torch.full``, ``fill_`` and
``x + 1000`` on an int64 tensor, in turn, on small tensors (the argument handling's share).

    python perf/ab.py --a /tmp/base --b . --reps 7 --pattern "us per call ([0-9.]+)" -- \\
        perf/bench_fill_calls.py

Prints the median over rounds of CPU time (``time.process_time``) per call of the four.
"""

from __future__ import annotations

from call_timing import print_us_per_call

import jitgrad as torch


def main(rounds: int = 15, n: int = 3000) -> None:
    x = torch.zeros(4, 8)
    mask = torch.ones(4, 8).triu(1) > 0
    y = torch.zeros(4, 8, dtype=torch.int64)
    calls = (lambda: x.masked_fill(mask, float("-inf")), lambda: torch.full((4, 8), 0.5),
             lambda: x.fill_(2.0), lambda: y + 1000)  # fmt: skip
    print_us_per_call(calls, rounds, n)


if __name__ == "__main__":
    main()
