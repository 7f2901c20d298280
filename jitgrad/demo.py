"""``python -m jitgrad.demo``: train an MLP on 8x8 digits with jitgrad, then show what it did.

The training loop is ordinary PyTorch code (``import jitgrad as torch``). The demo says what
happens where a first step would otherwise be seconds of silence (kernels compiled or loaded
from the disk cache, and how long), shows a progress bar (a redrawn line on a terminal, a line
every few steps in a pipe or log), and afterwards what jitgrad did with one step: the fusion
summary (``jitgrad.explain``), step times fused vs unfused measured in this run next to the
kernel launches per step each way, the graph of one step as DOT (SVG with Graphviz) and a
loss/accuracy curve PNG (with matplotlib). The data are scikit-learn's digits, or synthetic
ones without scikit-learn (:mod:`jitgrad.demo_data`).
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
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

from .demo_data import load_digits, split
from .frontend.progress import ProgressBar
from .kernels.cpu import blas_threads, jit
from .viz import make_dot


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m jitgrad.demo",
        description="Train an MLP on 8x8 handwritten digits (scikit-learn's 1797 images, no "
        "network needed; synthetic digits without scikit-learn) with jitgrad, then show what "
        "the fusion pass did to one training step, fused vs unfused step times and kernel "
        "launches, and write the step's graph and the training curves.",
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
    # The child process that counts launches (JITGRAD_DEBUG=1 must be set before import).
    p.add_argument("--count-launches", action="store_true", help=argparse.SUPPRESS)
    return p.parse_args(argv)


class NewGELU(nn.Module):
    """GELU's tanh approximation written out op by op, as minGPT and nanoGPT write it: a
    chain of elementwise ops whose backward the fusion pass turns into one kernel."""

    def forward(self, x: Any) -> Any:
        inner = math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))
        return 0.5 * x * (1.0 + torch.tanh(inner))


def make_model(hidden: int) -> nn.Module:
    return nn.Sequential(
        nn.Linear(64, hidden),
        NewGELU(),
        nn.Linear(hidden, hidden),
        NewGELU(),
        nn.Linear(hidden, 10),
    )


def make_step(model: nn.Module, opt: Any) -> Callable[[np.ndarray, np.ndarray], Any]:
    """One training step (forward, backward, Adam) on numpy batches; returns the loss."""

    def step(xb: np.ndarray, yb: np.ndarray) -> Any:
        loss = F.cross_entropy(model(torch.from_numpy(xb)), torch.from_numpy(yb))
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    return step


def accuracy(model: nn.Module, x: np.ndarray, y: np.ndarray) -> float:
    model.eval()
    with torch.no_grad():
        logits = model(torch.from_numpy(x))
    model.train()
    return float((logits.numpy().argmax(1) == y).mean())


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
        with torch.fusion(enabled):  # first calls compile, load or record: not timed
            fn()
            fn()
    for _ in range(rounds):
        for enabled in (True, False):
            with torch.fusion(enabled):
                times[enabled] += [timed(fn, 1) for _ in range(per_round)]
    return float(np.median(times[True])), float(np.median(times[False]))


class _LaunchCounter(logging.Handler):
    """Counts the ``launch ...`` records ``JITGRAD_DEBUG=1`` sends to the jitgrad logger."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.launches = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("launch "):
            self.launches += 1


def count_launches(hidden: int, batch_size: int) -> dict[str, int]:
    """Kernel launches in one warm training step, fused and unfused (in a process started
    with ``JITGRAD_DEBUG=1``: only then does jitgrad report every launch)."""
    log = logging.getLogger("jitgrad")
    for handler in list(log.handlers):  # not the stderr lines: only the count
        log.removeHandler(handler)
    counter = _LaunchCounter()
    log.addHandler(counter)
    log.propagate = False
    torch.manual_seed(0)
    model = make_model(hidden)
    step = make_step(model, torch.optim.Adam(model.parameters(), lr=1e-3))
    rng = np.random.default_rng(0)
    xb = rng.random((batch_size, 64), dtype=np.float32)
    yb = rng.integers(0, 10, batch_size)
    counts = {}
    for name, enabled in (("fused", True), ("unfused", False)):
        with torch.fusion(enabled):
            step(xb, yb)  # first calls record the backward program, compile or load
            step(xb, yb)
            before = counter.launches
            step(xb, yb)
            counts[name] = counter.launches - before
    return counts


