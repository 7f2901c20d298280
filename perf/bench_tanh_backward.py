"""CPU time of tanh forward + backward on float32 tensors: what session 13's FMA form of
tanh's gradient (``g * fma(-out, out, 1)``, float64 inside a float32 kernel) costs against the
plain ``g * (1 - out * out)``.

    python perf/ab.py --a /tmp/base --b . --reps 7 --pattern "([0-9.]+) us per tanh" -- \
        perf/bench_tanh_backward.py --n 1000000

Prints the median over ``--iters`` of process CPU time per forward+backward (CPU time, not
wall: the machine is shared).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import jitgrad


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--iters", type=int, default=30)
    args = ap.parse_args()
    x = jitgrad.tensor(np.linspace(-4, 4, args.n, dtype=np.float32), requires_grad=True)
    g = jitgrad.ones(args.n)
    for _ in range(3):  # compile / load the kernels
        jitgrad.tanh(x).backward(g)
    times = []
    for _ in range(args.iters):
        x.grad = None
        t0 = time.process_time()
        jitgrad.tanh(x).backward(g)
        times.append(time.process_time() - t0)
    print(f"{statistics.median(times) * 1e6:.1f} us per tanh fwd+bwd (n={args.n})")


if __name__ == "__main__":
    main()
