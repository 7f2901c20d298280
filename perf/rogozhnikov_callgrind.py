"""Instruction counts per call of Rogozhnikov's graph's op kinds (issue 16), under callgrind:
the measure that load does not move (two trees, or two versions of one, compared on a busy
machine). Run it under valgrind with instrumentation off until the script turns it on, after
the import and the warm-up (instrumenting ``import jitgrad`` and Numba's kernel loads took
over 13 minutes at load 20; uninstrumented it takes a few):

    valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=/tmp/cg.%p \\
        /path/to/python3.11 perf/rogozhnikov_callgrind.py --lib jitgrad --calls 300
    grep -H '^desc: Trigger\\|^summary' /tmp/cg.<pid>.*   # one dump per kind

(the interpreter binary itself: a pyenv shim is a shell script, which callgrind follows no
further). Each kind's dump holds ``--calls`` calls with the collector off (divide its
``summary`` by ``--calls``); ``graph200`` holds one 200-op graph, forward and backward, the
collector on (divide by 200). Zeroing and dumping go through callgrind's client requests,
from a three-function C library compiled here with ``cc`` (``callgrind_control`` runs
asynchronously, so its dumps would include the control process's own start). Outside
valgrind the requests do nothing. Imports only the chosen library and the standard library.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import importlib
import os
import subprocess
import sys
import tempfile

_SOURCE = """#include <valgrind/callgrind.h>
void cg_on(void) { CALLGRIND_START_INSTRUMENTATION; }
void cg_zero(void) { CALLGRIND_ZERO_STATS; }
void cg_dump(const char *s) { CALLGRIND_DUMP_STATS_AT(s); }
"""


def _requests() -> ctypes.CDLL:
    """callgrind's client requests as a small shared library (needs valgrind's headers)."""
    folder = tempfile.mkdtemp(prefix="cgreq")
    src, lib = os.path.join(folder, "cg.c"), os.path.join(folder, "cg.so")
    with open(src, "w") as f:
        f.write(_SOURCE)
    subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-o", lib, src], check=True)
    return ctypes.CDLL(lib)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lib", default="jitgrad")
    ap.add_argument("--calls", type=int, default=300)
    args = ap.parse_args()
    req = _requests()
    m = importlib.import_module(args.lib)
    F = importlib.import_module(args.lib + ".nn.functional")
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    # (this folder: the timed benchmark's graph and calls)
    from rogozhnikov import run_graph
    from rogozhnikov_calls import call_kinds

    leaves = m.arange(100, dtype=m.float32, requires_grad=True)
    kinds = call_kinds(m, F, leaves)
    for _ in range(3):
        run_graph(m, leaves, 200)[-1].backward()
    for fn in kinds.values():
        for _ in range(50):
            fn()
    gc.disable()
    req.cg_on()
    for name, fn in kinds.items():
        req.cg_zero()
        for _ in range(args.calls):
            fn()
        req.cg_dump(name.encode())
    gc.enable()
    req.cg_zero()
    run_graph(m, leaves, 200)[-1].backward()
    req.cg_dump(b"graph200")


if __name__ == "__main__":
    main()
