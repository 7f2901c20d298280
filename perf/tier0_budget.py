"""A program's CPU seconds when tier 0 keeps or compiles its fused kernels with reductions, A/B.

Tier 0's budget (:data:`jitgrad.fusion.tier0.BUDGET`, and since Run gen19 a share of the
kernel's estimated compile) decides when an interpreted kernel compiles. This runs the corpus's
``dynamic_net`` program (``import torch`` answered by jitgrad: a polynomial fit on 2000 points
whose fused forward+backward kernels sum 4-5 gradients each; its loop length replaced by
``--steps``: the corpus runs 600, the tutorial 30000) as one process per tree and round, each
in a fresh copy of a cache holding only that tree's built tier-0 interpreter (as in a test run
or a user's second program: the interpreter is there, the program's kernels are not), rounds
interleaved, and reports the process's CPU seconds (user + system) and how many kernels it
compiled.

    python perf/tier0_budget.py --a /tmp/audit-base --b . --steps 600 5000 --rounds 3
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile

PROGRAM = """
import json, sys
from pathlib import Path
from jitgrad.fusion import diskcache
source = Path(sys.argv[2]).read_text().replace("range(600)", f"range({int(sys.argv[1])})")
sys.modules["torch"] = __import__("jitgrad")
exec(compile(source, sys.argv[2], "exec"), {"__name__": "__main__"})
print(json.dumps({"compiled": diskcache._stats["compiled"]}))
"""
#: the corpus program, its loop length replaced by ``--steps``
SOURCE = "tests/programs/corpus/dynamic_net.py"

PREPARE = """
from jitgrad.fusion import tier0
tier0.AFTER_COMPILES = 0
assert tier0.ready("float32")
"""


def _env(tree: str, cache: str) -> dict:
    env = dict(os.environ, PYTHONPATH=tree, JITGRAD_CACHE_DIR=cache)
    env.update(JITGRAD_TIER0_BACKGROUND="0", JITGRAD_CAPTURE_BACKGROUND="0")
    return env


def _run(tree: str, cache: str, steps: int) -> tuple[float, dict]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    argv = [sys.executable, "-c", PROGRAM, str(steps), os.path.join(tree, SOURCE)]
    proc = subprocess.run(argv, env=_env(tree, cache),
                          capture_output=True, text=True, check=True)  # fmt: skip
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, json.loads(proc.stdout.splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--a", required=True)
    ap.add_argument("--b", required=True)
    ap.add_argument("--steps", type=int, nargs="+", default=[600, 5000])
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="tier0_budget-")
    trees = {"A": args.a, "B": args.b}
    # each tree's interpreter, built once and restored to the same directory for each run (its
    # marker is named by the cache directory: tier0.marker_path)
    for tag, tree in trees.items():
        subprocess.run([sys.executable, "-c", PREPARE], env=_env(tree, f"{work}/{tag}"), check=True)
        shutil.copytree(f"{work}/{tag}", f"{work}/{tag}-saved")
    results: dict = {}
    for r in range(args.rounds):
        for steps in args.steps:
            for tag, tree in trees.items() if r % 2 == 0 else reversed(trees.items()):
                cache = f"{work}/{tag}"
                shutil.rmtree(cache, ignore_errors=True)
                shutil.copytree(f"{work}/{tag}-saved", cache)
                cpu, out = _run(tree, cache, steps)
                results.setdefault((steps, tag), []).append((cpu, out))
                print(f"round {r} steps {steps} {tag}: {cpu:.2f} CPU s, {out}", flush=True)
    for steps in args.steps:
        med = {t: statistics.median(c for c, _ in results[(steps, t)]) for t in trees}
        comp = {t: [o["compiled"] for _, o in results[(steps, t)]] for t in trees}
        ratio = med["B"] / med["A"]
        print(f"steps {steps}: A {med['A']:.2f} B {med['B']:.2f} CPU s (B/A {ratio:.2f});"
              f" compiled A {comp['A']} B {comp['B']}")  # fmt: skip
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
