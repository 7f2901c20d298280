"""Replay speed of a tape on the tape interpreter with only its codes and with every code.

:mod:`jitgrad.capture.interp` generates a loop per dtype and code set: a tape runs on the loop
of its own codes' families (:func:`~jitgrad.capture.interp.codeset`), or on any loaded or cached
loop with more codes (the full one: every code as an ``elif`` branch). Whether either is
slower: this captures Rogozhnikov's graph (perf/rogozhnikov.py), then runs its tape on both
loops, interleaved, and checks that both leave the same bytes in the arena.

    JITGRAD_CAPTURE_BACKGROUND=0 python perf/interp_full_speed.py --ops 1000 --repeats 7
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from capture_chunk import captured  # noqa: E402

from jitgrad.capture import interp  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ops", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--calls", type=int, default=200)
    args = ap.parse_args()
    program = captured(args.ops)
    loops = {"own": interp.kernel("float32", program.codes), "full": interp.kernel("float32")}
    arenas = {k: program.arena.copy() for k in loops}
    for k, fn in loops.items():  # compile or load both, outside the timings
        fn(program.ins, program.consts, arenas[k])
    times: dict[str, list[float]] = {k: [] for k in loops}
    for _ in range(args.repeats):
        for k, fn in loops.items():
            t0 = time.process_time()
            for _ in range(args.calls):
                fn(program.ins, program.consts, arenas[k])
            times[k].append((time.process_time() - t0) / args.calls)
    same = np.array_equal(arenas["own"].view(np.uint32), arenas["full"].view(np.uint32))
    rows = len(program.ins)
    for k, ts in times.items():
        med = statistics.median(ts)
        print(
            f"{k:6s} median {med * 1e6:8.1f} us per replay ({rows} rows, "
            f"{med / rows * 1e9:.1f} ns per row), min {min(ts) * 1e6:.1f} us"
        )
    ratio = statistics.median(times["own"]) / statistics.median(times["full"])
    print(f"own / full: {ratio:.3f} ({len(program.codes)} of {len(interp.OPS)} codes); "
          f"same arena bytes: {same}")


if __name__ == "__main__":
    main()
