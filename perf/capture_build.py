"""The first call of a ``jitgrad.compile``d step: the tape interpreter's build, cold and warm.

    python perf/capture_build.py --a /tmp/base --b . [--reps 3] [--dtype float32]

Each repetition runs, for tree A then tree B (the order flips every repetition), one fresh
process with an empty kernel cache (cold) and one with the cache that process filled (warm).
In each, a small step (``tanh``, ``exp``, ``*``, ``sum``, ``backward``) runs eagerly first (its
eager kernels compile or load), then the compiled step's first call is timed: the trace plus
the interpreter (generated, then compiled or loaded from disk). Printed: the process CPU
seconds (user + system, less sensitive to other load than wall time) and wall seconds of that
first call, medians per tree and mode, with the load average before and after.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile

_CHILD = """
import resource, sys, time
import jitgrad as torch
dtype = getattr(torch, sys.argv[1])
x = torch.linspace(-1, 1, 9, dtype=dtype).requires_grad_()

def step():
    (torch.tanh(x) * torch.exp(x * 0.5)).sum().backward()

step()  # the eager kernels: compiled or loaded, outside the timing
x.grad = None
compiled = torch.compile(step)
r0 = resource.getrusage(resource.RUSAGE_SELF)
t0 = time.perf_counter()
compiled()
wall = time.perf_counter() - t0
r1 = resource.getrusage(resource.RUSAGE_SELF)
cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
print(f"RESULT {cpu:.3f} {wall:.3f} {torch.__file__}")
"""


def _one(tree: str, cache: str, dtype: str) -> tuple[float, float]:
    env = dict(os.environ, PYTHONPATH=os.path.abspath(tree), JITGRAD_CACHE_DIR=cache,
               JITGRAD_COMPILE_NOTICE="0")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", _CHILD, dtype], env=env, capture_output=True,
                         text=True, check=True).stdout  # fmt: skip
    line = next(ln for ln in out.splitlines() if ln.startswith("RESULT"))
    _, cpu, wall, origin = line.split()
    if not origin.startswith(os.path.abspath(tree) + os.sep):
        raise SystemExit(f"tree {tree} imported jitgrad from {origin}")
    return float(cpu), float(wall)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--a", required=True)
    ap.add_argument("--b", default=".")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--dtype", default="float32")
    args = ap.parse_args()
    print("load before:", os.getloadavg())
    got: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for rep in range(args.reps):
        trees = [("A", args.a), ("B", args.b)]
        for label, tree in trees if rep % 2 == 0 else trees[::-1]:
            with tempfile.TemporaryDirectory(prefix="capture-build-") as cache:
                for mode in ("cold", "warm"):
                    cpu, wall = _one(tree, cache, args.dtype)
                    got.setdefault((label, mode), []).append((cpu, wall))
                    print(f"rep {rep} tree {label} {mode}: cpu {cpu:.2f} s, wall {wall:.2f} s")
    for (label, mode), samples in sorted(got.items()):
        cpu = statistics.median(s[0] for s in samples)
        wall = statistics.median(s[1] for s in samples)
        print(f"median tree {label} {mode}: cpu {cpu:.2f} s, wall {wall:.2f} s")
    print("load after:", os.getloadavg())


if __name__ == "__main__":
    main()
