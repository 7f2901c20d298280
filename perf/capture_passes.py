"""Passes over memory and allocations of one captured large step, against eager's.

    python perf/capture_passes.py [--workloads gelu,chain,mse] [--n 1048576]

Counts, not times (a loaded machine cannot bend them): for each workload's step
(``perf/impl_module.py``; the inputs cut to ``--n`` elements, at least ``tile.MIN_N``) under
``jitgrad.compile``, what one replay does with arrays of the step's size ``n``:

- *copies*: inputs copied into the arena and gradients copied out of it (each a read and a
  write of ``n`` elements);
- *row passes*: the interpreter's rows over ``n`` elements (each range a row reads or
  writes is a pass);
- *loop passes*: a fused group's views of ``n`` elements (each loaded or stored once per
  element: one pass; loaded and stored: two);
- *launches*: interpreter segments plus host calls;
- *allocations*: ``jitgrad.memory`` requests and fresh mappings, and NumPy ``empty``/
  ``zeros``/``copy`` of a megabyte or more made from Python, during one replay and during one
  eager step.

Eager's fused joint kernel reads each input once and writes each gradient once: ``inputs +
leaves`` passes. Works on trees before this script's run (capbig18) too, reading what each
tree's ``Program`` has.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import numpy as np  # noqa: E402

import jitgrad  # noqa: E402
from jitgrad import memory  # noqa: E402
from jitgrad.capture import interp, tile  # noqa: E402
from perf import impl_module, workloads  # noqa: E402


def _program(name: str, n: int) -> tuple:
    inp = workloads.WORKLOADS[name].inputs(quick=False)
    inp = {k: v[:n] if isinstance(v, np.ndarray) and v.ndim == 1 else v for k, v in inp.items()}
    step = getattr(impl_module, name)(jitgrad, inp)
    compiled = jitgrad.compile(lambda: step()["loss"])
    compiled()
    for _ in range(600):  # until the interpreter is built (calls run eagerly meanwhile)
        programs = [p for e in compiled._capture.entries.values() if type(e) is list for p in e]
        if programs and all(p.kernel is not None or p.runnable() for p in programs):
            break
        time.sleep(0.5)
    compiled()
    return step, compiled, programs[0]


def _group_views(call: object, n: int) -> int:
    """Passes a fused group's loop makes: its views of ``n`` elements (loaded and stored: 2)."""
    ranges = getattr(call, "ranges", None)
    if ranges is None:  # an older tree's closure: its ``ranges`` cell
        cells = [c.cell_contents for c in call.__closure__ or ()]
        ranges = next(c for c in cells if type(c) is list and c and type(c[0]) is tuple)
        return sum(m == n for _, m in ranges)
    both = call.loaded & call.stored
    return sum(m == n for _, m in ranges) + sum(m == n for _, m in both)


def _count_allocations(fn: object) -> dict[str, int]:
    counts = {"memory": 0, "mapped": 0, "numpy": 0}
    saved = (memory._pooled, memory._new_block, np.empty, np.zeros, np.copy)

    def pooled(*a: object) -> object:
        out = saved[0](*a)
        counts["memory"] += out is not None
        return out

    def new_block(*a: object) -> object:
        counts["mapped"] += 1
        return saved[1](*a)

    def numpy(f: object) -> object:
        def call(*a: object, **k: object) -> object:
            out = f(*a, **k)
            counts["numpy"] += out.nbytes >= memory.MIN_BYTES
            return out

        return call

    memory._pooled, memory._new_block = pooled, new_block
    np.empty, np.zeros, np.copy = numpy(saved[2]), numpy(saved[3]), numpy(saved[4])
    try:
        fn()
    finally:
        memory._pooled, memory._new_block, np.empty, np.zeros, np.copy = saved
    return counts


def measure(name: str, n: int) -> None:
    step, compiled, p = _program(name, n)
    copy_in = getattr(p, "copy_in", p.reads)
    copy_out = [g for g in getattr(p, "copy_out", p.grads) if g[1] is not None]
    rows = [r for s in p.steps if type(s) is np.ndarray for r in s]
    row_passes = 0
    for r in rows:
        acc = tile.access(r)
        row_passes += sum(m >= n for _, m in (*acc[0], *acc[1])) if acc else 0
    hosts = [s for s in p.steps if type(s) is not np.ndarray]
    loop_passes = sum(_group_views(h, n) for h in hosts if callable(h))
    big_rows = sorted({interp.OPS[int(r[0])] for r in rows if int(r[4]) >= n})
    step()  # (compiled first: NumPy's wrapped functions are no use to a Numba compile)
    replay = _count_allocations(compiled)
    eager = _count_allocations(step)
    copies = 2 * (sum(m >= n for _, m, _, _ in copy_in) + len(copy_out))
    print(
        f"{name} n={n}: replay passes {copies + row_passes + loop_passes} (copies {copies}, "
        f"interpreter rows {row_passes} {big_rows}, fused loops {loop_passes}); launches "
        f"{len(p.steps)} ({len(hosts)} host call(s)); allocations replay {replay}, eager {eager}"
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python perf/capture_passes.py")
    ap.add_argument("--workloads", default="gelu,chain,mse")
    ap.add_argument("--n", type=int, default=1 << 20)
    args = ap.parse_args(argv)
    for name in args.workloads.split(","):
        measure(name, max(args.n, tile.MIN_N))


if __name__ == "__main__":
    main()
