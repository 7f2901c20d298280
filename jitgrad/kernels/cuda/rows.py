"""Row kernels over the last axis: softmax, log_softmax and cross-entropy, forward and backward.

One block per row (blocks loop over rows with a grid stride), ``T`` threads per block, ``T``
the power of two covering the row up to 256. Each thread walks its strided share of the row;
the row's max and sums are folded by :func:`~.common.block_fold`, a fixed tree in shared
memory, so results are the same run to run. A row is read two or three times (max, sum of
exponentials, output), which for rows up to a few thousand elements stays in L1/L2: the
kernels are bound by one read and one write of the array, as PyTorch's "persistent" softmax is
for short rows. float32 computes in float32 (libdevice ``expf``/``logf``), as PyTorch's GPU
softmax accumulates float in float.

Cross-entropy is log-softmax and NLL in one pass: the forward keeps each row's log-sum-exp
``lse`` so the backward is one more pass, ``g * w[t] * (exp(x - lse) - onehot(t))``. The loss
reduction (``mean`` divides by the summed class weights of the non-ignored rows, as PyTorch's
``nll_loss``) uses the deterministic sums of :mod:`.reduce` and a one-thread division, all on
the device. A target outside ``[0, C)`` (other than ``ignore_index``) cannot raise without a
host round trip; such a row's loss is NaN and ``saved.bad_target[0]`` holds the largest bad row
index + 1, for the caller to check when it next synchronizes (PyTorch raises a device-side
assert there).
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np
from numba import cuda

from .common import (
    MAX,
    MAX_THREADS,
    SUM,
    block_fold,
    blocks,
    check_out,
    combine,
    contiguous,
    float_dtype,
    pow2_threads,
    view,
)
from .memory import fill
from .reduce import sum as device_sum

__all__ = [
    "softmax",
    "log_softmax",
    "softmax_backward",
    "log_softmax_backward",
    "cross_entropy",
    "cross_entropy_backward",
    "CrossEntropySaved",
]

_REDUCTIONS = {"none": 0, "sum": 1, "mean": 2}


@cuda.jit(device=True)
def _row_lse(x, r, sm):
    # (max, sum(exp(x - max))) of row r of x; every thread of the block gets both
    t = cuda.threadIdx.x
    n = x.shape[1]
    mx = x[r, 0]
    for j in range(t, n, cuda.blockDim.x):
        mx = combine(mx, x[r, j], MAX)
    mx = block_fold(sm, mx, MAX)
    s = x.dtype.type(0)
    for j in range(t, n, cuda.blockDim.x):
        s += math.exp(x[r, j] - mx)
    return mx, block_fold(sm, s, SUM)


@cuda.jit
def _softmax_kernel(x, y, log):
    # y[r] = exp(x[r] - max) / sum(exp(x[r] - max)), or x[r] - max - log(sum) when log
    sm = cuda.shared.array(MAX_THREADS, x.dtype)
    m, n = x.shape
    for r in range(cuda.blockIdx.x, m, cuda.gridDim.x):
        mx, s = _row_lse(x, r, sm)
        log_s = math.log(s)
        for j in range(cuda.threadIdx.x, n, cuda.blockDim.x):
            d = x[r, j] - mx
            y[r, j] = d - log_s if log else math.exp(d) / s


@cuda.jit
def _softmax_bwd_kernel(g, y, gx, log):
    # softmax: gx = y * (g - sum(g * y)); log_softmax: gx = g - exp(y) * sum(g)
    sm = cuda.shared.array(MAX_THREADS, g.dtype)
    m, n = g.shape
    t = cuda.threadIdx.x
    for r in range(cuda.blockIdx.x, m, cuda.gridDim.x):
        acc = g.dtype.type(0)
        for j in range(t, n, cuda.blockDim.x):
            acc += g[r, j] if log else g[r, j] * y[r, j]
        acc = block_fold(sm, acc, SUM)
        for j in range(t, n, cuda.blockDim.x):
            if log:
                gx[r, j] = g[r, j] - math.exp(y[r, j]) * acc
            else:
                gx[r, j] = y[r, j] * (g[r, j] - acc)


@cuda.jit
def _ce_fwd_kernel(x, target, weight, has_weight, ignore, loss, wrow, lse, bad):
    # loss[r] = w[t] * (lse[r] - x[r, t]) with t = target[r], wrow[r] = w[t] (w = 1 without
    # weight); ignored rows give 0 and 0; a target outside [0, C) gives NaN, 0 and bad[0] =
    # max(bad[0], r + 1).
    sm = cuda.shared.array(MAX_THREADS, x.dtype)
    m, n = x.shape
    zero = x.dtype.type(0)
    for r in range(cuda.blockIdx.x, m, cuda.gridDim.x):
        mx, s = _row_lse(x, r, sm)
        if cuda.threadIdx.x == 0:
            log_s = math.log(s)
            c = target[r]
            lse[r] = mx + log_s
            if c == ignore:
                loss[r] = zero
                wrow[r] = zero
            elif c < 0 or c >= n:
                loss[r] = x.dtype.type(math.nan)
                wrow[r] = zero
                cuda.atomic.max(bad, 0, r + 1)
            else:
                w = weight[c] if has_weight else x.dtype.type(1)
                loss[r] = w * (mx + log_s - x[r, c])
                wrow[r] = w


@cuda.jit
def _ce_bwd_kernel(x, target, weight, has_weight, ignore, lse, g, mode, total, gx):
    # gx[r, j] = coef * w[t] * (exp(x[r, j] - lse[r]) - (j == t)); coef = g[r] (mode 0, none),
    # g[0] (1, sum) or g[0] / total[0] (2, mean); 0 for ignored and bad rows.
    m, n = x.shape
    zero = x.dtype.type(0)
    one = x.dtype.type(1)
    for r in range(cuda.blockIdx.x, m, cuda.gridDim.x):
        c = target[r]
        live = c != ignore and c >= 0 and c < n
        coef = g[r] if mode == 0 else (g[0] if mode == 1 else g[0] / total[0])
        if live and has_weight:
            coef = coef * weight[c]
        for j in range(cuda.threadIdx.x, n, cuda.blockDim.x):
            if live:
                p = math.exp(x[r, j] - lse[r])
                gx[r, j] = coef * (p - one if j == c else p)
            else:
                gx[r, j] = zero


@cuda.jit
def _div_kernel(num, den, out):
    # out[0] = num[0] / den[0] (the mean loss, without a trip to the host)
    if cuda.grid(1) == 0:
        out[0] = num[0] / den[0]


def _rows2d(x: Any, op: str) -> Any:
    """The contiguous float device array ``x`` as ``(rows, last axis)`` (0-d: one element)."""
    float_dtype(x, op)
    contiguous(x, op)
    n = tuple(x.shape)[-1] if x.ndim else 1  # (the simulator's shape rejects [-1])
    return view(x, x.size // n if n else 0, n)


def _launch_rows(kernel: Any, m: int, n: int, *args: Any) -> None:
    if m and n:
        kernel[blocks(m), pow2_threads(n)](*args)


def _softmax(x: Any, out: Any, log: bool, op: str) -> Any:
    x2 = _rows2d(x, op)
    out = check_out(out, tuple(x.shape), x.dtype, op)
    _launch_rows(_softmax_kernel, *x2.shape, x2, view(out, *x2.shape), log)
    return out


def softmax(x: Any, out: Any = None) -> Any:
    """``softmax(x, dim=-1)`` of a contiguous float device array."""
    return _softmax(x, out, False, "softmax")


def log_softmax(x: Any, out: Any = None) -> Any:
    """``log_softmax(x, dim=-1)``: ``x - max - log(sum(exp(x - max)))``."""
    return _softmax(x, out, True, "log_softmax")


def _softmax_backward(grad: Any, y: Any, out: Any, log: bool, op: str) -> Any:
    g2 = _rows2d(grad, op)
    if tuple(y.shape) != tuple(grad.shape):
        raise ValueError(f"{op}: grad {tuple(grad.shape)} and output {tuple(y.shape)} differ")
    y2 = _rows2d(y, op)
    out = check_out(out, tuple(grad.shape), grad.dtype, op)
    _launch_rows(_softmax_bwd_kernel, *g2.shape, g2, y2, view(out, *g2.shape), log)
    return out


def softmax_backward(grad: Any, y: Any, out: Any = None) -> Any:
    """Gradient of softmax over the last axis from its output ``y``: ``y * (g - sum(g*y))``."""
    return _softmax_backward(grad, y, out, False, "softmax_backward")


def log_softmax_backward(grad: Any, y: Any, out: Any = None) -> Any:
    """Gradient of log_softmax from its output ``y``: ``g - exp(y) * sum(g)``."""
    return _softmax_backward(grad, y, out, True, "log_softmax_backward")


class CrossEntropySaved(NamedTuple):
    """What :func:`cross_entropy_backward` needs from the forward (all device arrays)."""

    lse: Any  # (M,) log-sum-exp of each row
    total_weight: Any  # (1,) summed class weight of the counted rows (the mean's divisor)
    bad_target: Any  # (1,) int64: 0, or 1 + the largest row index with a target outside [0, C)


def _torch_name(dtype: Any) -> str:
    """PyTorch's name of a dtype in error messages (``Float``, ``Int``, ...)."""
    names = {"float32": "Float", "float64": "Double", "int32": "Int", "int16": "Short",
             "int8": "Char", "bool": "Bool"}  # fmt: skip
    return names.get(np.dtype(dtype).name, np.dtype(dtype).name)


