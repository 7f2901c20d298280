"""A short program's first, second and third process in one fresh kernel cache, per tree.

Issue 16 section 3 ("a first run that does not wait on the compiler"): tier 0 interprets a
new generated kernel until it gets hot, so a short program of small ops could stay
interpreted in every run of a fresh cache. This runs ``perf/rogozhnikov.py`` (or any script
that prints ``N us per op-iteration``) as consecutive processes over one empty
``JITGRAD_CACHE_DIR`` for each configuration, the configurations interleaved round by round,
and reports per process the script's own figure (CPU time with ``--cpu-time``) and the
process's CPU seconds; with ``--settle`` each process also waits, after the script, for the
background compile it started (``jitgrad.fusion.tier0_background``) and reports that child's
CPU, which the program's own CPU does not include.

    python perf/tier0_runs.py --a /tmp/base --b . --rounds 3
    python perf/tier0_runs.py --a /tmp/base --b . --rounds 3 --settle   # child CPU too

Configurations (``--configs``): ``A`` and ``B`` (trees, default settings), ``B0`` (tree B with
``JITGRAD_TIER0=0``: every kernel compiled at its first call), ``Bn`` (tree B with
``JITGRAD_TIER0_BACKGROUND=0``: no background compile, no heat). Medians over rounds.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

# Runs the script in this process, then (with settle) ends the background child's input and
# waits for it, printing its CPU seconds (the process's children: that child only).
WRAPPER = """
import resource, runpy, sys
script, settle = sys.argv[1], sys.argv[2] == "1"
sys.argv = [script, *sys.argv[3:]]
try:
    runpy.run_path(script, run_name="__main__")
finally:
    if settle:
        try:
            from jitgrad.fusion import tier0_background as B
        except ImportError:
            B = None
        proc = B and B._child[0]
        if proc is not None:
            proc.stdin.close()
            proc.wait()
        r = resource.getrusage(resource.RUSAGE_CHILDREN)
        print(f"child cpu {r.ru_utime + r.ru_stime:.3f}")
"""
FIGURE = re.compile(r"([0-9.]+) us per op-iteration")


def run(tree: str, cache: str, script: list[str], settle: bool, **env: str) -> dict:
    full = {k: v for k, v in os.environ.items() if not k.startswith("JITGRAD_")}
    full.update(PYTHONPATH=str(Path(tree).resolve()), JITGRAD_CACHE_DIR=cache,
                JITGRAD_COMPILE_NOTICE="0", **env)  # fmt: skip
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    res = subprocess.run([sys.executable, "-c", WRAPPER, script[0], str(int(settle)), *script[1:]],
                         env=full, capture_output=True, text=True, cwd=tree)  # fmt: skip
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if res.returncode:
        raise SystemExit(res.stderr)
    found = FIGURE.search(res.stdout)
    child = re.search(r"child cpu ([0-9.]+)", res.stdout)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "us": float(found.group(1)),
        "cpu": cpu - (float(child.group(1)) if child else 0.0),  # (the wrapper waited for it)
        "child": float(child.group(1)) if child else 0.0,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--a", required=True, help="tree A (e.g. git archive main)")
    ap.add_argument("--b", default=".", help="tree B")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--processes", type=int, default=3, help="processes per fresh cache")
    ap.add_argument("--settle", action="store_true", help="wait for and count the child")
    ap.add_argument("--configs", default="A,B,B0", help="of A, B, B0, Bn (comma-separated)")
    ap.add_argument("--script", default="perf/rogozhnikov.py --ops 200 --iters 5 --cpu-time "
                    "--repeats 5", help="the program, run from each tree")  # fmt: skip
    args = ap.parse_args()
    every = {
        "A": (args.a, {}),
        "B": (args.b, {}),
        "B0": (args.b, {"JITGRAD_TIER0": "0"}),
        "Bn": (args.b, {"JITGRAD_TIER0_BACKGROUND": "0"}),
    }
    configs = {name: every[name] for name in args.configs.split(",")}
    results: dict[str, list[list[dict]]] = {name: [] for name in configs}
    for r in range(args.rounds):
        order = list(configs) if r % 2 == 0 else list(reversed(configs))
        for name in order:
            tree, env = configs[name]
            with tempfile.TemporaryDirectory(prefix="t0runs-") as cache:
                procs = [run(tree, cache, args.script.split(), args.settle, **env)
                         for _ in range(args.processes)]  # fmt: skip
            results[name].append(procs)
            line = "  ".join(f"p{i + 1} {p['us']:.1f} us {p['cpu']:.2f}+{p['child']:.2f} s"
                             for i, p in enumerate(procs))  # fmt: skip
            print(f"round {r + 1} {name:3s} {line}", flush=True)
    print(f"medians over {args.rounds} rounds (us per op-iteration; process CPU s + child CPU s):")
    for name, rounds in results.items():
        cells = []
        for i in range(args.processes):
            us = statistics.median(p[i]["us"] for p in rounds)
            cpu = statistics.median(p[i]["cpu"] for p in rounds)
            child = statistics.median(p[i]["child"] for p in rounds)
            cells.append(f"p{i + 1} {us:6.1f} us {cpu:5.2f}+{child:4.2f} s")
        print(f"  {name:3s} " + "  ".join(cells))


if __name__ == "__main__":
    main()
