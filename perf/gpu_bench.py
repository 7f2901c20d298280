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
``n/a``. Before timing, each worker runs every workload once and reports its loss and each
leaf's ``sum(|grad|)``; the run fails (exit 1, ``FAILED:`` lines under the table) when any
library or workload did not run, when jitgrad's answers disagree with PyTorch eager's, or
when jitgrad's matmul is the tiled fallback kernel rather than cuBLAS: a table with holes
or wrong answers is no result. ``--smoke`` (tiny sizes) runs a PyTorch without CUDA on its
CPU, so a dry run with ``TORCH_PYTHON`` naming an interpreter that has PyTorch checks the
PyTorch side too.

The floor of the elementwise workloads is bytes they must move (inputs read once, gradients
written once) over the measured device-to-device copy bandwidth; "of copy" is floor / time.
Targets (issue 15): fused workloads at >= 70% of copy bandwidth and ahead of PyTorch eager;
the MLP step within 1.2x of PyTorch eager.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

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
def _build(
    lib: str, n: int, batch: int, dims: tuple[int, int, int], smoke: bool = False
) -> tuple[dict, callable]:
    """(workload -> one iteration, synchronize) for ``lib``. With ``smoke``, a PyTorch
    without CUDA runs on its CPU (so a dry run exercises this code, torch.compile too)."""
    import numpy as np

    dev = "cuda"

    if lib.startswith("jitgrad"):
        sys.path.insert(0, str(ROOT))
        import jitgrad as m

        m.fusion(lib == "jitgrad")  # (this worker's only thread)
    else:
        import torch as m

        if not m.cuda.is_available():
            if not smoke:
                raise RuntimeError("PyTorch has no CUDA device here")
            dev = "cpu"
    F = m.nn.functional
    rng = np.random.default_rng(0)

    def leaf(*shape: int, scale: float = 1.0):
        a = (rng.standard_normal(shape) * scale).astype(np.float32)
        return m.tensor(a).to(dev).requires_grad_(True)

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
    xb = m.tensor(rng.standard_normal((batch, d_in)).astype(np.float32)).to(dev)
    target = m.tensor(rng.integers(0, d_out, batch).astype(np.int64)).to(dev)
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
            loss = loss_fn(*leaves)
            loss.backward()
            return loss

        return run

    def mlp(step: bool = True):
        opt.zero_grad()
        loss = mlp_loss(xb, target)
        loss.backward()
        if step:
            opt.step()
        return loss

    steps = {
        "chain": grad_step(chain_loss, (x, y)),
        "gelu": grad_step(gelu_loss, (g,)),
        "mse": grad_step(mse_loss, (a, b)),
        "mlp": mlp,
    }
    leaves = {"chain": (x, y), "gelu": (g,), "mse": (a, b), "mlp": (w1, b1, w2, b2)}

    def check(name: str) -> list[float]:
        """The first iteration's loss and each leaf's gradient as sum(|g|) in float64: the
        same inputs in every library, so the answers must agree (a fast wrong kernel must
        not pass as a result). The MLP's parameters are not updated by it."""
        loss = mlp(step=False) if name == "mlp" else steps[name]()
        return [float(loss)] + [float(t.grad.double().abs().sum()) for t in leaves[name]]

    return steps, check, m.cuda.synchronize if dev == "cuda" else (lambda: None)


def _copy_bandwidth(n: int, sync: callable) -> callable:
    """One device-to-device copy of n float32 (numba's cuMemcpyDtoD): bytes/s per call."""
    import numpy as np
    from numba import cuda

    src = cuda.to_device(np.ones(n, np.float32))
    dst = cuda.device_array(n, np.float32)

    def run():
        dst.copy_to_device(src)

    return run


def _blas(lib: str) -> str | None:
    """Which matrix product jitgrad's device matmul uses here: ``cublas`` (CuPy) or the
    ``tiled`` fallback kernel (CuPy missing, or failing to import: silently slow)."""
    if not lib.startswith("jitgrad"):
        return None
    from numba import cuda

    from jitgrad.kernels.cuda import matmul

    a = cuda.device_array((2, 2), "f4")
    return matmul.blas_backend(a, a)


