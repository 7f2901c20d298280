"""CPU time of ``torch.addmm`` and of ``nn.Linear`` forward+backward (issue 15, cuda14c):
the device's addmm blends in Tensor ops, the CPU's keeps its in-place path; this checks the
CPU path did not slow down. CPU seconds (``time.process_time``), best of ``--rounds``:

    python perf/ab.py --a /tmp/base --b . --reps 7 --pattern "([0-9.]+) us addmm" -- \\
        perf/bench_addmm_cpu.py
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import jitgrad as torch


def _best(step, iters: int, rounds: int) -> float:
    step()  # (compile and warm)
    best = float("inf")
    for _ in range(rounds):
        t0 = time.process_time()
        for _ in range(iters):
            step()
        best = min(best, (time.process_time() - t0) / iters)
    return best * 1e6


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--iters", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    b, x, w = (torch.tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True)
               for s in ((64,), (32, 128), (128, 64)))  # fmt: skip
    lin = torch.nn.Linear(128, 64)

    def addmm_step() -> None:
        torch.addmm(b, x, w, beta=0.5, alpha=2).sum().backward()

    def linear_step() -> None:
        lin(x).sum().backward()

    print(f"{_best(addmm_step, args.iters, args.rounds):.2f} us addmm fwd+bwd")
    print(f"{_best(linear_step, args.iters, args.rounds):.2f} us linear fwd+bwd")


if __name__ == "__main__":
    main()
