"""``python -m jitgrad.demo``: train an MLP on scikit-learn's 8x8 digits with jitgrad.

The training loop is ordinary PyTorch code (``import jitgrad as torch``). Afterwards the demo
shows what jitgrad did with it: the fusion summary of one training step
(``jitgrad.explain``), step times fused vs unfused and cold (compiling) vs warm, the graph of
one step as DOT (SVG when Graphviz is installed) and a loss/accuracy curve PNG.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

import jitgrad as torch
import jitgrad.nn as nn
import jitgrad.nn.functional as F


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m jitgrad.demo",
        description="Train an MLP on scikit-learn's 8x8 handwritten digits (1797 images, "
        "no network needed) with jitgrad, then show what the fusion pass did to one "
        "training step, fused vs unfused and cold vs warm step times, and write the step's "
        "graph and the training curves.",
    )
    p.add_argument("--epochs", type=int, default=30, help="passes over the training set (30)")
    p.add_argument("--hidden", type=int, default=128, help="hidden units per layer (128)")
    p.add_argument("--batch-size", type=int, default=64, help="minibatch size (64)")
    p.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate (1e-3)")
    p.add_argument("--seed", type=int, default=0, help="seed for the split, init, order (0)")
    p.add_argument(
        "--no-fusion", action="store_true", help="train with the fusion pass off (per-op kernels)"
    )
    p.add_argument(
        "--out", default="jitgrad-demo-out", help="directory for the graph and the curve PNG"
    )
    return p.parse_args(argv)


def load_data(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Digits scaled to [0, 1], split 80/20 with a fixed permutation."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(x))
    cut = int(0.8 * len(x))
    return x[order[:cut]], y[order[:cut]], x[order[cut:]], y[order[cut:]]


def make_model(hidden: int) -> nn.Module:
    """GELU (exact, erf-based) is a chain of elementwise ops, so its backward gives the
    fusion pass something to fuse between the matmuls."""
    return nn.Sequential(
        nn.Linear(64, hidden),
        nn.GELU(),
        nn.Linear(hidden, hidden),
        nn.GELU(),
        nn.Linear(hidden, 10),
    )


def fusion_context(enabled: bool) -> Any:
    """``jitgrad.fusion(enabled)`` when the fusion pass exists, else a no-op context."""
    fusion = getattr(torch, "fusion", None)
    return fusion(enabled) if callable(fusion) else contextlib.nullcontext()


def accuracy(model: nn.Module, x: np.ndarray, y: np.ndarray) -> float:
    model.eval()
    with torch.no_grad():
        logits = model(torch.from_numpy(x))
    model.train()
    return float((logits.numpy().argmax(1) == y).mean())


def progress(epoch: int, epochs: int, loss: float, acc: float, elapsed: float) -> None:
    width = 30
    done = int(width * epoch / epochs)
    bar = "#" * done + "." * (width - done)
    sys.stderr.write(
        f"\repoch {epoch:3d}/{epochs} [{bar}] loss {loss:.4f}  test acc {acc * 100:5.1f}%  "
        f"{elapsed:5.1f}s"
    )
    if epoch == epochs:
        sys.stderr.write("\n")
    sys.stderr.flush()


def batches(n: int, size: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    order = rng.permutation(n)
    for i in range(0, n, size):
        yield order[i : i + size]


def timed(fn: Callable[[], Any], repeat: int) -> float:
    """Median wall time of ``fn`` in milliseconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return float(np.median(times))


def fused_vs_unfused(fn: Callable[[], Any], rounds: int = 5, per_round: int = 20) -> tuple:
    """Median step time (ms) with fusion on and off, in alternating rounds after warming both
    paths up, so a machine that slows down for a while slows both rows alike."""
    times: dict[bool, list[float]] = {True: [], False: []}
    for enabled in (True, False):
        with fusion_context(enabled):  # first calls compile, load or record: not timed
            fn()
            fn()
    for _ in range(rounds):
        for enabled in (True, False):
            with fusion_context(enabled):
                times[enabled] += [timed(fn, 1) for _ in range(per_round)]
    return float(np.median(times[True])), float(np.median(times[False]))


