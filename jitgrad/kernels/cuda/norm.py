"""Layer normalization over the trailing axes, forward and backward, one block per row.

The normalized axes of a contiguous array are its last ``k`` axes, i.e. the last axis of the
``(M, N)`` view, ``N = prod(normalized_shape)``. The forward folds each row twice with
:func:`~.common.block_fold` (the mean, then the sum of squared deviations from it): two passes
over a row that sits in cache, and no catastrophic cancellation as ``E[x^2] - E[x]^2`` would
have; PyTorch's GPU kernel (Welford) gets the same accuracy in one pass. The biased variance
and ``rstd = 1 / sqrt(var + eps)`` are kept per row (``mean``, ``rstd``, shaped as PyTorch's
``native_layer_norm`` returns them) so the backward needs no recomputation of the statistics:

    xhat = (x - mean) * rstd,  gw = g * weight
    dx = rstd * (gw - mean(gw) - xhat * mean(gw * xhat))
    dweight = sum over rows of g * xhat,  dbias = sum over rows of g

The two parameter gradients are column sums over all rows: the row kernel writes ``g * xhat``
to a scratch array and :func:`~.reduce.sum` folds both column-wise, deterministically (no
atomics), at the cost of one scratch array of ``x``'s size.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numba import cuda

from .common import (
    MAX_THREADS,
    SUM,
    block_fold,
    blocks,
    check_out,
    contiguous,
    float_dtype,
    pow2_threads,
    prod,
    view,
)
from .memory import fill
from .reduce import sum as device_sum

__all__ = ["layer_norm", "layer_norm_backward"]


@cuda.jit
def _ln_fwd_kernel(x, w, b, has_w, has_b, eps, y, mean, rstd):
    # y[r] = (x[r] - mean[r]) * rstd[r] (* w) (+ b), rstd = 1 / sqrt(biased var + eps)
    sm = cuda.shared.array(MAX_THREADS, x.dtype)
    m, n = x.shape
    t = cuda.threadIdx.x
    nf = x.dtype.type(n)
    zero = x.dtype.type(0)
    for r in range(cuda.blockIdx.x, m, cuda.gridDim.x):
        s = zero
        for j in range(t, n, cuda.blockDim.x):
            s += x[r, j]
        mu = block_fold(sm, s, SUM) / nf
        s = zero
        for j in range(t, n, cuda.blockDim.x):
            d = x[r, j] - mu
            s += d * d
        rs = x.dtype.type(1) / math.sqrt(block_fold(sm, s, SUM) / nf + eps)
        for j in range(t, n, cuda.blockDim.x):
            v = (x[r, j] - mu) * rs
            if has_w:
                v = v * w[j]
            if has_b:
                v = v + b[j]
            y[r, j] = v
        if t == 0:
            mean[r] = mu
            rstd[r] = rs


@cuda.jit
def _ln_bwd_kernel(g, x, mean, rstd, w, has_w, gx, gxhat):
    # gx[r] = rstd * (gw - mean(gw) - xhat * mean(gw * xhat)), gw = g * w; when has_w also
    # gxhat[r] = g * xhat (summed over rows by the caller for the weight's gradient)
    sm = cuda.shared.array(MAX_THREADS, x.dtype)
    m, n = x.shape
    t = cuda.threadIdx.x
    nf = x.dtype.type(n)
    for r in range(cuda.blockIdx.x, m, cuda.gridDim.x):
        mu = mean[r]
        rs = rstd[r]
        a = x.dtype.type(0)
        c = x.dtype.type(0)
        for j in range(t, n, cuda.blockDim.x):
            gw = g[r, j] * w[j] if has_w else g[r, j]
            a += gw
            c += gw * ((x[r, j] - mu) * rs)
        a = block_fold(sm, a, SUM) / nf
        c = block_fold(sm, c, SUM) / nf
        for j in range(t, n, cuda.blockDim.x):
            xh = (x[r, j] - mu) * rs
            gw = g[r, j] * w[j] if has_w else g[r, j]
            gx[r, j] = rs * (gw - a - xh * c)
            if has_w:
                gxhat[r, j] = g[r, j] * xh


def _view(x: Any, normalized_shape: Any, op: str) -> tuple[Any, tuple[int, ...], tuple]:
    """``x`` as ``(M, N)`` and the shape of its per-row statistics."""
    float_dtype(x, op)
    contiguous(x, op)
    ns = (int(normalized_shape),) if np.ndim(normalized_shape) == 0 else tuple(normalized_shape)
    shape = tuple(x.shape)
    k = len(ns)
    if k == 0 or shape[len(shape) - k :] != ns or len(shape) < k:
        raise RuntimeError(
            f"Given normalized_shape={list(ns)}, expected input with shape "
            f"[*, {', '.join(map(str, ns))}], but got input of size{list(shape)}"
        )
    n = prod(ns)
    stats = shape[: len(shape) - k] + (1,) * k
    return view(x, x.size // n if n else prod(shape[: len(shape) - k]), n), ns, stats


def _param(p: Any, ns: tuple, dt: Any, name: str, fallback: Any) -> Any:
    if p is None:
        return fallback
    if tuple(p.shape) != ns or np.dtype(p.dtype) != dt:
        raise RuntimeError(
            f"Expected {name} to be of same shape as normalized_shape, but got {name} of "
            f"shape {list(p.shape)} and normalized_shape = {list(ns)}"
        )
    return view(p, p.size)


def layer_norm(
    x: Any, normalized_shape: Any, weight: Any = None, bias: Any = None, eps: float = 1e-5
) -> tuple[Any, Any, Any]:
    """``torch.native_layer_norm``: ``(y, mean, rstd)``; ``mean``/``rstd`` have ``x``'s
    leading shape followed by ones (what :func:`layer_norm_backward` takes)."""
    x2, ns, stats = _view(x, normalized_shape, "layer_norm")
    dt = np.dtype(x.dtype)
    m, n = x2.shape
    w = _param(weight, ns, dt, "weight", view(x2, x2.size))
    b = _param(bias, ns, dt, "bias", view(x2, x2.size))
    y = check_out(None, tuple(x.shape), dt, "layer_norm")
    mean = check_out(None, (m,), dt, "layer_norm")
    rstd = check_out(None, (m,), dt, "layer_norm")
    if m and not n:
        fill(mean, math.nan)
        fill(rstd, math.nan)
    elif m:
        _ln_fwd_kernel[blocks(m), pow2_threads(n)](
            x2, w, b, weight is not None, bias is not None, dt.type(eps), view(y, m, n), mean,
            rstd,
        )  # fmt: skip
    return y, view(mean, stats), view(rstd, stats)


def layer_norm_backward(
    grad: Any,
    x: Any,
    normalized_shape: Any,
    mean: Any,
    rstd: Any,
    weight: Any = None,
    bias: Any = None,
) -> tuple[Any, Any, Any]:
    """Gradients ``(dx, dweight, dbias)`` of :func:`layer_norm`; ``dweight``/``dbias`` are
    None when ``weight``/``bias`` is."""
    x2, ns, _ = _view(x, normalized_shape, "layer_norm_backward")
    if tuple(grad.shape) != tuple(x.shape):
        raise RuntimeError(f"layer_norm_backward: grad {tuple(grad.shape)} != {tuple(x.shape)}")
    dt = np.dtype(x.dtype)
    m, n = x2.shape
    w = _param(weight, ns, dt, "weight", view(x2, x2.size))
    gx = check_out(None, tuple(x.shape), dt, "layer_norm_backward")
    g2 = view(contiguous(grad, "layer_norm_backward"), m, n)
    gxhat = check_out(None, (m, n) if weight is not None else (1, 1), dt, "layer_norm_backward")
    if m and n:
        _ln_bwd_kernel[blocks(m), pow2_threads(n)](
            g2, x2, view(mean, m), view(rstd, m), w, weight is not None, view(gx, m, n),
            gxhat,
        )  # fmt: skip
    dw = view(device_sum(gxhat, 0), ns) if weight is not None else None
    db = view(device_sum(g2, 0), ns) if bias is not None else None
    return gx, dw, db
