"""``F.interpolate`` forward+backward on the CPU: a 1x3x224x224 float32 bilinear upsample x2.

    python perf/ab.py --a /tmp/base --b . --reps 7 --pattern "([0-9.]+) ms cpu" -- \\
        perf/interp_taps.py --iters 15

Prints the median CPU time (``time.process_time``: every thread's, so a threaded BLAS or
kernel is charged for all its cores; the number to trust on a loaded machine) and the median
wall time per forward+backward, after two untimed calls (compilation, caches). The mode and
size are flags, so the same script times the other modes.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import jitgrad as torch


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iters", type=int, default=15)
    ap.add_argument("--mode", default="bilinear")
    ap.add_argument("--size", type=int, default=224)
    args = ap.parse_args()
    a = np.random.default_rng(0).standard_normal((1, 3, args.size, args.size)).astype(np.float32)
    x = torch.tensor(a, requires_grad=True)
    cpu, wall = [], []
    for i in range(args.iters + 2):
        c0, w0 = time.process_time(), time.perf_counter()
        torch.nn.functional.interpolate(x, scale_factor=2, mode=args.mode).sum().backward()
        c1, w1 = time.process_time(), time.perf_counter()
        x.grad = None
        if i >= 2:
            cpu.append((c1 - c0) * 1e3)
            wall.append((w1 - w0) * 1e3)
    print(f"{statistics.median(cpu):.3f} ms cpu, {statistics.median(wall):.3f} ms wall "
          f"per forward+backward ({args.mode}, 1x3x{args.size}x{args.size} x2)")  # fmt: skip


if __name__ == "__main__":
    main()
