"""The hand-written MLP step: numpy's BLAS for the five matmuls, one Numba pass per fused stage.

What a performance-minded user writes around the matmuls of the 784-512-10 relu MLP step
(``workloads.mlp_step``): the bias add and relu fused into the first matmul's output in place,
cross-entropy (bias add, row softmax, loss, gradient and the bias gradient) in one pass over
the logits, relu's backward fused with the hidden bias gradient, and the SGD updates in place.
Every buffer is allocated once, so a step allocates nothing (jitgrad gets the equivalent from
its caching allocator). The matmuls write into their buffers through ``np.matmul(out=...)``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numba import prange

from jitgrad.kernels.cpu.fastmath import fast_exp
from jitgrad.kernels.cpu.jit import cached_njit

from . import workloads as W
from .impl_numba import FLAGS, STRICT_FLAGS

Outputs = dict[str, object]


@cached_njit(parallel=True, fastmath=FLAGS, error_model="numpy")
def _bias_relu(z, b, zero):  # pragma: no cover - compiled
    """z = relu(z + b) in place, rows in parallel (NaN stays NaN, -inf gives 0, as in torch)."""
    for i in prange(z.shape[0]):
        row = z[i]
        for j in range(row.shape[0]):
            v = row[j] + b[j]
            row[j] = zero if v <= 0 else v
    return z


@cached_njit(fastmath=STRICT_FLAGS, error_model="numpy")
def _xent(logits, b, target, g, db, zero, inv_rows):  # pragma: no cover - compiled
    """Mean cross-entropy of ``logits + b``; g = (softmax - onehot) / rows and db = sum of g's
    rows, in one pass over the (rows x 10) logits. The loss is summed in float64."""
    rows, classes = logits.shape
    db[:] = zero
    loss = 0.0
    for i in range(rows):
        m = logits[i, 0] + b[0]
        for j in range(1, classes):
            m = max(m, logits[i, j] + b[j])
        s = zero
        for j in range(classes):
            e = fast_exp(logits[i, j] + b[j] - m)
            g[i, j] = e
            s += e
        t = target[i]
        loss += np.log(np.float64(s)) - np.float64(logits[i, t] + b[t] - m)
        inv = inv_rows / s
        for j in range(classes):
            gij = g[i, j] * inv
            g[i, j] = gij
        g[i, t] -= inv_rows
        for j in range(classes):
            db[j] += g[i, j]
    return loss * (1.0 / rows)


@cached_njit(parallel=True, fastmath=FLAGS, error_model="numpy")
def _relu_back(dh, h, db, zero):  # pragma: no cover - compiled
    """dh *= (h > 0) in place and db = column sums of the result, columns in parallel blocks
    (each column's sum runs down the rows in order: deterministic)."""
    rows, cols = dh.shape
    step = 64
    for c in prange((cols + step - 1) // step):
        lo = c * step
        hi = min(lo + step, cols)
        for j in range(lo, hi):
            db[j] = zero
        for i in range(rows):
            drow, hrow = dh[i, lo:hi], h[i, lo:hi]
            brow = db[lo:hi]
            for j in range(drow.shape[0]):
                v = drow[j] if hrow[j] > 0 else zero
                drow[j] = v
                brow[j] += v


@cached_njit(parallel=True, fastmath=FLAGS, error_model="numpy")
def _sgd(p, g, lr):  # pragma: no cover - compiled
    """p -= lr * g in place (flat views)."""
    n = p.shape[0]
    step = 16384
    for k in prange((n + step - 1) // step):
        pb = p[k * step : min(k * step + step, n)]
        gb = g[k * step : min(k * step + step, n)]
        for j in range(pb.shape[0]):
            pb[j] -= lr * gb[j]


def mlp_step(inp: W.Inputs) -> Callable[[], Outputs]:
    x, target = inp["x"], inp["target"]
    p = {k: inp[k].copy() for k in ("W1", "b1", "W2", "b2")}
    batch, hidden, classes = x.shape[0], p["W1"].shape[1], p["W2"].shape[1]
    dt = x.dtype
    h = np.empty((batch, hidden), dt)
    logits = np.empty((batch, classes), dt)
    g = np.empty_like(logits)
    dh = np.empty_like(h)
    d = {k: np.empty_like(v) for k, v in p.items()}
    lr, inv_rows, zero = dt.type(W.MLP_LR), dt.type(1 / batch), dt.type(0)

    def run() -> Outputs:
        _bias_relu(np.matmul(x, p["W1"], out=h), p["b1"], zero)
        np.matmul(h, p["W2"], out=logits)
        loss = _xent(logits, p["b2"], target, g, d["b2"], zero, inv_rows)
        np.matmul(h.T, g, out=d["W2"])
        np.matmul(g, p["W2"].T, out=dh)
        _relu_back(dh, h, d["b1"], zero)
        np.matmul(x.T, dh, out=d["W1"])
        out: Outputs = {"loss": loss}
        for k, v in p.items():
            _sgd(v.reshape(-1), d[k].reshape(-1), lr)
            out[f"d_{k}"] = d[k]
            out[f"new_{k}"] = v
        return out

    return run


BUILDERS: dict[str, Callable[[W.Inputs], Callable[[], Outputs]]] = {"mlp_step": mlp_step}
