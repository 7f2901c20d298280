"""Compile CPU seconds of named reduction kernels in this process (run it with an empty
``JITGRAD_CACHE_DIR`` for a cold compile; the first includes Numba's one-time setup):

    JITGRAD_CACHE_DIR=$(mktemp -d) PYTHONPATH=<tree> python perf/reduce_compile.py sum_flat
    JITGRAD_CACHE_DIR=$(mktemp -d) PYTHONPATH=<tree> python perf/reduce_compile.py \\
        softmax_fwd,softmax_bwd

Prints each kernel's first call (its compile) in process CPU and wall seconds, and how many
cached overloads were compiled on the way (``jit.STATS``: helpers compiled as functions of
their own count too).
"""

import sys
import time

t0 = time.process_time()
w0 = time.perf_counter()
import numpy as np  # noqa: E402  (timed: the imports are part of a first run)

from jitgrad.kernels.cpu import jit  # noqa: E402
from jitgrad.kernels.cpu import reduce as R  # noqa: E402
from jitgrad.kernels.cpu import reduce_flat as F  # noqa: E402

t_imp = time.process_time() - t0
names = sys.argv[1].split(",")
dt = np.dtype(sys.argv[2]) if len(sys.argv) > 2 else np.dtype("float32")
x3 = np.arange(24, dtype=dt).reshape(2, 3, 4)
res = []
for n in names:
    k = getattr(R, n, None) or getattr(F, n)
    c0 = time.process_time()
    w = time.perf_counter()
    A, Rr, B = x3.shape
    if n in ("sum_flat", "mean_flat"):
        k(x3.reshape(1, -1, 1), np.empty((1, 1), dt))
        res.append(f"{n} {time.process_time() - c0:.2f}cpu {time.perf_counter() - w:.2f}wall")
        continue
    od = np.int64 if dt.kind in "iu" else dt
    if n in ("sum_fwd", "mean_fwd", "sum_flat", "mean_flat", "prod_fwd"):
        k(x3, np.empty((A, B), od))
    elif n in ("var_fwd",):
        k(x3, 1, np.empty((A, B), dt))
    elif n in ("max_fwd", "min_fwd"):
        k(x3, np.empty((A, B), dt), np.empty((A, B), np.int64))
    elif n in ("softmax_fwd", "log_softmax_fwd", "cumsum_fwd"):
        k(x3, np.empty_like(x3))
    elif n in ("softmax_bwd", "log_softmax_bwd"):
        k(x3, x3, np.empty_like(x3))
    elif n == "logsumexp_fwd":
        k(x3, np.empty((A, B), dt))
    res.append(f"{n} {time.process_time() - c0:.2f}cpu {time.perf_counter() - w:.2f}wall")
print(f"import {t_imp:.2f}cpu |", " | ".join(res), "| stats", jit.STATS)
