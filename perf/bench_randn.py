"""CPU time of ``randn`` / ``rand`` draws (issue 13: PyTorch's stream must stay near numpy's
speed). Prints the median process time of ``randn(n)`` over ``--reps`` calls, in ms.

    python perf/ab.py --a /tmp/base --b . --pattern "randn ms ([0-9.]+)" -- perf/bench_randn.py
"""

from __future__ import annotations

import argparse
import statistics
import time

import jitgrad as torch


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--reps", type=int, default=15)
    ap.add_argument("--dtype", default="float32")
    args = ap.parse_args()
    dt = getattr(torch, args.dtype)
    torch.manual_seed(0)
    torch.randn(args.n, dtype=dt)  # compile / warm
    times = []
    for _ in range(args.reps):
        t0 = time.process_time()
        torch.randn(args.n, dtype=dt)
        times.append(time.process_time() - t0)
    print(f"randn ms {statistics.median(times) * 1e3:.3f}")


if __name__ == "__main__":
    main()
