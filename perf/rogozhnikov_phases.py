"""Rogozhnikov's scalar graph (perf/rogozhnikov.py) split into its phases: the forward
(building the graph), ``backward()`` and releasing the graph, per op-iteration (issue 16:
which half holds the gap to PyTorch eager).

    python perf/rogozhnikov_phases.py                         # jitgrad, CPU us per op, medians
    /tmp/torchenv/bin/python perf/rogozhnikov_phases.py --lib torch
    valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=/tmp/cg.%p \\
        /path/to/python3.11 perf/rogozhnikov_phases.py --callgrind   # one dump per phase

``--callgrind``: after 10 warm-up graphs, 4 graphs each dumped as ``fwd<k>``, ``bwd<k>``,
``free<k>`` (graphs 0-1 with the cycle collector on, 2-3 off, a ``gc.collect()`` before each;
divide a dump's ``summary`` by ``--ops``); the client requests come from
perf/rogozhnikov_callgrind.py. Imports only the chosen library and the standard library.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # (this folder's scripts)
from rogozhnikov import run_graph  # noqa: E402


def cpu_split(m, leaves, n_ops: int, graphs: int) -> dict[str, float]:
    """Median CPU microseconds per op-iteration of each phase over ``graphs`` graphs."""
    pt, phases = time.process_time, {"forward": [], "backward": [], "release": []}
    for _ in range(graphs):
        t0 = pt()
        nodes = run_graph(m, leaves, n_ops)
        t1 = pt()
        nodes[-1].backward()
        t2 = pt()
        del nodes
        t3 = pt()
        for name, dt in zip(phases, (t1 - t0, t2 - t1, t3 - t2), strict=True):
            phases[name].append(dt * 1e6 / n_ops)
    return {name: statistics.median(v) for name, v in phases.items()}


def callgrind_split(m, leaves, n_ops: int) -> None:
    """The four graphs' phases as callgrind dumps (see the module docstring)."""
    from rogozhnikov_callgrind import _requests  # (needs cc and valgrind's headers)

    req = _requests()
    req.cg_on()
    for k in range(4):
        gc.collect()
        if k >= 2:
            gc.disable()
        req.cg_zero()
        nodes = run_graph(m, leaves, n_ops)
        req.cg_dump(f"fwd{k}{'gc' if k < 2 else 'nogc'}".encode())
        nodes[-1].backward()
        req.cg_dump(f"bwd{k}".encode())
        del nodes
        req.cg_dump(f"free{k}".encode())
        gc.enable()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lib", default="jitgrad")
    ap.add_argument("--ops", type=int, default=200)
    ap.add_argument("--graphs", type=int, default=40, help="graphs timed (CPU split)")
    ap.add_argument("--callgrind", action="store_true", help="dump each phase (see above)")
    args = ap.parse_args()
    m = importlib.import_module(args.lib)
    importlib.import_module(args.lib + ".nn.functional")
    leaves = m.arange(100, dtype=m.float32, requires_grad=True)
    for _ in range(10 if args.callgrind else 3):
        run_graph(m, leaves, args.ops)[-1].backward()
    if args.callgrind:
        callgrind_split(m, leaves, args.ops)
        return
    split = cpu_split(m, leaves, args.ops, args.graphs)
    print(f"{args.lib}: " + ", ".join(f"{k} {v:.2f}" for k, v in split.items())
          + f" us CPU per op-iteration (medians of {args.graphs} graphs of {args.ops} ops)")


if __name__ == "__main__":
    main()
