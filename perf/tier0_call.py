"""The CPU cost of one interpreted tier-0 call, narrow and wide, A/B between two trees.

Tier 0 runs the first steps of the demo and of the README's example: a kernel's call there
is ``Tier0.__call__`` (the program looked up, the budget counted, the interpreter run). This
times that call, in CPU time, for ``tanh(a * b) + a`` (two array inputs, one output) on 16
and on 4096 float32 elements and, where the tree takes it, a wide kernel (13 array inputs and
a scalar, 10 stored outputs, float64, 16 elements: several passes since the wide run). Each
tree runs in its own process (``--a``, ``--b``: tree paths; their interpreters should be in
``--cache-a``/``--cache-b``, copied per process, so no build is timed), rounds interleaved,
medians reported with the B/A ratio.

    python perf/tier0_call.py --a /tmp/t0wide-base --b . --cache-a DIR --cache-b DIR --rounds 5
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

CHILD = r"""
import json, sys, time
from dataclasses import replace
import numpy as np
from jitgrad.fusion import codegen as C, lowering as LW, tier0, tier0_interp as I
from jitgrad.ops.registry import REGISTRY

tier0.BUDGET = 1e9  # (stay interpreted)
calls = int(sys.argv[1])

def narrow(dt):
    mul, tanh, add = REGISTRY["mul"], REGISTRY["tanh"], REGISTRY["add"]
    members = (LW.Apply(add, dt, dt, ((LW.MEMBER, 1), (LW.ARG, "x0", None))),
               LW.Apply(tanh, dt, dt, ((LW.MEMBER, 2),)),
               LW.Apply(mul, dt, dt, ((LW.ARG, "x0", None), (LW.ARG, "x1", None))))
    group = LW.Group("t0call_add_tanh_mul", members, (("x0", False), ("x1", False)),
                     (("out", ("value", 0), C.STORE, dt),), 1)
    return LW.lower(group)

def wide(dt, n_arrays=13, n_out=10):
    tanh = "_fm.tanh32" if dt == "float32" else "_fm.tanh64"
    stmts = [("t0", "x0_ * x1_")]
    for k in range(2, n_arrays):
        e = f"{tanh}(t{k-2}) + x{k}_ * s" if k % 3 else f"t{k-2} - x{k}_ / (x{k-1}_ + x0_)"
        stmts.append((f"t{k-1}", e))
    stmts += [(f"w{j}", f"t{n_arrays-2} * x{j}_ - t{j}") for j in range(n_out)]
    base = LW.op_forward(REGISTRY["add"], "tt", 1, False, dt, dt)
    return replace(base, label="t0call_wide", stmts=tuple(stmts),
                   inputs=tuple((f"x{k}", False) for k in range(n_arrays)) + (("s", True),),
                   outputs=tuple((f"o{j}", f"w{j}", C.STORE, dt) for j in range(n_out)))

def time_calls(spec, args, dt):
    kernel = C.get_kernel(spec)
    I.loop(dt)
    fn = tier0.Tier0(kernel, kernel.fn, C.REDUCE_BLOCK, True)
    kernel.fn = fn
    if fn.take(tuple(args)) is None:
        return None
    for _ in range(50):
        fn(*args)
    t = time.process_time()
    for _ in range(calls):
        fn(*args)
    return (time.process_time() - t) / calls * 1e6

rng = np.random.default_rng(0)
out = {}
for n in (16, 4096):
    a, b = (rng.standard_normal(n).astype(np.float32) for _ in range(2))
    out[f"narrow f32 n={n}"] = time_calls(narrow("float32"), [a, b, np.zeros(n, np.float32)],
                                          "float32")
xs = [rng.standard_normal(16) for _ in range(13)]
try:  # (a tree without passes hands the call to the interpreter's 8 slots: TypeError)
    out["wide f64 n=16"] = time_calls(wide("float64"),
                                      [*xs, 0.7, *(np.zeros(16) for _ in range(10))], "float64")
except TypeError:
    out["wide f64 n=16"] = None
print(json.dumps(out))
"""


def one(tree: str, cache: str, calls: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        work = os.path.join(tmp, "jg")
        shutil.copytree(cache, work)
        env = {k: v for k, v in os.environ.items() if not k.startswith("JITGRAD_")}
        env.update(PYTHONPATH=os.path.abspath(tree), JITGRAD_CACHE_DIR=work,
                   JITGRAD_COMPILE_NOTICE="0", JITGRAD_TIER0_BACKGROUND="0")  # fmt: skip
        res = subprocess.run([sys.executable, "-c", CHILD, str(calls)], env=env, cwd=tmp,
                             capture_output=True, text=True, check=True)  # fmt: skip
        return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--a", required=True)
    ap.add_argument("--b", required=True)
    ap.add_argument("--cache-a", required=True)
    ap.add_argument("--cache-b", required=True)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--calls", type=int, default=20000)
    args = ap.parse_args()
    runs: dict[str, list] = {"A": [], "B": []}
    for r in range(args.rounds):
        for name in ("A", "B") if r % 2 == 0 else ("B", "A"):
            tree, cache = (args.a, args.cache_a) if name == "A" else (args.b, args.cache_b)
            runs[name].append(one(tree, cache, args.calls))
            print(name, r, runs[name][-1], time.strftime("%T"), os.getloadavg()[0], flush=True)
    for key in runs["A"][0]:
        med = {n: statistics.median(x[key] for x in runs[n]) if runs[n][0][key] else None
               for n in runs}  # fmt: skip
        ratio = f"{med['B'] / med['A']:.3f}" if med["A"] and med["B"] else "-"
        a, b = (f"{med[n]:8.2f}" if med[n] else "       -" for n in "AB")
        print(f"{key:18s} A {a} us  B {b} us  B/A {ratio}")


if __name__ == "__main__":
    main()
