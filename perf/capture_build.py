"""The first call of a ``jitgrad.compile``d step (the tape interpreter's build, cold and
warm), and the CPU cost of capturing and replaying Rogozhnikov's graph: tree A against B.

    python perf/capture_build.py --a /tmp/base --b . [--reps 3] [--ops 10000]

Per tree, one process primes a kernel cache (the small step below run eagerly: its eager
kernels compiled, the interpreter not). Each repetition, for tree A then tree B (the order
flips every repetition), copies that cache and runs one process in it (cold: the interpreter
is compiled) and a second in the same cache (warm: it is loaded). In each, after the step ran
eagerly, the compiled step's first call is timed: the trace plus the interpreter (generated,
then compiled or loaded). The warm process then captures Rogozhnikov's ``--ops`` graph twice
(no ``.grad``, then with one, as perf/rogozhnikov.py ``--compile``) and replays it. All numbers
are process CPU seconds (user + system: other load on the machine inflates wall time, not
these) except the first call's wall time; medians per tree, with the load average.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

_CHILD = """
import statistics, sys, time
sys.path.append(sys.argv[3])  # tree B's root for perf.rogozhnikov; jitgrad from PYTHONPATH
import jitgrad as torch
from perf.rogozhnikov import run_graph
cpu = time.process_time
dtype = getattr(torch, sys.argv[1])
x = torch.linspace(-1, 1, 9, dtype=dtype).requires_grad_()

def step():
    (torch.tanh(x) * torch.exp(x * 0.5)).sum().backward()

step()  # the eager kernels: compiled or loaded, outside the timing
if sys.argv[2] == "prime":
    raise SystemExit(0)
x.grad = None
compiled = torch.compile(step)
c0, t0 = cpu(), time.perf_counter()
compiled()  # the trace (eager, recorded)
x.grad = None
compiled()  # the first replay: the interpreter
print(f"FIRST {cpu() - c0:.3f} {time.perf_counter() - t0:.3f} {torch.__file__}")
ops = int(sys.argv[2])
if ops:
    leaves = torch.arange(100, dtype=torch.float32, requires_grad=True)
    graph = torch.compile(lambda leaves: run_graph(torch, leaves, ops)[-1].backward())
    captures = []
    for _ in range(2):
        c0 = cpu()
        graph(leaves)
        captures.append(cpu() - c0)
    samples = []
    for _ in range(5):
        leaves.grad = None
        graph(leaves)
        c0 = cpu()
        for _ in range(3):
            graph(leaves)
        samples.append((cpu() - c0) / (3 * ops) * 1e9)
    print(f"GRAPH {captures[0]:.3f} {captures[1]:.3f} {statistics.median(samples):.1f}")
"""


def _one(tree: str, cache: str, dtype: str, what: str, perf_root: str) -> dict[str, float]:
    os.makedirs(cache, exist_ok=True)
    env = dict(os.environ, PYTHONPATH=os.path.abspath(tree), JITGRAD_CACHE_DIR=cache,
               JITGRAD_COMPILE_NOTICE="0")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", _CHILD, dtype, what, perf_root], env=env,
                         capture_output=True, text=True, check=True, cwd=cache).stdout  # fmt: skip
    got: dict[str, float] = {}
    for line in out.splitlines():
        parts = line.split()
        if parts[:1] == ["FIRST"]:
            if not parts[3].startswith(os.path.abspath(tree) + os.sep):
                raise SystemExit(f"tree {tree} imported jitgrad from {parts[3]}")
            got["first_cpu"], got["first_wall"] = float(parts[1]), float(parts[2])
        elif parts[:1] == ["GRAPH"]:
            got["capture_cpu"], got["capture_grad_cpu"] = float(parts[1]), float(parts[2])
            got["replay_ns"] = float(parts[3])
    return got


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--a", required=True)
    ap.add_argument("--b", default=".")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--ops", type=int, default=10000)
    ap.add_argument("--dtype", default="float32")
    args = ap.parse_args()
    root = os.path.abspath(args.b)
    print("load before:", os.getloadavg(), flush=True)
    got: dict[tuple[str, str], list[dict[str, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="capture-build-") as tmp:
        trees = [("A", args.a), ("B", args.b)]
        for label, tree in trees:
            _one(tree, os.path.join(tmp, f"primed-{label}"), args.dtype, "prime", root)
        for rep in range(args.reps):
            for label, tree in trees if rep % 2 == 0 else trees[::-1]:
                cache = os.path.join(tmp, f"rep{rep}-{label}")
                shutil.copytree(os.path.join(tmp, f"primed-{label}"), cache)
                for mode, ops in (("cold", 0), ("warm", args.ops)):
                    r = _one(tree, cache, args.dtype, str(ops), root)
                    got.setdefault((label, mode), []).append(r)
                    print(f"rep {rep} tree {label} {mode}: {r}", flush=True)
    for (label, mode), samples in sorted(got.items()):
        med = {k: statistics.median(s[k] for s in samples) for k in samples[0]}
        print(f"median tree {label} {mode}: " + ", ".join(f"{k} {v:g}" for k, v in med.items()))
    print("load after:", os.getloadavg())


if __name__ == "__main__":
    main()