def _ce_args(logits: Any, target: Any, weight: Any, reduction: str) -> tuple[Any, Any, Any]:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    x2 = _rows2d(logits, "cross_entropy")
    if logits.ndim not in (1, 2):
        raise ValueError(
            f"cross_entropy: expected 1-D or 2-D logits (classes last), got {logits.ndim}-D"
        )
    if np.dtype(target.dtype) not in (np.dtype(np.int64), np.dtype(np.uint8)):
        raise RuntimeError(
            f"expected target dtype to be Long or Byte, but got {_torch_name(target.dtype)}"
        )
    t1 = view(target, target.size)
    if t1.size != x2.shape[0]:
        raise ValueError(
            f"Expected input batch_size ({x2.shape[0]}) to match target batch_size ({t1.size})."
        )
    if weight is not None and (weight.ndim != 1 or weight.size != x2.shape[1]):
        raise RuntimeError(
            f"weight tensor should be defined either for all {x2.shape[1]} classes or no classes"
        )
    if weight is not None and np.dtype(weight.dtype) != np.dtype(logits.dtype):
        raise RuntimeError("cross_entropy: weight must have the logits' dtype")
    return x2, t1, weight if weight is not None else view(x2, x2.size)


def cross_entropy(
    logits: Any,
    target: Any,
    weight: Any = None,
    reduction: str = "mean",
    ignore_index: int = -100,
) -> tuple[Any, CrossEntropySaved]:
    """``F.cross_entropy(logits, target, weight, ignore_index=..., reduction=...)`` for
    logits ``(M, C)`` (or ``(C,)`` with a 0-d target) and integer class indices ``(M,)``.

    Returns the loss (0-d for ``mean``/``sum``, ``(M,)`` for ``none``) and the
    :class:`CrossEntropySaved` the backward takes. No label smoothing or probability targets.
    """
    x2, t1, w = _ce_args(logits, target, weight, reduction)
    m, n = x2.shape
    dt = np.dtype(logits.dtype)
    loss = check_out(None, (m,), dt, "cross_entropy")
    wrow = check_out(None, (m,), dt, "cross_entropy")
    lse = check_out(None, (m,), dt, "cross_entropy")
    bad = fill(check_out(None, (1,), np.int64, "cross_entropy"), 0)
    if m and not n:
        raise IndexError("Target is out of bounds for an input with 0 classes.")
    _launch_rows(
        _ce_fwd_kernel, m, n, x2, t1, w, weight is not None, int(ignore_index), loss, wrow, lse, bad
    )
    total = view(device_sum(wrow), 1)
    if reduction == "none":
        out = view(loss, ()) if logits.ndim == 1 else loss
    elif reduction == "sum":
        out = device_sum(loss)
    else:
        out = check_out(None, (), dt, "cross_entropy")
        _div_kernel[1, 1](view(device_sum(loss), 1), total, view(out, 1))
    return out, CrossEntropySaved(lse, total, bad)


def cross_entropy_backward(
    grad: Any,
    logits: Any,
    target: Any,
    saved: CrossEntropySaved,
    weight: Any = None,
    reduction: str = "mean",
    ignore_index: int = -100,
) -> Any:
    """Gradient of :func:`cross_entropy` with respect to the logits, given the loss's
    gradient ``grad`` (0-d for ``mean``/``sum``, shaped like the loss for ``none``)."""
    x2, t1, w = _ce_args(logits, target, weight, reduction)
    m, n = x2.shape
    out = check_out(None, tuple(logits.shape), logits.dtype, "cross_entropy_backward")
    g1 = view(grad, grad.size)
    if grad.size != (m if reduction == "none" else 1):
        raise ValueError(f"cross_entropy_backward: grad has {grad.size} elements")
    _launch_rows(
        _ce_bwd_kernel,
        m,
        n,
        x2,
        t1,
        w,
        weight is not None,
        int(ignore_index),
        saved.lse,
        g1,
        _REDUCTIONS[reduction],
        saved.total_weight,
        view(out, m, n),
    )
    return out