def worker(
    lib: str, n: int, batch: int, dims: tuple[int, int, int], warmup: int, smoke: bool
) -> None:
    """Serve timing requests on stdin/stdout: one JSON line per answer. A workload that fails
    (at warmup or later) is reported by name and dropped; the others go on."""
    # the answers get the pipe to themselves: anything a library prints (at Python or C level)
    # goes to stderr, so the parent never reads a stray line as an answer
    pipe = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    def say(answer: dict) -> None:
        pipe.write(json.dumps(answer) + "\n")
        pipe.flush()

    failed: dict[str, str] = {}
    checks: dict[str, list[float]] = {}
    try:
        steps, check, sync = _build(lib, n, batch, dims, smoke)
        if lib == "jitgrad":
            steps["copy"] = _copy_bandwidth(n, sync)
    except Exception as exc:  # noqa: BLE001 - reported to the parent as n/a
        say({"error": f"{type(exc).__name__}: {exc}"[:300]})
        return
    for name, run in list(steps.items()):
        try:
            if name != "copy":
                checks[name] = check(name)
            for _ in range(warmup):
                run()
            sync()
        except Exception as exc:  # noqa: BLE001 - this workload is n/a, the others go on
            failed[name] = f"{type(exc).__name__}: {exc}"[:300]
            del steps[name]
    say({"ready": sorted(steps), "failed": failed, "checks": checks, "blas": _blas(lib)})
    for line in sys.stdin:
        name = line.strip()
        if name == "quit":
            return
        try:
            sync()
            start = time.perf_counter()
            steps[name]()
            sync()
            say({"s": time.perf_counter() - start})
        except Exception as exc:  # noqa: BLE001
            say({"error": f"{type(exc).__name__}: {exc}"[:300]})


