"""CPU seconds of the CUDA-simulator test groups, two trees interleaved (before/after).

Why: the README's test command runs the device tests in Numba's CUDA simulator as three child
processes (``tests/test_cuda_backend.py``'s group A, ``_b.py``'s group B, and
``tests/test_cuda_kernels.py``'s ``kern_*`` modules), each a ``pytest`` over its files with
``NUMBA_ENABLE_CUDASIM=1``, and ``tests/test_cuda_ptx_generated.py``'s ``ptx_generated.py dump``
(group P: small device programs run in the simulator, their launches recorded). This runs
exactly those child commands, as each tree's own runner
chooses its files, and records each child's user + system CPU (``resource``, the child and
anything it waited for) and wall time; repetitions alternate the trees and flip the order
every round so load hits both alike. Each tree gets its own kernel caches; run with
``--warm 1`` first so the rounds measure the simulation, not the compiles a full run shares
with the rest of the suite.

    python perf/sim_groups.py --a /tmp/simtime-base --b . --groups A,B,K --reps 3
    python perf/sim_groups.py --a /tmp/audit-base --b . --groups BK   # B and K, however split

Prints one line per run and, at the end, medians per tree and group and the median ratio A/B.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

#: The files of one group, as the tree's own runner picks them (printed as JSON).
_FILES = """
import json, sys
from pathlib import Path
sys.path.insert(0, "tests")
import test_cuda_backend as b
sim = Path("tests/cuda_sim")
kern = sorted(str(sim / p.name) for p in sim.glob("kern_*.py") if p.name != "kern_common.py")
groups = {"A": b.case_files(False), "B": b.case_files(True), "K": kern, "P": ["dump"]}
# BK: the group-B cases and the kern_* modules, in the child processes the tree's runner uses
# (two before session 19, one since: test_cuda_backend.group_files)
bk = [b.group_files(True)] if hasattr(b, "group_files") else [b.case_files(True), kern]
print(json.dumps({**groups, "BK": bk}))
"""


def group_files(tree: Path) -> dict[str, list[str]]:
    env = dict(os.environ, PYTHONPATH=str(tree))
    env.pop("NUMBA_ENABLE_CUDASIM", None)
    out = subprocess.run(
        [sys.executable, "-c", _FILES], cwd=tree, env=env, capture_output=True, text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def run_group(tree: Path, files: list, cache: str, log: Path) -> dict:
    """One group's child command in ``tree``: its CPU (user, sys), wall, and pytest's summary;
    ``files`` a list of lists: one child per list, their CPU and wall summed."""
    if files and isinstance(files[0], list):
        runs = [run_group(tree, f, cache, Path(f"{log}.{k}")) for k, f in enumerate(files)]
        total = {key: sum(r[key] for r in runs) for key in ("user", "sys", "wall")}
        return {**total, "rc": max(r["rc"] for r in runs),
                "summary": " | ".join(r["summary"] for r in runs)}  # fmt: skip
    env = dict(os.environ, PYTHONPATH=str(tree), NUMBA_ENABLE_CUDASIM="1",
               JITGRAD_CACHE_DIR=f"{cache}/jitgrad", NUMBA_CACHE_DIR=f"{cache}/numba")  # fmt: skip
    cmd = [sys.executable, "-m", "pytest", "-o", "addopts=", "-q", "-p", "no:cacheprovider"]
    if files == ["dump"]:
        cmd = [sys.executable, "tests/cuda_sim/ptx_generated.py", "dump", str(log) + ".json"]
        files = []
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd + files, cwd=tree, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    log.write_text(proc.stdout + proc.stderr)
    summary = (proc.stdout.strip().splitlines() or ["?"])[-1]
    return {"user": after.ru_utime - before.ru_utime, "sys": after.ru_stime - before.ru_stime,
            "wall": wall, "rc": proc.returncode, "summary": summary}  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--a", required=True, help="tree A (before)")
    ap.add_argument("--b", default=".", help="tree B (after)")
    ap.add_argument("--groups", default="A,B,K")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--warm", type=int, default=1, help="unmeasured runs per tree first")
    ap.add_argument("--cache", default="/tmp/simgroups-cache", help="caches: <cache>-a, -b")
    ap.add_argument("--out", default="/tmp/simgroups", help="logs and a JSON line per run")
    args = ap.parse_args(argv)
    trees = {"a": Path(args.a).resolve(), "b": Path(args.b).resolve()}
    groups = args.groups.split(",")
    files = {k: group_files(t) for k, t in trees.items()}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results: dict[tuple[str, str], list[float]] = {}
    order = [("a", "b"), ("b", "a")]
    for rep in range(-args.warm, args.reps):
        for g in groups:
            for k in order[rep % 2]:
                r = run_group(trees[k], files[k][g], f"{args.cache}-{k}", out / f"{k}{g}{rep}.log")
                r.update(tree=k, group=g, rep=rep, load=os.getloadavg()[0])
                print(json.dumps(r), flush=True)
                with open(out / "runs.jsonl", "a") as f:
                    f.write(json.dumps(r) + "\n")
                if r["rc"] != 0:
                    raise SystemExit(f"tree {k} group {g} failed: {out}/{k}{g}{rep}.log")
                if rep >= 0:
                    results.setdefault((k, g), []).append(r["user"] + r["sys"])
    for g in groups:
        a, b = results.get(("a", g), []), results.get(("b", g), [])
        if a and b:
            ratio = statistics.median(x / y for x, y in zip(a, b))
            print(f"group {g}: A {statistics.median(a):.1f} CPU s {a}, "
                  f"B {statistics.median(b):.1f} {b}, median ratio A/B {ratio:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
