"""A new user's first captured program: how long until its steps are done, with the tape
interpreter compiled in the background (default: a child process compiles it while the steps
run eagerly) or waited for (``JITGRAD_CAPTURE_BACKGROUND=0``, the behaviour before issue 16
section 2's change). ``cpu_s`` is this process's CPU only (not the child's).

Each run is a fresh process over a copy of a kernel cache that holds the step's eager kernels
but not the interpreter (what a user meets on the first captured program: eager kernels are
shared with every eager program, the ~20 s interpreter compile is capture's own). The process
runs the scalar logistic-regression step (perf/'s dispatch-bound workload) ``--steps`` times
under ``jitgrad.compile`` and reports when steps 1, 10, 100, ... completed, when the first
replay ran, the median eager-call time while the interpreter compiled (the GIL is shared
with the compiling thread) and the process's CPU seconds. Modes alternate, ``--reps`` each.

    python perf/capture_first_run.py --reps 2 --steps 20000
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARKS = (1, 2, 10, 100, 1000, 10000, 100000)


def _workload():
    import jitgrad as torch

    torch.manual_seed(0)
    w = torch.tensor(0.1, requires_grad=True)
    b = torch.tensor(0.0, requires_grad=True)
    xs, ys = torch.randn(8), (torch.randn(8) > 0).float()
    opt = torch.optim.SGD([w, b], lr=0.1)

    def step():
        opt.zero_grad()
        p = torch.sigmoid(xs * w + b)
        loss = -(ys * torch.log(p) + (1 - ys) * torch.log(1 - p)).mean()
        loss.backward()
        opt.step()
        return loss.detach()

    return torch, step, (w, b)


def child(steps: int, eager_only: bool) -> dict:
    t0 = time.perf_counter()
    c0 = time.process_time()
    torch, step, params = _workload()
    if eager_only:  # fills the cache with the step's eager kernels
        for _ in range(3):
            step()
        return {}
    from jitgrad.capture import build

    compiled = torch.compile(step)
    done, first_replay, eager_calls = {}, None, []
    for i in range(1, steps + 1):
        ready = any(key[0] == "float32" for key in build._READY)  # (keys differ by tree)
        s = time.perf_counter()
        compiled()
        e = time.perf_counter()
        if ready and first_replay is None:
            first_replay = (i, e - t0)
        if not ready and i > 2:
            eager_calls.append(e - s)
        if i in MARKS:
            done[i] = e - t0
    return {
        "done_s": done,
        "first_replay": first_replay,
        "eager_call_ms_while_building": statistics.median(eager_calls) * 1e3
        if eager_calls
        else None,
        "eager_calls": len(eager_calls),
        "wall_s": time.perf_counter() - t0,
        "cpu_s": time.process_time() - c0,
        "final": [float(p.detach()) for p in params],
    }


def _run(cache: str, background: str, steps: int, eager_only: bool = False) -> dict:
    env = dict(os.environ, JITGRAD_CACHE_DIR=cache, JITGRAD_CAPTURE_BACKGROUND=background,
               PYTHONPATH=str(ROOT), JITGRAD_COMPILE_NOTICE="0")  # fmt: skip
    args = [sys.executable, __file__, "--child", str(steps)] + (["--eager"] if eager_only else [])
    out = subprocess.run(args, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--steps", type=int, default=20000)
    ap.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--eager", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child is not None:
        print(json.dumps(child(a.child, a.eager)))
        return
    base = tempfile.mkdtemp(prefix="capfirst-base-")
    _run(base, "1", 0, eager_only=True)
    print(f"load: {os.getloadavg()}")
    results: dict[str, list] = {"wait (before)": [], "background": []}
    for rep in range(a.reps):
        for name, flag in (("wait (before)", "0"), ("background", "1")):
            cache = tempfile.mkdtemp(prefix="capfirst-")
            shutil.rmtree(cache)
            shutil.copytree(base, cache)
            r = _run(cache, flag, a.steps)
            shutil.rmtree(cache, ignore_errors=True)
            results[name].append(r)
            print(f"rep {rep} {name}: " + json.dumps(r), flush=True)
    print(f"load: {os.getloadavg()}")
    for name, rs in results.items():
        med = {m: statistics.median(r["done_s"][str(m)] for r in rs)
               for m in MARKS if str(m) in rs[0]["done_s"]}  # fmt: skip
        print(
            f"{name}: step k done at (median s) "
            + ", ".join(f"{m}: {v:.3f}" for m, v in med.items())
            + f"; CPU s {statistics.median(r['cpu_s'] for r in rs):.1f}"
        )
    shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
