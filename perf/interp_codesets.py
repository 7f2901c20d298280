"""The tape interpreter's compile CPU by code set: the loop a tape gets (its codes' families,
:func:`jitgrad.capture.interp.codeset`) against the full loop.

Each set compiles in a fresh process over a fresh kernel cache, after Numba's one-time
start-up (a trivial kernel) and jitgrad's import: the figure is the compiling thread's CPU
for the first call of the loop (:func:`jitgrad.capture.build._build`), helpers it calls
(softmax, the fast-math subroutines) included, as a user's first captured program pays it.
Sets are given as comma-separated code names (``full``: every code); presets below.
``--chain``: the sets of a repetition compile one after another, each in a fresh process,
over one fresh cache shared by them (what a test suite or a user's successive programs pay:
the later loops find the earlier ones' callees on disk).

    python perf/interp_codesets.py --reps 2 [--dtype float32] [--sets rogozhnikov,full] [--chain]
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

#: named code sets (what the capture tests' and perf/'s tapes use, before family rounding)
PRESETS = {
    "always": "",
    "logistic": "addc,rsubc,mul,add,sigmoid,log,mean,neg,sgd,b_mul_a,b_sigmoid_a,b_log_a,b_neg_a",
    "rogozhnikov": "add,mul,softplus,sum,softmax,copy,b_softplus_a,b_softmax,b_g,b_mul_a",
    "mlp_adam": "relu,b_relu_a,add,mean,sum,b_reduce,adam,b_mean,b_sum,mulc,subc,b_mulc_a",
    "activation": "mul,add,gelu,sum,b_gelu_a",
    "full": "full",
}


def child(dtype: str, names: str) -> dict:
    from numba import njit

    njit(lambda v: v + 1)(1)  # Numba's one-time start-up, outside the timing
    from jitgrad.capture import build, interp

    codes = (
        interp.ALL
        if names == "full"
        else interp.codeset(interp.CODE[n] for n in names.split(",") if n)
    )
    t0 = time.thread_time()
    build._build(dtype, codes)
    return {"compile_cpu_s": time.thread_time() - t0, "codes": len(codes)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=1)
    ap.add_argument("--dtype", default="float32")
    ap.add_argument("--sets", default=",".join(PRESETS))
    ap.add_argument("--chain", action="store_true", help="one cache per repetition, shared")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child is not None:
        print(json.dumps(child(a.dtype, a.child)))
        return
    print(f"load at start: {os.getloadavg()}")
    got: dict[str, list] = {}
    for rep in range(a.reps):
        shared = tempfile.mkdtemp(prefix="codesets-") if a.chain else None
        for name in a.sets.split(","):
            cache = shared or tempfile.mkdtemp(prefix="codesets-")
            env = dict(os.environ, JITGRAD_CACHE_DIR=cache, NUMBA_CACHE_DIR=cache)
            out = subprocess.run(
                [sys.executable, __file__, "--dtype", a.dtype, "--child", PRESETS[name]],
                env=env, capture_output=True, text=True, check=True,
            )  # fmt: skip
            if not shared:
                shutil.rmtree(cache, ignore_errors=True)
            r = json.loads(out.stdout.splitlines()[-1])
            got.setdefault(name, []).append(r)
            print(f"rep {rep} {name}: {r}", flush=True)
        if shared is not None:
            shutil.rmtree(shared, ignore_errors=True)
    print(f"load at end: {os.getloadavg()}")
    for name, rs in got.items():
        med = statistics.median(r["compile_cpu_s"] for r in rs)
        print(f"{name:12s} {rs[0]['codes']:4d} codes  compile CPU median {med:6.2f} s")


if __name__ == "__main__":
    main()
