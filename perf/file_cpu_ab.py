"""One test file's CPU seconds under two trees, interleaved, each run in fresh caches.

    python perf/file_cpu_ab.py --a /tmp/base --b . --reps 3 tests/test_replay_eviction.py
    python perf/file_cpu_ab.py --a /tmp/base --b . --seed-kernels DIR tests/test_x.py

Why: a test file's cost in the README command depends on what the caches hold, and wall time
on the shared machine swings with other load. Each run is ``python -m pytest`` on the file
from that tree (``PYTHONPATH`` and cwd set to it), with a new ``JITGRAD_CACHE_DIR`` and
``NUMBA_CACHE_DIR``; the figure is the child's user + system CPU (``RUSAGE_CHILDREN``). The
trees alternate, the order flipping each repetition. ``--seed-kernels DIR`` copies DIR (a
``kernels/<build key>`` folder of generated modules) into each fresh cache first: late in a
full run that folder holds thousands of files, which a test that walks it pays for.
Prints each run, then the medians and the median of the per-repetition ratios B/A.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path


def _run(tree: str, files: list[str], seed: str | None) -> tuple[float, bool]:
    """CPU seconds of one pytest process on ``files`` from ``tree``, and whether it passed."""
    with tempfile.TemporaryDirectory(prefix="file-cpu-ab-") as tmp:
        cache = Path(tmp) / "jg"
        if seed:
            shutil.copytree(seed, cache / "kernels" / Path(seed).name)
        env = dict(os.environ, PYTHONPATH=tree, JITGRAD_CACHE_DIR=str(cache),
                   NUMBA_CACHE_DIR=str(Path(tmp) / "nb"))
        cmd = [sys.executable, "-m", "pytest", "-o", "addopts=", "-q", "-p", "no:cacheprovider",
               *files]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        proc = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode:
        print(proc.stdout[-2000:], proc.stderr[-2000:])
    return cpu, proc.returncode == 0


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--a", required=True, help="tree A (e.g. git archive main)")
    ap.add_argument("--b", required=True, help="tree B (this branch)")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--seed-kernels", help="a kernels/<build key> folder copied into each cache")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args(argv)
    trees = {"A": os.path.abspath(args.a), "B": os.path.abspath(args.b)}
    cpu: dict[str, list[float]] = {"A": [], "B": []}
    print("load", os.getloadavg())
    for rep in range(args.reps):
        for name in ("AB" if rep % 2 == 0 else "BA"):
            seconds, ok = _run(trees[name], args.files, args.seed_kernels)
            cpu[name].append(seconds)
            verdict = "passed" if ok else "FAILED"
            print(f"rep {rep} {name} {seconds:.2f} CPU s {verdict}", flush=True)
    ratios = [b / a for a, b in zip(cpu["A"], cpu["B"], strict=True)]
    print(f"median A {statistics.median(cpu['A']):.2f}  B {statistics.median(cpu['B']):.2f} CPU s; "
          f"median ratio B/A {statistics.median(ratios):.3f}")
    print("load", os.getloadavg())


if __name__ == "__main__":
    main()