def write_graph(loss: Any, model: nn.Module, out: Path) -> str:
    """The step's graph as DOT (and SVG with Graphviz); a line saying what was written."""
    try:
        from jitgrad.viz import make_dot
    except ImportError:
        return "graph: jitgrad.viz.make_dot is not available in this build; no graph written"
    dot = make_dot(loss, params=dict(model.named_parameters()))
    source = dot if isinstance(dot, str) else getattr(dot, "source", str(dot))
    path = out / "train_step.dot"
    path.write_text(source)
    msg = f"graph of one training step: {path}"
    if shutil.which("dot"):
        svg = out / "train_step.svg"
        subprocess.run(["dot", "-Tsvg", str(path), "-o", str(svg)], check=False)
        if svg.exists():
            msg += f" and {svg}"
    else:
        msg += " (install Graphviz for an SVG: dot -Tsvg)"
    return msg


def write_curves(history: list[tuple[int, float, float]], out: Path) -> str:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "curves: matplotlib is not installed (pip install 'jitgrad[demo]'); no PNG"
    epochs = [h[0] for h in history]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(epochs, [h[1] for h in history], color="tab:blue", label="train loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("train loss", color="tab:blue")
    ax2 = ax.twinx()
    ax2.plot(epochs, [h[2] * 100 for h in history], color="tab:orange", label="test accuracy")
    ax2.set_ylabel("test accuracy (%)", color="tab:orange")
    ax.set_title("jitgrad MLP on sklearn digits")
    fig.tight_layout()
    path = out / "training_curves.png"
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return f"loss/accuracy curves: {path}"


def small_blas() -> Any:
    """One BLAS thread: this MLP's matmuls are tiny, and OpenBLAS threads spinning for work
    on a busy 2-core machine made steps 50x slower than one thread (measured)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(1, user_api="blas")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with small_blas():
        return run(args)


def run(args: argparse.Namespace) -> int:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(args.seed)
    x_train, y_train, x_test, y_test = load_data(args.seed)
    model = make_model(args.hidden)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    rng = np.random.default_rng(args.seed)
    print(
        f"jitgrad {torch.__version__}: MLP 64-{args.hidden}-{args.hidden}-10 on sklearn digits "
        f"({len(x_train)} train / {len(x_test)} test images), fusion "
        f"{'off' if args.no_fusion else 'on'}"
    )

    def step(xb: np.ndarray, yb: np.ndarray) -> Any:
        loss = F.cross_entropy(model(torch.from_numpy(xb)), torch.from_numpy(yb))
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    history: list[tuple[int, float, float]] = []
    cold_ms = None
    start = time.perf_counter()
    with fusion_context(not args.no_fusion):
        for epoch in range(1, args.epochs + 1):
            total, count = 0.0, 0
            for idx in batches(len(x_train), args.batch_size, rng):
                t0 = time.perf_counter()
                loss = step(x_train[idx], y_train[idx])
                if cold_ms is None:
                    cold_ms = (time.perf_counter() - t0) * 1e3
                total += loss.item() * len(idx)
                count += len(idx)
            acc = accuracy(model, x_test, y_test)
            history.append((epoch, total / count, acc))
            progress(epoch, args.epochs, total / count, acc, time.perf_counter() - start)
    train_s = time.perf_counter() - start
    final_acc = history[-1][2] if history else accuracy(model, x_test, y_test)
    print(f"held-out accuracy {final_acc * 100:.2f}% after {args.epochs} epochs in {train_s:.1f}s")

    # ---- what jitgrad did with one training step ------------------------------------------
    xb = torch.from_numpy(x_train[: args.batch_size])
    yb = torch.from_numpy(y_train[: args.batch_size])
    loss = F.cross_entropy(model(xb), yb)
    explain = getattr(torch, "explain", None)
    print("\n== what backward from the loss of one step runs (jitgrad.explain) ==")
    if callable(explain):
        print(explain(loss))
    else:
        print("jitgrad.explain is not available in this build (the fusion pass has not landed)")
    print(write_graph(loss, model, out))

    def one_step() -> None:
        step(x_train[: args.batch_size], y_train[: args.batch_size])

    fused, unfused = fused_vs_unfused(one_step)
    print("\n== step time (forward + backward + Adam), batch", args.batch_size, "==")
    print(f"cold (first step, compiling or loading kernels): {cold_ms:8.2f} ms")
    print(f"warm, fused:                                     {fused:8.3f} ms (median of 100)")
    print(f"warm, unfused (jitgrad.fusion(False)):           {unfused:8.3f} ms (median of 100)")
    if not callable(getattr(torch, "fusion", None)):
        print("(jitgrad.fusion is not available in this build: both rows ran the same kernels)")
    print(write_curves(history, out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
