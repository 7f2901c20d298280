"""A double backward through elementwise ops (a PINN-style step): the cost of ``create_graph``.

Each iteration: ``u = tanh(x * w + b) * sin(x)``; ``du/dx`` with ``create_graph=True``; the
loss ``sum(du/dx ** 2)`` backwarded into ``w`` and ``b``. Under ``create_graph`` each
elementwise node's gradient is its lowered backward kernel's value with the declared rule's
graph (``frontend/pointwise_backward._differentiable_backward``). Prints the median CPU time
(``time.process_time``: other processes' load counts less than in wall time) per iteration::

    python perf/ab.py --a /tmp/base --b . --reps 7 --pattern "([0-9.]+) us per iteration" \
        -- perf/bench_create_graph.py --n 64 --iters 200

``--act relu``: an activation whose create_graph gradient is one node holding the kernel's
value (``ThresholdBackwardBackward0``, no rule op runs until a higher order asks).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import jitgrad


def step(x, w, b, act: str = "tanh") -> None:
    u = getattr(x * w + b, act)() * x.sin()
    (du,) = jitgrad.autograd.grad(u.sum(), x, create_graph=True)
    (du * du).sum().backward()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=64)
    ap.add_argument("--iters", type=int, default=200)
    ap.add_argument("--dtype", default="float32")
    ap.add_argument("--act", default="tanh", help="the activation: tanh, relu, sigmoid...")
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    dt = np.dtype(args.dtype)
    x = jitgrad.tensor(rng.uniform(-1, 1, args.n).astype(dt), requires_grad=True)
    w = jitgrad.tensor(rng.uniform(-1, 1, args.n).astype(dt), requires_grad=True)
    b = jitgrad.tensor(rng.uniform(-1, 1, 1).astype(dt), requires_grad=True)
    for _ in range(20):  # compile and warm the caches
        step(x, w, b, args.act)
    times = []
    for _ in range(args.iters):
        t0 = time.process_time()
        step(x, w, b, args.act)
        times.append(time.process_time() - t0)
    print(f"{statistics.median(times) * 1e6:.1f} us per iteration (n={args.n}, {dt})")


if __name__ == "__main__":
    main()
