"""RSS of the demo's training loop over many steps: it must stay flat after warm-up.

``python perf/rss_demo_train.py`` trains the demo model (``jitgrad.demo``: an MLP
64-128-128-10 with GELU, Adam, cross-entropy, batches of 64) for 10,000 steps and prints RSS
every 500. After warm-up (the first ``--warmup`` steps compile kernels and record the
backward program) every step builds and frees the same graph, so any growth is a leak: a
graph kept by a reference cycle, a cache keyed by something that changes every step.
Issue 12 asks for RSS flat within 5% after warm-up.

It uses scikit-learn's digits like the demo when scikit-learn is installed, else random
data of the same shape (1437 x 64 inputs, 10 classes): memory does not depend on the values.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import jitgrad as torch  # noqa: E402
import jitgrad.nn.functional as F  # noqa: E402
from jitgrad import demo  # noqa: E402
from jitgrad.demo_data import load_digits  # noqa: E402
from perf.rss import peak_mb, rss_mb  # noqa: E402


def data(seed: int) -> tuple[np.ndarray, np.ndarray, str]:
    """The demo's digits (scikit-learn's, or its synthetic ones when sklearn is absent)."""
    return load_digits(seed)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--steps", type=int, default=10_000, help="training steps (10000)")
    p.add_argument("--every", type=int, default=500, help="print RSS every N steps (500)")
    p.add_argument("--warmup", type=int, default=500, help="steps before the baseline (500)")
    p.add_argument("--no-fusion", action="store_true", help="train with the fusion pass off")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)

    x_train, y_train, source = data(args.seed)
    torch.manual_seed(args.seed)
    model = demo.make_model(128)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(args.seed)
    print(f"demo MLP on {source}, batch 64, fusion {'off' if args.no_fusion else 'on'}")

    def batches():
        while True:
            yield from demo.batches(len(x_train), 64, rng)

    def step(idx: np.ndarray) -> None:
        loss = F.cross_entropy(
            model(torch.from_numpy(x_train[idx])), torch.from_numpy(y_train[idx])
        )
        opt.zero_grad()
        loss.backward()
        opt.step()

    base = None
    t0 = time.perf_counter()
    print(f"{'step':>6} {'RSS MB':>8} {'vs warm':>8} {'s':>6}")
    with demo.small_blas(), torch.fusion(not args.no_fusion):
        it = batches()
        for i in range(1, args.steps + 1):
            step(next(it))
            if i == args.warmup:
                base = rss_mb()
            if i % args.every == 0 or i == args.steps:
                now = rss_mb()
                rel = "" if base is None else f"{(now - base) / base * 100:+7.2f}%"
                print(f"{i:6d} {now:8.1f} {rel:>8} {time.perf_counter() - t0:6.0f}")
    end = rss_mb()
    if base is not None:
        print(
            f"RSS after warm-up (step {args.warmup}) {base:.1f} MB, at step {args.steps} "
            f"{end:.1f} MB: {end - base:+.1f} MB ({(end - base) / base * 100:+.2f}%), "
            f"peak {peak_mb():.1f} MB"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
