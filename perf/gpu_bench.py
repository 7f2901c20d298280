"""The GPU benchmark of issue 15: jitgrad's CUDA backend vs PyTorch eager CUDA and
``torch.compile``, with the device-to-device copy bandwidth as the floor.

    python perf/gpu_bench.py                  # an H100: 64M-element workloads, batch 4096
    NUMBA_ENABLE_CUDASIM=1 python perf/gpu_bench.py --smoke    # tiny sizes, the simulator

Workloads (float32, forward + backward with every gradient), for jitgrad fused (the
default) and unfused (``jitgrad.fusion(False)``): ``chain`` (the CPU suite's
``tanh(x*y + sin x) * exp(-x*x) / (1 + y*y)``, summed), ``gelu`` (tanh form, mean) and
``mse`` over ``--n`` elements (64M), and one SGD step of the 784-512-10 MLP at ``--batch``
(4096) with cross-entropy. Each library runs in its own process (one worker each, kept for
the whole run, so compiles happen once); the parent asks the workers for one timed iteration
of one workload at a time, round-robin (interleaved, so a slow minute of the machine hits
every library alike), and reports medians. Each iteration synchronizes the device before and
after the clock. Installs nothing: a library that does not import (no CUDA PyTorch) shows
``n/a``.

The floor of the elementwise workloads is bytes they must move (inputs read once, gradients
written once) over the measured device-to-device copy bandwidth; "of copy" is floor / time.
Targets (issue 15): fused workloads at >= 70% of copy bandwidth and ahead of PyTorch eager;
the MLP step within 1.2x of PyTorch eager.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GELU_C, GELU_A, MLP_LR = 0.7978845608, 0.044715, 0.01
WORKLOADS = ("chain", "gelu", "mse", "mlp")
#: "jitgrad-unfused": jitgrad with ``jitgrad.fusion(False)`` (each op its own kernel, forward
#: and backward), which shows what the device fusion of deferred chains and backward groups
#: gains on the device.
LIBS = ("jitgrad", "jitgrad-unfused", "torch", "torch.compile")
#: Arrays of n float32 each workload must read or write at least (inputs + gradients).
MOVED = {"chain": 4, "gelu": 2, "mse": 4}


# ---- worker side ------------------------------------------------------------------------------
def _build(lib: str, n: int, batch: int, dims: tuple[int, int, int]) -> tuple[dict, callable]:
    """(workload -> one iteration, synchronize) for ``lib``."""
    import numpy as np

    if lib.startswith("jitgrad"):
        sys.path.insert(0, str(ROOT))
        import jitgrad as m

        m.fusion(lib == "jitgrad")  # (this worker's only thread)
    else:
        import torch as m

        if not m.cuda.is_available():
            raise RuntimeError("PyTorch has no CUDA device here")
    F = m.nn.functional
    rng = np.random.default_rng(0)

    def leaf(*shape: int, scale: float = 1.0):
        a = (rng.standard_normal(shape) * scale).astype(np.float32)
        return m.tensor(a).cuda().requires_grad_(True)

    x, y = leaf(n), leaf(n)
    g = leaf(n, scale=2.0)
    a, b = leaf(n), leaf(n)

    def chain_loss(x, y):
        return (m.tanh(x * y + m.sin(x)) * m.exp(-x * x) / (1 + y * y)).sum()

    def gelu_loss(x):
        return (0.5 * x * (1 + m.tanh(GELU_C * (x + GELU_A * x**3)))).mean()

    def mse_loss(a, b):
        return ((a - b) ** 2).mean()

    d_in, d_hidden, d_out = dims
    w1, b1 = leaf(d_in, d_hidden, scale=0.05), leaf(d_hidden, scale=0.0)
    w2, b2 = leaf(d_hidden, d_out, scale=0.05), leaf(d_out, scale=0.0)
    xb = m.tensor(rng.standard_normal((batch, d_in)).astype(np.float32)).cuda()
    target = m.tensor(rng.integers(0, d_out, batch).astype(np.int64)).cuda()
    opt = m.optim.SGD([w1, b1, w2, b2], lr=MLP_LR)

    def mlp_loss(xb, target):
        return F.cross_entropy(F.relu(xb @ w1 + b1) @ w2 + b2, target)

    if lib == "torch.compile":
        chain_loss, gelu_loss, mse_loss, mlp_loss = (
            m.compile(f) for f in (chain_loss, gelu_loss, mse_loss, mlp_loss)
        )

    def grad_step(loss_fn, leaves):
        def run():
            for t in leaves:
                t.grad = None
            loss_fn(*leaves).backward()

        return run

    def mlp():
        opt.zero_grad()
        mlp_loss(xb, target).backward()
        opt.step()

    steps = {
        "chain": grad_step(chain_loss, (x, y)),
        "gelu": grad_step(gelu_loss, (g,)),
        "mse": grad_step(mse_loss, (a, b)),
        "mlp": mlp,
    }
    return steps, m.cuda.synchronize


def _copy_bandwidth(n: int, sync: callable) -> callable:
    """One device-to-device copy of n float32 (numba's cuMemcpyDtoD): bytes/s per call."""
    import numpy as np
    from numba import cuda

    src = cuda.to_device(np.ones(n, np.float32))
    dst = cuda.device_array(n, np.float32)

    def run():
        dst.copy_to_device(src)

    return run


def worker(lib: str, n: int, batch: int, dims: tuple[int, int, int], warmup: int) -> None:
    """Serve timing requests on stdin/stdout: one JSON line per answer."""
    try:
        steps, sync = _build(lib, n, batch, dims)
        if lib == "jitgrad":
            steps["copy"] = _copy_bandwidth(n, sync)
        for run in steps.values():
            for _ in range(warmup):
                run()
        sync()
        print(json.dumps({"ready": sorted(steps)}), flush=True)
    except Exception as exc:  # noqa: BLE001 - reported to the parent as n/a
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"[:300]}), flush=True)
        return
    for line in sys.stdin:
        name = line.strip()
        if name == "quit":
            return
        sync()
        start = time.perf_counter()
        steps[name]()
        sync()
        print(json.dumps({"s": time.perf_counter() - start}), flush=True)


# ---- parent side ------------------------------------------------------------------------------
class Worker:
    def __init__(self, lib: str, args: argparse.Namespace) -> None:
        cmd = [sys.executable, __file__, "--worker", lib, "--n", str(args.n), "--batch",
               str(args.batch), "--dims", args.dims, "--warmup", str(args.warmup)]  # fmt: skip
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, env=env, cwd=ROOT)  # fmt: skip
        hello = json.loads(self.proc.stdout.readline() or '{"error": "worker died"}')
        self.error = hello.get("error")
        self.names = set(hello.get("ready", ()))

    def time(self, name: str) -> float:
        self.proc.stdin.write(name + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())["s"]

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.close()
            self.proc.wait(timeout=60)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=64 << 20, help="elements per elementwise input")
    p.add_argument("--batch", type=int, default=4096)
    p.add_argument("--dims", default="784,512,10", help="MLP layer widths")
    p.add_argument("--repeats", type=int, default=15)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--smoke", action="store_true", help="tiny sizes (the simulator)")
    p.add_argument("--worker", choices=LIBS, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.smoke:
        args.n, args.batch, args.dims, args.repeats, args.warmup = 256, 8, "12,8,4", 3, 1
    dims = tuple(int(d) for d in args.dims.split(","))
    if args.worker:
        worker(args.worker, args.n, args.batch, dims, args.warmup)
        return
    workers = {lib: Worker(lib, args) for lib in LIBS}
    times: dict[tuple[str, str], list[float]] = {}
    try:
        for _ in range(args.repeats):
            for lib, w in workers.items():
                for name in (*WORKLOADS, "copy"):
                    if not w.error and name in w.names:
                        times.setdefault((lib, name), []).append(w.time(name))
    finally:
        for w in workers.values():
            w.close()
    print(report(args, times, workers))


def report(args: argparse.Namespace, times: dict, workers: dict) -> str:
    med = {k: statistics.median(v) for k, v in times.items()}
    copy_s = med.get(("jitgrad", "copy"))
    bw = 2 * 4 * args.n / copy_s if copy_s else None
    lines = [f"n={args.n} float32, MLP {args.dims} batch {args.batch}, medians of "
             f"{args.repeats} interleaved repeats (ms)"]  # fmt: skip
    if bw:
        lines.append(f"device-to-device copy: {bw / 1e9:.0f} GB/s")
    for lib, w in workers.items():
        if w.error:
            lines.append(f"{lib}: n/a ({w.error})")
    head = f"{'workload':<9}" + "".join(f"{lib:>16}" for lib in LIBS)
    head += f"{'jg/eager':>10}{'jg/compile':>12}{'jg of copy':>12}"
    lines.append(head)

    def ms(lib: str, name: str) -> str:
        v = med.get((lib, name))
        return f"{v * 1e3:16.3f}" if v is not None else f"{'n/a':>16}"

    def ratio(lib: str, name: str, width: int) -> str:
        j, o = med.get(("jitgrad", name)), med.get((lib, name))
        return f"{j / o:{width}.2f}" if j and o else f"{'n/a':>{width}}"

    for name in WORKLOADS:
        row = f"{name:<9}" + "".join(ms(lib, name) for lib in LIBS)
        row += ratio("torch", name, 10) + ratio("torch.compile", name, 12)
        j = med.get(("jitgrad", name))
        floor = MOVED[name] * 4 * args.n / bw if name in MOVED and bw else None
        row += f"{floor / j:12.0%}" if floor and j else f"{'':>12}"
        lines.append(row)
    return "\n".join(lines)


if __name__ == "__main__":
    main()
