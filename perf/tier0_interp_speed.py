"""Tier 0's interpreters per element, A/B between two trees: time, or callgrind's instructions.

    python perf/tier0_interp_speed.py --a /tmp/audit-base --b . [--rounds 5]
    python perf/tier0_interp_speed.py --a /tmp/audit-base --b . --callgrind

Why: a change to how an interpreter is built (its op table split, rows called through a
pointer, fewer specializations: Run t0interp19) must not make the loop slower per element.
Each case is one generated kernel's program run by ``Program.launch`` on 4096 elements: a
narrow float32 chain (``tanh(a * b) + a``), float64 ``digamma`` and ``special_zeta`` (special
rows), a complex64 ``mul`` backward accumulating into a complex64 and a float32 gradient
(``ACC`` rows of two types), complex128 ``exp``. Each tree runs in its own processes, over
its own kernel cache (``--cache-a``/``--cache-b``, default: filled by a first run here, not
timed), so nothing compiles in a timed child.

Time: each child times ``--calls`` launches per case in process CPU time; rounds alternate
A B / B A; medians. Callgrind (load-proof): each tree's child runs once with ``--calls`` and
once with none, under ``valgrind --tool=callgrind``; the difference of the two totals over
(calls x elements x rows) is the instructions per element and row of all cases together
(``--cases`` picks one).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

CHILD = r"""
import json, sys, time
import numpy as np
from jitgrad.fusion import codegen as C, lowering as LW, tier0
from jitgrad.ops.registry import REGISTRY, complex_form

calls, wanted = int(sys.argv[1]), sys.argv[2].split(",")
n = 4096
rng = np.random.default_rng(0)
x, y = rng.uniform(0.5, 4.0, n), rng.uniform(1.5, 4.0, n)
z = (rng.standard_normal(n) + 1j * rng.standard_normal(n)).astype(np.complex64)

def chain():
    dt = "float32"
    mul, tanh, add = REGISTRY["mul"], REGISTRY["tanh"], REGISTRY["add"]
    members = (LW.Apply(add, dt, dt, ((LW.MEMBER, 1), (LW.ARG, "x0", None))),
               LW.Apply(tanh, dt, dt, ((LW.MEMBER, 2),)),
               LW.Apply(mul, dt, dt, ((LW.ARG, "x0", None), (LW.ARG, "x1", None))))
    group = LW.Group("t0speed_chain", members, (("x0", False), ("x1", False)),
                     (("out", ("value", 0), C.STORE, dt),), 1)
    a, b = x.astype(np.float32), y.astype(np.float32)
    return LW.lower(group), (a, b, np.zeros(n, np.float32))

def unary(name, dt, arg):
    op = REGISTRY[name]
    if dt.startswith("complex"):
        op = complex_form(op)
    return LW.op_forward(op, "t", 1, False, dt, dt), (arg, np.zeros(n, arg.dtype))

def binary(name):
    return LW.op_forward(REGISTRY[name], "tt", 1, False, "float64", "float64"), (
        y, x, np.zeros(n))

def mul_acc():
    spec, order = LW.op_backward(complex_form(REGISTRY["mul"]), "tt", (C.ACCUMULATE,) * 2, 1,
                                 False, "complex64", ("complex64", "float32"))
    return spec, (*[z] * len(order), np.zeros(n, np.complex64), np.zeros(n, np.float32))

CASES = {"chain_f32": chain, "digamma_f64": lambda: unary("digamma", "float64", x),
         "zeta_f64": lambda: binary("special_zeta"), "mul_acc_c64": mul_acc,
         "exp_c128": lambda: unary("exp", "complex128", z.astype(np.complex128))}
out = {}
for name in wanted:
    spec, args = CASES[name]()
    kernel = C.get_kernel(spec)
    program = tier0.translate(spec, args, C.REDUCE_BLOCK)
    if program.dtype == "complex":
        tier0.X.loop()
    else:
        tier0.I.loop(program.dtype)
    program.launch(kernel, args)  # (the special rows' table linked: not timed)
    t = time.process_time()
    for _ in range(calls):
        program.launch(kernel, args)
    cpu = time.process_time() - t
    out[name] = {"ns": cpu / max(calls, 1) / n / program.rows * 1e9, "rows": program.rows}
