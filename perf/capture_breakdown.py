"""Where a captured step's CPU time goes: each interpreter segment and host call of its
program timed with ``time.process_time_ns`` (perf/gpt_step.py's steps, or any size of
perf/capture_mlp.py), summed by host call, over ``N`` replays after the warm-up.

    OPENBLAS_NUM_THREADS=1 python perf/capture_breakdown.py gpt
"""

from __future__ import annotations

import collections
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import jitgrad as torch  # noqa: E402
from perf.capture_mlp import _step  # noqa: E402

N = 30


def _timed(step, key: str, acc: collections.Counter):
    def run(*a):
        t = time.process_time_ns()
        step(*a)
        acc[key] += time.process_time_ns() - t

    return run


def main(size: str) -> None:
    fn, args = _step(torch, size, True)
    for _ in range(4):
        fn(*args)
    (prog,) = [p for e in fn._capture.entries.values() if type(e) is list for p in e]
    acc: collections.Counter = collections.Counter()
    kernel = _timed(prog.kernel, "interpreter segments", acc)
    prog.kernel = lambda ins, consts, arena: kernel(ins, consts, arena)
    prog.steps = [s if type(s) is np.ndarray else
                  _timed(s, s.__qualname__.replace("<locals>.", ""), acc) for s in prog.steps]
    t = time.process_time()
    for _ in range(N):
        fn(*args)
    total = (time.process_time() - t) / N * 1e3
    print(f"{size}: captured step {total:.2f} CPU ms (mean of {N})\n{fn.explain()}")
    for key, ns in acc.most_common():
        print(f"  {ns / N / 1e6:7.3f} ms  {key}")
    print(f"  {total - sum(acc.values()) / N / 1e6:7.3f} ms  the rest (arena reads and writes, "
          "guards, Python)")  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "gpt")
