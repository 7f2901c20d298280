"""How long Numba takes to compile straight-line tape source, by rows per function.

Captures Rogozhnikov's graph (perf/rogozhnikov.py) with ``jitgrad.compile``, takes the first
``--rows`` rows of its tape and compiles their straight-line source
(:mod:`jitgrad.capture.straight`) once per ``--chunk`` value (each a new module, so nothing
comes from the disk cache), printing the compile seconds and seconds per row. This is how
:data:`jitgrad.capture.straight.CHUNK` was chosen.

    python perf/capture_chunk.py --ops 1000 --rows 2000 --chunk 250 500 1000 2000
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from rogozhnikov import run_graph  # noqa: E402

import jitgrad as m  # noqa: E402
from jitgrad.capture import straight  # noqa: E402


def captured(ops: int) -> object:
    """Rogozhnikov's graph of ``ops`` ops captured by ``jitgrad.compile`` (traced, replayed
    once): its :class:`jitgrad.capture.tape.Program`."""
    leaves = m.arange(100, dtype=m.float32, requires_grad=True)
    step = m.compile(lambda leaves: run_graph(m, leaves, ops)[-1].backward())
    step(leaves)
    step(leaves)
    return [p for e in step._capture.entries.values() for p in e][-1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ops", type=int, default=1000)
    ap.add_argument("--rows", type=int, default=2000)
    ap.add_argument("--chunk", type=int, nargs="+", default=[250, 500, 1000, 2000])
    args = ap.parse_args()
    program = captured(args.ops)
    program.ins = program.ins[: args.rows]
    straight.build(program, 64)  # the helpers' own compiles, outside the timings
    for chunk in args.chunk:
        t0 = time.perf_counter()
        s = straight.build(program, chunk)
        took = time.perf_counter() - t0
        print(f"rows {len(program.ins)}, {chunk} rows per function ({s.functions} functions): "
              f"compile {took:.1f} s, {took / len(program.ins) * 1e3:.1f} ms per row, "
              f"from disk {s.from_disk}", flush=True)


if __name__ == "__main__":
    main()