print(json.dumps(out))
"""

ALL = "chain_f32,digamma_f64,zeta_f64,mul_acc_c64,exp_c128"


def _env(tree: str, cache: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JITGRAD_")}
    env.update(PYTHONPATH=os.path.abspath(tree), JITGRAD_CACHE_DIR=cache,
               JITGRAD_COMPILE_NOTICE="0", JITGRAD_TIER0_BACKGROUND="0")  # fmt: skip
    return env


def child(tree: str, cache: str, calls: int, cases: str, valgrind: list | None = None,
          copy: bool = True) -> dict:  # fmt: skip
    """One process of ``tree`` over a copy of ``cache`` (``copy`` False: ``cache`` itself):
    the cases' JSON (and, under valgrind, ``"ir"``: callgrind's total instructions)."""
    with tempfile.TemporaryDirectory() as tmp:
        work = os.path.join(tmp, "jg")
        if copy:
            shutil.copytree(cache, work)
        else:
            work = cache
        cmd = [sys.executable, "-c", CHILD, str(calls), cases]
        if valgrind is not None:
            cmd = [*valgrind, f"--callgrind-out-file={tmp}/cg.out", *cmd]
        res = subprocess.run(cmd, env=_env(tree, work), cwd=tmp, capture_output=True,
                             text=True, check=True)  # fmt: skip
        got = json.loads(res.stdout.strip().splitlines()[-1])
        if valgrind is not None:
            got["ir"] = int(re.search(r"Collected\s*:\s*(\d+)", res.stderr).group(1))
        return got


def fill(tree: str, cache: str | None, cases: str) -> str:
    """A kernel cache holding ``tree``'s interpreters: ``cache`` as it is, or (missing or
    empty) filled by one untimed child."""
    if cache and os.path.isdir(cache) and os.listdir(cache):
        return cache
    cache = cache or tempfile.mkdtemp(prefix="t0speed-")
    os.makedirs(cache, exist_ok=True)
    child(tree, cache, 0, cases, copy=False)
    return cache


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--a", required=True)
    ap.add_argument("--b", required=True)
    ap.add_argument("--cache-a")
    ap.add_argument("--cache-b")
    ap.add_argument("--cases", default=ALL)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--calls", type=int, default=300)
    ap.add_argument("--callgrind", action="store_true")
    args = ap.parse_args()
    trees = {"A": args.a, "B": args.b}
    caches = {k: fill(trees[k], getattr(args, f"cache_{k.lower()}"), args.cases) for k in trees}
    if args.callgrind:
        vg = ["valgrind", "--tool=callgrind", "--dump-instr=no"]
        for name in trees:
            full = child(trees[name], caches[name], args.calls, args.cases, vg)
            none = child(trees[name], caches[name], 0, args.cases, vg)
            rows = sum(v["rows"] for k, v in full.items() if k != "ir")
            per = (full["ir"] - none["ir"]) / (args.calls * 4096 * rows)
            print(f"{name}: {per:.2f} instructions per element and row ({rows} rows in all; "
                  f"{full['ir']} - {none['ir']})", flush=True)
        return
    runs: dict[str, list] = {"A": [], "B": []}
    for r in range(args.rounds):
        for name in ("A", "B") if r % 2 == 0 else ("B", "A"):
            runs[name].append(child(trees[name], caches[name], args.calls, args.cases))
            print(name, r, json.dumps(runs[name][-1]), time.strftime("%T"),
                  f"load {os.getloadavg()[0]:.1f}", flush=True)  # fmt: skip
    for key in runs["A"][0]:  # (the minimum: the round least disturbed by other load)
        med = {n: statistics.median(x[key]["ns"] for x in runs[n]) for n in runs}
        low = {n: min(x[key]["ns"] for x in runs[n]) for n in runs}
        print(f"{key:12s} median A {med['A']:7.2f}  B {med['B']:7.2f}  B/A "
              f"{med['B'] / med['A']:.3f};  min A {low['A']:7.2f}  B {low['B']:7.2f}  B/A "
              f"{low['B'] / low['A']:.3f}  (ns per element and row)")  # fmt: skip


if __name__ == "__main__":
    main()
