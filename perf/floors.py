"""Hardware floors measured in the same run: copy bandwidth, sgemm FLOP/s, thread scaling.

A ratio to a floor says how far an implementation is from what this machine can do at all,
which a ratio between libraries cannot: being 2x faster than numpy means little if both are
10x off the memory bandwidth. Floors are measured here, in the same process and run, because
the machine is noisy and a number from another day would flatter or punish the results.

* Bandwidth: a large float32 copy into a preallocated array, counted as bytes read + written
  (the usual convention; write-allocate traffic is not counted, so the floor is optimistic).
  Best of numpy ``copyto`` and a parallel Numba loop, best repetition.
* GEMM: float32 ``A @ B`` through numpy's BLAS, 2*N^3 FLOPs, best repetition.
* Thread check: the same sgemm with the BLAS limited to 1 thread vs 2 threads, each in a
  fresh subprocess (environment variables are read at BLAS load time, and subprocesses need
  no threadpoolctl). A speedup well below 2 means a core was not really there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import numpy as np
from numba import njit, prange


@njit(parallel=True, cache=True)
def _parallel_copy(src, dst):  # pragma: no cover - compiled
    for i in prange(src.shape[0]):
        dst[i] = src[i]


def _times(fn, reps: int) -> list[float]:
    out = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def bandwidth(quick: bool) -> dict:
    """Copy bandwidth in GB/s (1e9 bytes), read + written."""
    nbytes = (64 if quick else 512) << 20
    src = np.ones(nbytes // 4, np.float32)
    dst = np.zeros_like(src)
    reps = 3 if quick else 10
    _parallel_copy(src, dst)  # compile + fault in
    moved = 2 * nbytes
    res = {"bytes_per_copy": moved}
    for label, fn in (
        ("numpy_copyto", lambda: np.copyto(dst, src)),
        ("numba_prange_copy", lambda: _parallel_copy(src, dst)),
    ):
        ts = _times(fn, reps)
        res[label] = {
            "best_GBps": moved / min(ts) / 1e9,
            "median_GBps": moved / float(np.median(ts)) / 1e9,
        }
    res["GBps"] = max(res[k]["best_GBps"] for k in ("numpy_copyto", "numba_prange_copy"))
    return res


def gemm(quick: bool) -> dict:
    """float32 matmul GFLOP/s through numpy's BLAS."""
    n = 512 if quick else 2048
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n)).astype(np.float32)
    b = rng.standard_normal((n, n)).astype(np.float32)
    a @ b
    ts = _times(lambda: a @ b, 3 if quick else 6)
    flops = 2 * n**3
    return {
        "n": n,
        "GFLOPs": flops / min(ts) / 1e9,
        "median_GFLOPs": flops / float(np.median(ts)) / 1e9,
    }


_PROBE = """
import json, time, numpy as np
n = {n}
a = np.random.default_rng(0).standard_normal((n, n)).astype(np.float32)
b = a.copy()
a @ b
ts = []
for _ in range({reps}):
    t0 = time.perf_counter(); a @ b; ts.append(time.perf_counter() - t0)
print(json.dumps(2 * n**3 / min(ts) / 1e9))
"""

_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS")


def thread_check(quick: bool) -> dict:
    """sgemm GFLOP/s with the BLAS on 1 thread vs 2 threads (fresh subprocess each)."""
    n, reps = (512, 3) if quick else (1024, 5)
    out: dict = {"n": n}
    for threads in (1, 2):
        env = dict(os.environ, **dict.fromkeys(_THREAD_VARS, str(threads)))
        try:
            proc = subprocess.run(
                [sys.executable, "-c", _PROBE.format(n=n, reps=reps)],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                check=True,
            )
            out[f"GFLOPs_{threads}t"] = json.loads(proc.stdout.strip().splitlines()[-1])
        except (subprocess.SubprocessError, ValueError, IndexError) as exc:
            out["error"] = f"{type(exc).__name__}: {exc}"[:200]
            return out
    out["speedup"] = out["GFLOPs_2t"] / out["GFLOPs_1t"]
    out["verdict"] = (
        "both cores available" if out["speedup"] >= 1.5 else "second core NOT fully available"
    )
    return out
