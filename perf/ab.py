"""Two jitgrad trees on one benchmark, in alternating processes: before/after on a busy machine.

    python perf/ab.py --a /work/main --b . --reps 7 -- perf/rogozhnikov.py --ops 200 --iters 5

Each repetition runs the command once with ``PYTHONPATH`` set to tree A and once to tree B
(the order flips every repetition, so neither tree always runs second), both from tree B's
``perf/`` script, and reads the first number the output's ``--pattern`` matches (default:
rogozhnikov.py's ``us per op-iteration``). Load from other processes hits both trees alike;
the medians and the median of the per-repetition ratios B/A are what to report, with the
load average printed before and after.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys

# Runs the script as ``python script args`` would, then says which jitgrad it imported: a
# script that puts its own tree first on sys.path (to import ``perf``) would otherwise time
# tree B twice and report a ratio of 1 (perf/cpu_ab.py did, session 9).
_WRAPPER = """
import os, runpy, sys
script = sys.argv[1]
sys.argv = sys.argv[1:]
sys.path[0] = os.path.dirname(os.path.abspath(script))  # as python script: not the cwd
runpy.run_path(script, run_name="__main__")
import jitgrad
print("ab.py: jitgrad from " + os.path.abspath(jitgrad.__file__))
"""


def run_once(tree: str, cmd: list[str], pattern: re.Pattern) -> float:
    root = os.path.abspath(tree)
    env = dict(os.environ, PYTHONPATH=root)
    out = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *cmd], env=env, capture_output=True, text=True,
        check=True,
    ).stdout
    origin = out.rsplit("ab.py: jitgrad from ", 1)[-1].strip()
    if not origin.startswith(root + os.sep):
        raise SystemExit(f"tree {root} ran jitgrad from {origin}: the script overrides PYTHONPATH")
    m = pattern.search(out)
    if m is None:
        raise SystemExit(f"no match for {pattern.pattern!r} in:\n{out}")
    return float(m.group(1))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--a", required=True, help="tree A (before), e.g. /work/main")
    ap.add_argument("--b", default=".", help="tree B (after; default: this directory)")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--pattern", default=r"([0-9.]+) us per op-iteration")
    ap.add_argument("cmd", nargs=argparse.REMAINDER, help="-- script and its arguments")
    args = ap.parse_args(argv)
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    pattern = re.compile(args.pattern)
    print(f"load average before: {os.getloadavg()}")
    a, b = [], []
    for rep in range(args.reps):
        order = [("a", args.a), ("b", args.b)]
        for name, tree in order if rep % 2 == 0 else order[::-1]:
            (a if name == "a" else b).append(run_once(tree, cmd, pattern))
        print(f"rep {rep}: A {a[-1]:.2f}  B {b[-1]:.2f}  B/A {b[-1] / a[-1]:.3f}", flush=True)
    ratios = [y / x for x, y in zip(a, b, strict=True)]
    print(f"load average after: {os.getloadavg()}")
    print(
        f"A median {statistics.median(a):.2f} (min {min(a):.2f}); "
        f"B median {statistics.median(b):.2f} (min {min(b):.2f}); "
        f"median B/A {statistics.median(ratios):.3f}"
    )


if __name__ == "__main__":
    main()
