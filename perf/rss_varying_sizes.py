"""RSS of a training loop whose tensor sizes change every step (1-7 MB buffers).

``python perf/rss_varying_sizes.py`` runs 400 steps of forward + backward + SGD on a small
model whose batch size is drawn anew every step, so each activation, gradient and saved
value is 1 to 7 MB and no two steps need quite the same sizes (bucketed sequence lengths,
the last batch of an epoch, variable image sizes). It also trains a per-step leaf of the
same size through a deferred elementwise chain, so fresh leaves and their graphs die every
step too. It prints RSS every ``--every`` steps and the growth from the start (after the
first step compiled what it needs): caching allocator and freed graphs together should keep
it small (issue 12 asks for under 300 MB; before the fix it grew past 1 GB).

Run it with ``JITGRAD_POOL_MB=0`` to see the loop without the pool, and with ``--gc`` to
collect cycles every step (what the loop would cost if graphs died with their last
reference but something else leaked).
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import jitgrad as torch  # noqa: E402
import jitgrad.nn.functional as F  # noqa: E402
from jitgrad import memory  # noqa: E402
from perf.rss import peak_mb, rss_mb  # noqa: E402

FEATURES = 256  # one row of float32 activations: 1 KB, so B rows are B KB


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--steps", type=int, default=400, help="training steps (400)")
    p.add_argument("--every", type=int, default=50, help="print RSS every N steps (50)")
    p.add_argument("--min-mb", type=float, default=1.0, help="smallest activation, MB (1)")
    p.add_argument("--max-mb", type=float, default=7.0, help="largest activation, MB (7)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--gc", action="store_true", help="gc.collect() after every step")
    args = p.parse_args(argv)

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    w1 = (torch.randn(FEATURES, FEATURES) * FEATURES**-0.5).requires_grad_()
    b1 = torch.zeros(FEATURES, requires_grad=True)
    w2 = (torch.randn(FEATURES, 16) * FEATURES**-0.5).requires_grad_()
    params = [w1, b1, w2]
    opt = torch.optim.SGD(params, lr=1e-3)
    lo, hi = int(args.min_mb * 1024), int(args.max_mb * 1024)  # rows

    def step() -> float:
        rows = int(rng.integers(lo, hi + 1))
        x = torch.randn(rows, FEATURES)
        target = torch.randn(rows, 16)
        h = F.gelu(x @ w1 + b1)
        loss = F.mse_loss(h @ w2, target)
        leaf = torch.randn(rows * FEATURES, requires_grad=True)  # 1-7 MB, dies this step
        loss = loss + ((leaf * 0.5).exp().tanh() * leaf).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    before = rss_mb()
    t0 = time.perf_counter()
    step()
    start = rss_mb()
    print(f"RSS before the loop {before:.0f} MB; after step 1 (compiled) {start:.0f} MB")
    print(f"{'step':>6} {'RSS MB':>8} {'growth':>8} {'pool held':>10} {'idle':>6}")
    for i in range(2, args.steps + 1):
        step()
        if args.gc:
            gc.collect()
        if i % args.every == 0 or i == args.steps:
            info = memory.pool_info()
            now = rss_mb()
            print(
                f"{i:6d} {now:8.0f} {now - start:+8.0f} {info['held'] / 2**20:10.0f} "
                f"{info['idle'] / 2**20:6.0f}"
            )
    end = rss_mb()
    print(
        f"RSS start {start:.0f} MB, end {end:.0f} MB, growth {end - start:+.0f} MB "
        f"(peak {peak_mb():.0f} MB) over {args.steps} steps in {time.perf_counter() - t0:.0f}s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
