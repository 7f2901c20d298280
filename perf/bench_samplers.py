"""CPU time of the distribution samplers that now follow ATen's algorithms (Gamma's
Marsaglia-Tsang, Poisson, Binomial's BTRS, Categorical's multinomial, Exponential) against
numpy's transforms before. Prints the median process time of one ``sample((n,))`` of
``--dist`` over ``--reps`` calls, in ms.

    python perf/ab.py --a /tmp/base --b . --pattern "sample ms ([0-9.]+)" -- \\
        perf/bench_samplers.py --dist gamma
"""

from __future__ import annotations

import argparse
import statistics
import time

import jitgrad as torch

D = torch.distributions
DISTS = {
    "gamma": lambda: D.Gamma(torch.tensor([0.5, 2.0, 9.0]), torch.tensor(1.0)),
    "poisson": lambda: D.Poisson(torch.tensor([0.5, 4.0, 40.0])),
    "binomial": lambda: D.Binomial(torch.tensor([5.0, 100.0, 1000.0]), torch.tensor(0.3)),
    "categorical": lambda: D.Categorical(torch.tensor([0.1, 0.2, 0.3, 0.4])),
    "exponential": lambda: D.Exponential(torch.tensor([1.0, 2.0, 3.0])),
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dist", default="gamma", choices=sorted(DISTS))
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--reps", type=int, default=9)
    args = ap.parse_args()
    torch.manual_seed(0)
    dist = DISTS[args.dist]()
    dist.sample((16,))  # compile / warm
    times = []
    for _ in range(args.reps):
        t0 = time.process_time()
        dist.sample((args.n,))
        times.append(time.process_time() - t0)
    print(f"sample ms {statistics.median(times) * 1e3:.3f}")


if __name__ == "__main__":
    main()