def start_launch_count(hidden: int, batch_size: int) -> subprocess.Popen | None:
    """Start :func:`count_launches` in a child process (None if it cannot start).

    Started when training ends and read by :func:`launches_per_step` at the end, so that the
    child's start (an import and its kernels loaded from the cache: ~1.5 s of CPU) runs beside
    the parent's explain and timing on a second core instead of after them. Its unfused
    kernels are usually on disk by the time it needs them (the parent compiles them first
    thing); if not, both compile them and the cache keeps one (writes are atomic renames)."""
    cmd = [sys.executable, "-m", "jitgrad.demo", "--count-launches"]
    cmd += ["--hidden", str(hidden), "--batch-size", str(batch_size)]
    env = dict(os.environ, JITGRAD_DEBUG="1")
    try:
        return subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
        )
    except OSError:
        return None


def launches_per_step(child: subprocess.Popen | None) -> dict[str, int] | None:
    """The counts the child of :func:`start_launch_count` printed; None when it failed."""
    if child is None:
        return None
    try:
        out, _ = child.communicate(timeout=600)
        return json.loads(out.strip().splitlines()[-1])
    except (subprocess.SubprocessError, OSError, ValueError, IndexError):
        child.kill()
        child.communicate()
        return None


def fusion_sentence(fused_ms: float, unfused_ms: float, launches: dict | None) -> str:
    """``fusion made the step 1.4x faster: 25 kernel launches instead of 61``."""
    ratio = unfused_ms / fused_ms
    speed = f"{ratio:.1f}x faster" if ratio >= 1 else f"{1 / ratio:.1f}x slower (this run)"
    if launches is None:
        return f"fusion made the step {speed} (the launch count failed)"
    return (
        f"fusion made the step {speed}: {launches['fused']} kernel launches instead of "
        f"{launches['unfused']} (one warm step, forward + backward + Adam, counted with "
        "JITGRAD_DEBUG=1)"
    )


def compile_report(before: dict, seconds: float) -> str:
    """What the first step compiled or loaded, from ``jitgrad.cache_info()``."""
    after = torch.cache_info()
    compiled = after["numba_compiled"] - before["numba_compiled"]
    loaded = after["numba_loaded"] - before["numba_loaded"]
    generated = after["compiled"] + after["disk_hits"] - before["compiled"] - before["disk_hits"]
    return (
        f"  first step took {seconds:.1f} s: {compiled} kernel(s) compiled, {loaded} loaded "
        f"from the disk cache ({generated} of them generated by the fusion pass; cache: "
        f"{after['directory']})"
    )


def write_graph(loss: Any, model: nn.Module, out: Path) -> str:
    """The step's graph as DOT (and SVG with Graphviz); a line saying what was written."""
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
    ax.set_title("jitgrad MLP on 8x8 digits")
    fig.tight_layout()
    path = out / "training_curves.png"
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return f"loss/accuracy curves: {path}"


