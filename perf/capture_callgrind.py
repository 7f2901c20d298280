"""Instructions per replay of a captured step (issue 16 section 1), under callgrind: the
measure that load does not move, for comparing two trees on a busy machine. The steps are
perf/capture_vs_jax.py's (the 200-op dispatch workload and the scalar logistic step with its
SGD update); each is built, traced and warmed with instrumentation off, then ``--calls``
replays are counted, one callgrind dump per step:

    JITGRAD_CAPTURE_BACKGROUND=0 valgrind --tool=callgrind --instr-atstart=no \\
        --callgrind-out-file=/tmp/cg.%p /root/.pyenv/versions/3.11.7/bin/python3 \\
        perf/capture_callgrind.py --calls 2000
    grep -H '^desc: Trigger\\|^summary' /tmp/cg.<pid>.*   # divide summary by --calls

(``JITGRAD_CAPTURE_BACKGROUND=0``: the tape interpreter is compiled or loaded before the
warm-up ends, else the counted calls could be eager ones; the script checks each step
replays.) Put the tree to measure first on ``PYTHONPATH``; this script imports only
jitgrad, the standard library and its two neighbours in perf/.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from capture_vs_jax import _jitgrad  # noqa: E402
from rogozhnikov_callgrind import _requests  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=2000)
    ap.add_argument("--which", default="logistic,dispatch")
    args = ap.parse_args()
    req = _requests()
    steps = {}
    for which in args.which.split(","):
        fn, _ = _jitgrad(which)
        for _ in range(300):
            fn()
        programs = [p for e in fn._capture.entries.values() if type(e) is list for p in e]
        if not programs or any(p.kernel is None for p in programs):
            sys.exit(f"the {which} step does not replay:\n{fn.explain()}")
        print(which, f"{len(programs)} program(s)", file=sys.stderr)
        steps[which] = fn
    gc.disable()
    req.cg_on()
    for which, fn in steps.items():
        req.cg_zero()
        for _ in range(args.calls):
            fn()
        req.cg_dump(which.encode())
    gc.enable()


if __name__ == "__main__":
    main()
