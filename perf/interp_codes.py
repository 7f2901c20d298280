"""The tape interpreter, code by code: its compile CPU, each elementwise code's replay speed on a
vector row, and a digest of what each code wrote (to compare two trees bit for bit).

    JITGRAD_CACHE_DIR=$(mktemp -d) python perf/interp_codes.py --dtype float32 [--json out.json]

Run it under tree A and tree B (``PYTHONPATH``), alternately, each in a fresh cache: the
compile CPU is the ``--dtype`` full loop's (thread CPU of the first call, after Numba's one-time
start-up was paid by a trivial kernel); then every elementwise op code of
:data:`jitgrad.capture.interp.OPS` runs one row of ``--n`` elements (inputs spanning the
codes' domains, with zeros, infinities, NaN and a few large values), ``--calls`` times per
repeat, interleaved across codes; per code: the median CPU ns per element and a SHA-256 of
the arena after the row. Equal digests under A and B mean the code computes the same bits.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import time

import numpy as np
from numba import njit

from jitgrad.capture import build, interp


def _inputs(n: int, dtype: str, seed: int) -> np.ndarray:
    """``n`` values: mostly uniform in [-4, 4], some in (0, 1), a few specials."""
    rng = np.random.default_rng(seed)
    v = rng.uniform(-4, 4, n)
    v[::7] = rng.uniform(0, 1, v[::7].shape)
    specials = [0.0, -0.0, np.inf, -np.inf, np.nan, 1e6, -3e5, 1.0, -1.0, 20.0, -100.0]
    v[: len(specials)] = specials
    return v.astype(dtype)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dtype", default="float32")
    ap.add_argument("--n", type=int, default=4096)
    ap.add_argument("--calls", type=int, default=50)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    njit(lambda v: v + 1)(1)  # Numba's one-time start-up, outside the compile timing
    t0 = time.thread_time()
    loop = build._build(args.dtype)  # every code
    compile_s = time.thread_time() - t0
    print(f"compile CPU (full {args.dtype} loop): {compile_s:.2f} s")
    n = args.n
    parts = [_inputs(n, args.dtype, s) for s in range(3)]
    arena0 = np.concatenate([*parts, np.zeros(n, args.dtype)])
    consts = np.array([0.5, 2.0, 0.25, 1.5])
    rows = {}
    for name, code in interp.CODE.items():
        if name != interp.OPS[code]:
            continue  # an alias
        if interp.SUM <= code <= interp.B_SOFTMAX:
            continue  # whole-slot rows (sums, softmax, optimizers): not elementwise
        ins = np.array([[code, 3 * n, 0, n, n, 0, 0, 2 * n]], np.int32)
        rows[name] = ins
    digests, times = {}, {k: [] for k in rows}
    for name, ins in rows.items():
        a = arena0.copy()
        loop(ins, consts, a)
        digests[name] = hashlib.sha256(a.tobytes()).hexdigest()[:16]
    for _ in range(args.repeats):
        for name, ins in rows.items():
            a = arena0.copy()
            t = time.process_time()
            for _ in range(args.calls):
                loop(ins, consts, a)
            times[name].append((time.process_time() - t) / args.calls / n * 1e9)
    med = {k: statistics.median(v) for k, v in times.items()}
    for name in rows:
        print(f"{name:16s} {med[name]:7.2f} ns/element  {digests[name]}")
    total = sum(med.values())
    print(f"sum over {len(rows)} codes: {total:.1f} ns/element")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"compile_s": compile_s, "ns": med, "digest": digests}, f)


if __name__ == "__main__":
    main()
