"""A single elementwise op directly under a full ``sum``/``mean``, forward and backward.

    python perf/bench_reduce_backward.py --case gelu --n 8388608 --reps 7

Prints ``<median> ms per forward+backward`` (for :mod:`perf.ab`'s ``--pattern``). The op's
backward reads the reduction's gradient, one value broadcast over the input (a stride-0
view): Run X measured the kernel's strided scalar loop on it, 10x the vectorized one.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import jitgrad as torch
import jitgrad.nn.functional as F

CASES = {
    "gelu": lambda x: F.gelu(x, approximate="tanh").mean(),
    "tanh": lambda x: x.tanh().sum(),
    "sigmoid": lambda x: x.sigmoid().mean(),
    "gelu_chain": lambda x: (F.gelu(x, approximate="tanh") * 1).mean(),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--case", choices=sorted(CASES), default="gelu")
    ap.add_argument("--n", type=int, default=1 << 23)
    ap.add_argument("--reps", type=int, default=7)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    x = torch.tensor(rng.standard_normal(args.n, dtype=np.float32), requires_grad=True)
    f = CASES[args.case]
    times = []
    for _ in range(args.reps + 2):  # two warm-up rounds (compiles, first-touch pages)
        x.grad = None
        t0 = time.perf_counter()
        f(x).backward()
        times.append(time.perf_counter() - t0)
    print(f"{statistics.median(times[2:]) * 1e3:.2f} ms per forward+backward")


if __name__ == "__main__":
    main()
