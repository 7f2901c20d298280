"""Issue 16's MLP step captured: jitgrad eager vs ``jitgrad.compile`` (host calls for the
BLAS products and the loss) vs PyTorch eager vs ``torch.compile``, in one interleaved run.

The step: ``Linear(784, 512) -> ReLU -> Linear(512, 10)``, batch 512, float32,
``F.cross_entropy``, SGD (lr 0.01), ``zero_grad``/``backward``/``step`` (the issue's table
row), and a small one (``64-32-10``, batch 16: dispatch-bound, where capture matters most).
Each measurement is one child process (``--lib``: jitgrad-eager, jitgrad-capture under this
Python; torch-eager, torch-compile under ``--torch-python``), alternated ``--reps`` times;
a child warms the step (jitgrad: the optimizer's first step, the trace, replays; PyTorch:
Inductor's compile), then times ``--steps`` calls one by one and prints the median wall
time per step and the CPU time per step. The parent prints the medians over children, their
ratios to the first library's (jitgrad eager), and ``uptime`` before and after: on a loaded
machine the CPU times are the numbers to read (a child waits for a core most of its wall time).

BLAS and PyTorch run ``--threads`` threads (default 1: on the shared 2-core machine a second
thread measures the neighbours' load more than the code).

    python perf/capture_mlp.py --reps 3
    python perf/capture_mlp.py --size small --reps 5
    python perf/capture_mlp.py --size gpt --reps 3      # perf/gpt_step.py's nanoGPT-style step
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from perf import gpt_step  # noqa: E402 - (run as a script: the tree's root on the path first)

SIZES = {"mlp": (784, 512, 10, 512), "small": (64, 32, 10, 16), **gpt_step.SIZES}
LIBS = ("jitgrad-eager", "jitgrad-capture", "torch-eager", "torch-compile")


def _step(torch, size: str, compiled: bool):
    if size in gpt_step.SIZES:
        return gpt_step.make(torch, size, compiled)
    nn, F = torch.nn, torch.nn.functional
    d_in, hidden, classes, batch = SIZES[size]
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(d_in, hidden), nn.ReLU(), nn.Linear(hidden, classes))
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    x, t = torch.randn(batch, d_in), torch.randint(0, classes, (batch,))

    def step(x, t):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), t)
        loss.backward()
        opt.step()
        return loss.detach()

    return (torch.compile(step) if compiled else step), (x, t)


def child(lib: str, size: str, steps: int) -> dict:
    if lib.startswith("torch"):
        import torch

        torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    else:
        import jitgrad as torch
    start = time.perf_counter()
    fn, args = _step(torch, size, lib.endswith("compile") or lib.endswith("capture"))
    for _ in range(5):
        fn(*args)
    warm = time.perf_counter() - start
    walls, cpu0 = [], time.process_time()
    for _ in range(steps):
        t0 = time.perf_counter()
        fn(*args)
        walls.append(time.perf_counter() - t0)
    cpu = (time.process_time() - cpu0) / steps
    out = {"lib": lib, "wall_ms": statistics.median(walls) * 1e3, "cpu_ms": cpu * 1e3,
           "warm_s": warm}  # fmt: skip
    if lib == "jitgrad-capture":
        out["explain"] = fn.explain()
    return out


def _run(lib: str, args: argparse.Namespace) -> dict:
    python = args.torch_python if lib.startswith("torch") else sys.executable
    n = str(args.threads)
    env = dict(os.environ, OPENBLAS_NUM_THREADS=n, OMP_NUM_THREADS=n, MKL_NUM_THREADS=n,
               JITGRAD_CAPTURE_BACKGROUND="0")  # fmt: skip
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("OPENBLAS_L2_SIZE", None)
    if not lib.startswith("torch"):
        env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    cmd = [python, __file__, "--child", lib, "--size", args.size, "--steps", str(args.steps)]
    res = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if res.returncode:
        return {"lib": lib, "error": res.stderr.strip().splitlines()[-1:]}
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--child")
    p.add_argument("--size", default="mlp", choices=sorted(SIZES))
    p.add_argument("--steps", type=int, default=0)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--libs", default=",".join(LIBS))
    p.add_argument("--torch-python", default="/tmp/torchenv/bin/python")
    args = p.parse_args()
    args.steps = args.steps or {"mlp": 30, "gpt": 30, "gpt-tiny": 200}.get(args.size, 500)
    if args.child:
        print(json.dumps(child(args.child, args.size, args.steps)))
        return
    print("uptime before:", os.popen("uptime").read().strip())
    results: dict[str, list[dict]] = {lib: [] for lib in args.libs.split(",")}
    for _ in range(args.reps):
        for lib in results:
            r = _run(lib, args)
            results[lib].append(r)
            print(json.dumps({k: v for k, v in r.items() if k != "explain"}), flush=True)
    print("uptime after:", os.popen("uptime").read().strip())
    base: tuple | None = None
    print(f"\n{args.size} {SIZES[args.size]}, threads {args.threads}, steps {args.steps}, "
          f"reps {args.reps}: median over processes")  # fmt: skip
    for lib, rs in results.items():
        ok = [r for r in rs if "wall_ms" in r]
        if not ok:
            print(f"  {lib:16s} failed: {rs[0].get('error')}")
            continue
        wall = statistics.median(r["wall_ms"] for r in ok)
        cpu = statistics.median(r["cpu_ms"] for r in ok)
        base = base or (wall, cpu)
        warm = statistics.median(r["warm_s"] for r in ok)
        ratios = f"wall x{wall / base[0]:5.2f} cpu x{cpu / base[1]:5.2f}"
        print(f"  {lib:16s} wall {wall:9.3f} ms  cpu {cpu:9.3f} ms  of the first: {ratios}  "
              f"warm-up {warm:.1f} s")  # fmt: skip
        if "explain" in ok[0]:
            print("   ", ok[0]["explain"].replace("\n", "\n    "))


if __name__ == "__main__":
    main()