def small_blas() -> Any:
    """One BLAS thread: this MLP's matmuls are tiny, and OpenBLAS threads spinning for work
    on a busy 2-core machine made steps 50x slower than one thread (measured). threadpoolctl
    where it is installed (any BLAS), else OpenBLAS's own setter (:mod:`.blas_threads`)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return blas_threads.limit(1)
    return threadpool_limits(1, user_api="blas")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with small_blas():
        if args.count_launches:
            print(json.dumps(count_launches(args.hidden, args.batch_size)))
            return 0
        return run(args)


def train(args: argparse.Namespace, data: tuple, model: nn.Module, step: Callable) -> list:
    """The training loop with its progress bar; (epoch, train loss, test accuracy) rows."""
    x_train, y_train, x_test, y_test = data
    rng = np.random.default_rng(args.seed)
    per_epoch = -(-len(x_train) // args.batch_size)
    history: list[tuple[int, float, float]] = []
    bar = ProgressBar(args.epochs * per_epoch)
    with bar:
        for epoch in range(1, args.epochs + 1):
            total, count = 0.0, 0
            for idx in batches(len(x_train), args.batch_size, rng):
                if not history and count == 0:
                    print(
                        "compiling kernels for the first step (or loading them from the disk "
                        "cache)...",
                        flush=True,
                    )
                    before, t0 = torch.cache_info(), time.perf_counter()
                    loss = step(x_train[idx], y_train[idx])
                    print(compile_report(before, time.perf_counter() - t0), flush=True)
                else:
                    loss = step(x_train[idx], y_train[idx])
                total += loss.item() * len(idx)
                count += len(idx)
                bar.update(1, f"epoch {epoch}/{args.epochs} loss {total / count:.4f}")
            acc = accuracy(model, x_test, y_test)
            history.append((epoch, total / count, acc))
            bar.update(
                0,
                f"epoch {epoch}/{args.epochs} loss {total / count:.4f} test acc {acc * 100:5.1f}%",
            )
    return history


def run(args: argparse.Namespace) -> int:
    jit.NOTICE.enabled = jit.NOTICE.long = False  # the demo reports its compiles itself
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(args.seed)
    x, y, data_name = load_digits(args.seed)
    data = split(x, y, args.seed)
    x_train, y_train, x_test, y_test = data
    model = make_model(args.hidden)
    step = make_step(model, torch.optim.Adam(model.parameters(), lr=args.lr))
    print(
        f"jitgrad {torch.__version__}: MLP 64-{args.hidden}-{args.hidden}-10 on {data_name} "
        f"({len(x_train)} train / {len(x_test)} test images), fusion "
        f"{'off' if args.no_fusion else 'on'}"
    )
    start = time.perf_counter()
    with torch.fusion(not args.no_fusion):
        history = train(args, data, model, step)
    train_s = time.perf_counter() - start
    child = start_launch_count(args.hidden, args.batch_size)
    final_acc = history[-1][2] if history else accuracy(model, x_test, y_test)
    print(f"held-out accuracy {final_acc * 100:.2f}% after {args.epochs} epochs in {train_s:.1f}s")

    # ---- what jitgrad did with one training step ------------------------------------------
    xb, yb = x_train[: args.batch_size], y_train[: args.batch_size]
    loss = F.cross_entropy(model(torch.from_numpy(xb)), torch.from_numpy(yb))
    print("\n== what backward from the loss of one step runs (jitgrad.explain) ==")
    print(torch.explain(loss))
    print(write_graph(loss, model, out))

    print(f"\n== step time (forward + backward + Adam), batch {args.batch_size} ==")
    print("timing 100 steps each way (the unfused kernels compile first)...", flush=True)
    fused, unfused = fused_vs_unfused(lambda: step(xb, yb))
    print(f"warm, fused:                           {fused:8.3f} ms (median of 100)")
    print(f"warm, unfused (jitgrad.fusion(False)): {unfused:8.3f} ms (median of 100)")
    print(fusion_sentence(fused, unfused, launches_per_step(child)))
    print(write_curves(history, out))
    return 0


if __name__ == "__main__":
    status = main()
    # Everything is written and the child is done: skip the interpreter's teardown (modules,
    # Numba's dispatchers and their compiled code freed one by one): 0.7-1.0 s of this demo's
    # wall time at load ~8, 0.3-0.5 s of CPU (perf/RESULTS.md run Y).
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
