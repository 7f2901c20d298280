"""Does a kernel return other bits when Numba loads it from its disk cache than when the process
compiled it? perf's float32 ``chain`` reference, by fast-math flags and ``parallel``.

    PYTHONPATH=. python perf/cache_bits.py            # every variant below
    PYTHONPATH=. python perf/cache_bits.py par:contract seq:contract
    PYTHONPATH=. python perf/cache_bits.py --refs     # perf's own Numba references

Each variant is the chain body of :mod:`perf.impl_numba` (``rtanh32``, fastmath's exp32, sin32
and cos32, a ``block_sum`` per 4096 elements) written into a module of its own with
``cache=True``, then run by two child processes sharing one fresh ``NUMBA_CACHE_DIR``: the first
compiles and saves, the second loads. Each prints the loss's ``repr`` and a SHA-1 of the
gradients' bytes (10000 float32 elements, seed 0).

The mechanism (perf/RESULTS.md, Run cachebits17): a ``parallel=True`` function's loop body is a
separate ``__numba_parfor_gufunc`` library, optimized and compiled on its own; the caller's
library links a copy of it (``linkonce_odr``) and optimizes that copy again with the caller's
module. The compiling process has the gufunc's own object loaded first, so the call resolves to
it; a process that loads the caller from the cache has only the caller's object and runs the
twice-optimized copy. Without value-changing fast-math flags both copies compute IEEE-identical
results; with ``contract`` the backend forms fused multiply-adds from the IR shape it is given,
which differs between the two copies.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

TEMPLATE = """
import hashlib, json
import numpy as np
from numba import njit, prange
from jitgrad.kernels.cpu import fastmath as fm
from perf.impl_numba import BLOCK, block_sum, rtanh32

@njit(parallel={parallel}, fastmath={flags}, error_model="numpy", cache=True)
def chain(x, y, dx, dy, one, two):
    n = x.shape[0]
    n_blk = (n + BLOCK - 1) // BLOCK
    part = np.empty(n_blk)
    for b in {loop}(n_blk):
        lo = b * BLOCK
        hi = min(lo + BLOCK, n)
        xb, yb, dxb, dyb = x[lo:hi], y[lo:hi], dx[lo:hi], dy[lo:hi]
        terms = np.empty(hi - lo, x.dtype)
        for j in range(xb.shape[0]):
            xi = xb[j]
            yi = yb[j]
            t = rtanh32(xi * yi + fm.sin32(xi))
            r = one / (one + yi * yi)
            er = fm.exp32(-xi * xi) * r
            ter = t * er
            dt = one - t * t
            dxb[j] = dt * (yi + fm.cos32(xi)) * er - two * xi * ter
            dyb[j] = er * (dt * xi - two * yi * t * r)
            terms[j] = ter
        part[b] = block_sum(terms)
    return part.sum()

rng = np.random.default_rng(0)
x = rng.standard_normal(10000).astype(np.float32)
y = rng.standard_normal(10000).astype(np.float32)
dx, dy = np.empty_like(x), np.empty_like(y)
loss = chain(x, y, dx, dy, np.float32(1), np.float32(2))
grads = hashlib.sha1(dx.tobytes() + dy.tobytes()).hexdigest()
print(json.dumps({{"loss": repr(loss), "grads": grads, "loaded": bool(chain.stats.cache_hits)}}))
"""

VARIANTS = {
    "par:contract,arcp": (True, {"contract", "arcp"}),  # impl_numba.STRICT_FLAGS before this run
    "par:contract": (True, {"contract"}),
    "par:arcp": (True, {"arcp"}),
    "par:none": (True, set()),
    "seq:contract,arcp": (False, {"contract", "arcp"}),
}


def run_variant(name: str, parallel: bool, flags: set) -> tuple[dict, dict]:
    """(compiling child's output, loading child's output) for one variant."""
    with tempfile.TemporaryDirectory(prefix="cache_bits_") as tmp:
        module = Path(tmp) / f"chain_{name.replace(':', '_').replace(',', '_')}.py"
        loop = "prange" if parallel else "range"
        fm_flags = repr(set(sorted(flags))) if flags else "False"
        module.write_text(TEMPLATE.format(parallel=parallel, flags=fm_flags, loop=loop))
        return _twice([sys.executable, str(module)], tmp)


def _twice(args: list[str], tmp: str) -> tuple[dict, dict]:
    """The JSON line ``args`` prints, run twice with fresh caches under ``tmp``: the first run
    compiles, the second loads what the first saved."""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(Path(tmp) / "nb"), "PYTHONPATH": str(ROOT)}
    env["JITGRAD_CACHE_DIR"] = str(Path(tmp) / "jg")
    env["JITGRAD_COMPILE_NOTICE"] = "0"
    outs = []
    for _ in range(2):
        res = subprocess.run(args, env=env, capture_output=True, text=True, cwd=ROOT)
        assert res.returncode == 0, res.stderr
        outs.append(json.loads(res.stdout.strip().splitlines()[-1]))
    return outs[0], outs[1]


REFS = """
import hashlib, json, sys
import numpy as np
from perf import impl_numba, impl_numba_mlp, workloads

out = {}
for name, builders in (("chain", impl_numba), ("chain_f64", impl_numba), ("gelu", impl_numba),
                       ("mse", impl_numba), ("mse_f64", impl_numba), ("mlp_step", impl_numba_mlp)):
    w = workloads.WORKLOADS[name]
    res = builders.BUILDERS[workloads.base_name(name)](w.inputs(quick="--quick" in sys.argv))()
    h = hashlib.sha1()
    for k in sorted(res):
        h.update(np.ascontiguousarray(res[k]).tobytes())
    out[name] = h.hexdigest()
from jitgrad.kernels.cpu import jit
out["compiled"], out["loaded"] = jit.STATS["compiled"], jit.STATS["loaded"]
print(json.dumps(out))
"""


def check_refs(quick: bool) -> None:
    """perf's Numba references (full-size workloads unless ``quick``) compiled, then loaded."""
    with tempfile.TemporaryDirectory(prefix="cache_bits_refs_") as tmp:
        cold, warm = _twice([sys.executable, "-c", REFS] + (["--quick"] if quick else []), tmp)
    print(
        f"compiled {cold['compiled']} / loaded {cold['loaded']}, then "
        f"compiled {warm['compiled']} / loaded {warm['loaded']}"
    )
    for key in cold:
        if key not in ("compiled", "loaded"):
            print(f"{key}: {'same bits' if cold[key] == warm[key] else 'DIFFERENT BITS'}")


def main(names: list[str]) -> None:
    print("| variant | compiled: loss | loaded: loss | gradients | same bits |")
    print("|---|---|---|---|---|")
    for name in names or list(VARIANTS):
        cold, warm = run_variant(name, *VARIANTS[name])
        assert not cold["loaded"] and warm["loaded"], (cold, warm)
        same = cold["loss"] == warm["loss"] and cold["grads"] == warm["grads"]
        grads = "same" if cold["grads"] == warm["grads"] else "differ"
        print(f"| {name} | {cold['loss']} | {warm['loss']} | {grads} | {'yes' if same else 'NO'} |")


if __name__ == "__main__":
    if "--refs" in sys.argv:
        check_refs("--quick" in sys.argv)
    else:
        main(sys.argv[1:])