# ---- parent side ------------------------------------------------------------------------------
class Worker:
    """One library's worker process. Started without waiting (:meth:`wait_ready` reads its
    hello), so the libraries compile and warm up in parallel; every read has a deadline, so
    a worker that hangs is reported as n/a instead of stopping the run."""

    def __init__(self, lib: str, args: argparse.Namespace) -> None:
        python = args.torch_python if lib.startswith("torch") else sys.executable
        cmd = [python, __file__, "--worker", lib, "--n", str(args.n), "--batch",
               str(args.batch), "--dims", args.dims, "--warmup", str(args.warmup),
               *(["--smoke"] if args.smoke else [])]  # fmt: skip
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
        self.lib = lib
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, env=env, cwd=ROOT)  # fmt: skip
        self.error: str | None = "not started"
        self.names: set[str] = set()
        self.failed: dict[str, str] = {}
        self.checks: dict[str, list[float]] = {}
        self.blas: str | None = None

    def _read(self, seconds: float) -> dict:
        ready, _, _ = select.select([self.proc.stdout], [], [], max(0.0, seconds))
        line = self.proc.stdout.readline() if ready else ""
        if not line:
            self.kill()
            return {"error": f"no answer in {seconds:.0f} s" if not ready else "worker died"}
        return json.loads(line)

    def wait_ready(self, deadline: float) -> None:
        hello = self._read(deadline - time.monotonic())
        self.error = hello.get("error")
        self.names = set(hello.get("ready", ()))
        self.failed = hello.get("failed", {})
        self.checks = hello.get("checks", {})
        self.blas = hello.get("blas")

    def time(self, name: str, seconds: float) -> float | None:
        """One timed iteration of ``name`` (None, and the workload dropped, if it failed)."""
        self.proc.stdin.write(name + "\n")
        self.proc.stdin.flush()
        answer = self._read(seconds)
        if "s" not in answer:
            self.failed[name] = answer.get("error", "?")
            self.names.discard(name)
            if self.proc.poll() is not None:
                self.error = self.error or answer.get("error")
            return None
        return answer["s"]

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write("quit\n")
                self.proc.stdin.close()
                self.proc.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                self.kill()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=64 << 20, help="elements per elementwise input")
    p.add_argument("--batch", type=int, default=4096)
    p.add_argument("--dims", default="784,512,10", help="MLP layer widths")
    p.add_argument("--repeats", type=int, default=15)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--libs", default=",".join(LIBS), help="comma-separated subset of " + str(LIBS))
    p.add_argument("--budget", type=float, default=0, help="seconds in all (0: no limit): "
                   "workers not ready by 60%% of it are n/a, repeats stop at 95%%")  # fmt: skip
    p.add_argument("--out", help="also write the table here after every round, and each "
                   "timing to OUT.jsonl (a run cut short keeps its numbers)")  # fmt: skip
    p.add_argument("--smoke", action="store_true", help="tiny sizes (the simulator)")
    p.add_argument("--torch-python", default=os.environ.get("TORCH_PYTHON", sys.executable),
                   help="the interpreter of the PyTorch workers (default: $TORCH_PYTHON, "
                   "else this one)")  # fmt: skip
    p.add_argument("--worker", choices=LIBS, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.smoke:
        args.n, args.batch, args.dims, args.repeats, args.warmup = 256, 8, "12,8,4", 3, 1
    dims = tuple(int(d) for d in args.dims.split(","))
    if args.worker:
        worker(args.worker, args.n, args.batch, dims, args.warmup, args.smoke)
        return
    libs = [lib for lib in args.libs.split(",") if lib]
    unknown = set(libs) - set(LIBS)
    if unknown:
        p.error(f"unknown --libs {sorted(unknown)}; choose from {LIBS}")
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    budget = args.budget or float("inf")
    workers = {lib: Worker(lib, args) for lib in libs}  # all start at once

    def stop(signum: int, frame: object) -> None:
        """The stage's time limit (``timeout``'s SIGTERM): the workers are killed at once (no
        orphan keeps the GPU busy); the table written after the last round stays."""
        for w in workers.values():
            w.kill()
        sys.exit(124)

    signal.signal(signal.SIGTERM, stop)
    times: dict[tuple[str, str], list[float]] = {}
    jsonl = open(args.out + ".jsonl", "a") if args.out else None  # noqa: SIM115
    try:
        for w in workers.values():
            w.wait_ready(started + min(0.6 * budget, 1e9))
            at = round(time.monotonic() - started, 1)
            _note(jsonl, {"lib": w.lib, "ready": sorted(w.names), "error": w.error,
                          "failed": w.failed, "checks": w.checks, "blas": w.blas,
                          "at_s": at})  # fmt: skip
        for _ in range(args.repeats):
            if time.monotonic() - started > 0.95 * budget:
                break
            for lib, w in workers.items():
                for name in (*WORKLOADS, "copy"):
                    if not w.error and name in w.names:
                        left = started + budget - time.monotonic()
                        s = w.time(name, min(max(left, 5.0), 300.0))
                        if s is not None:
                            times.setdefault((lib, name), []).append(s)
                            _note(jsonl, {"lib": lib, "workload": name, "s": s})
            if args.out:
                Path(args.out).write_text(report(args, times, workers) + "\n")
    finally:
        for w in workers.values():
            w.close()
        if jsonl:
            jsonl.close()
    table = report(args, times, workers)
    problems = problems_of(args, workers)
    table += "".join(f"\nFAILED: {p}" for p in problems)
    if args.out:
        Path(args.out).write_text(table + "\n")
    print(table)
    if problems:  # loudly: a missing library, workload or provider is no result
        sys.exit(1)


def problems_of(args: argparse.Namespace, workers: dict) -> list[str]:
    """Why this run's table is not the issue's comparison: a library or workload that did not
    run (in a --smoke run only jitgrad's count: the simulator machine may have no PyTorch),
    answers that disagree with PyTorch eager's (jitgrad unfused's where PyTorch is missing),
    and jitgrad's matmul on the tiled fallback instead of cuBLAS on a GPU."""
    out = []
    for lib, w in workers.items():
        if args.smoke and not lib.startswith("jitgrad"):
            continue
        if w.error:
            out.append(f"{lib} did not run: {w.error}")
        out += [f"{lib} {name} did not run: {why}" for name, why in sorted(w.failed.items())]
    if not args.smoke and any(w.blas == "tiled" for w in workers.values()):
        out.append("jitgrad's matmul is the tiled fallback kernel (CuPy missing or failing to "
                   "import: see env.log), not cuBLAS")  # fmt: skip
    ref = next((w for lib, w in workers.items() if lib == "torch" and not w.error), None)
    ref = ref or workers.get("jitgrad-unfused")
    for lib, w in workers.items():
        if ref is None or w is ref or w.error:
            continue
        for name, got in sorted(w.checks.items()):
            want = ref.checks.get(name)
            if want and not _agree(got, want, 1e-2 if name == "mlp" else 1e-3):
                out.append(f"{lib} {name} disagrees with {ref.lib}: {got} vs {want}")
    return out


def _agree(got: list[float], want: list[float], rtol: float) -> bool:
    """Loss and gradient sizes within ``rtol`` (float32 sums over 64M elements in a
    different order; TF32 is off in both libraries)."""
    return len(got) == len(want) and all(
        abs(g - w) <= rtol * max(abs(w), 1e-6) for g, w in zip(got, want, strict=True)
    )


def _note(f: Any, record: dict) -> None:
    if f is not None:
        f.write(json.dumps(record) + "\n")
        f.flush()


def report(args: argparse.Namespace, times: dict, workers: dict) -> str:
    med = {k: statistics.median(v) for k, v in times.items()}
    copy_s = med.get(("jitgrad", "copy"))
    bw = 2 * 4 * args.n / copy_s if copy_s else None
    done = max((len(v) for v in times.values()), default=0)
    lines = [f"n={args.n} float32, MLP {args.dims} batch {args.batch}, medians of "
             f"{done} interleaved repeats (ms; {args.repeats} asked)"]  # fmt: skip
    if bw:
        lines.append(f"device-to-device copy: {bw / 1e9:.0f} GB/s")
    blas = {w.blas for w in workers.values() if w.blas}
    if blas:
        lines.append(f"jitgrad matmul: {', '.join(sorted(blas))}")
    for lib, w in workers.items():
        if w.error:
            lines.append(f"{lib}: n/a ({w.error})")
        for name, why in sorted(w.failed.items()):
            lines.append(f"{lib} {name}: n/a ({why})")
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
