"""Row kernels on the device: cross-entropy, softmax and log_softmax (last dimension).

Cross-entropy: one thread per row computes the row's log-sum-exp and loss, and the backward
writes ``(softmax - onehot) * scale`` per element; one ``NllLossBackward0`` node from the
logits to the loss, as jitgrad's CPU ``cross_entropy`` records it. softmax/log_softmax: one
thread per row; their backwards are written in (device) tensor ops, so they record under
``create_graph``.

Covered: 2-D logits, int64 class targets, no class weights, no label smoothing, any
reduction. Anything else (and targets out of range, so the CPU op raises PyTorch's error)
returns ``NotImplemented`` for the host fallback. The targets are read on the host once per
call to count them (the mean's divisor) and check their range.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numba import cuda

from ... import dtypes as D
from ...autograd.grad_mode import STATE as GRAD
from ...autograd.grad_mode import no_grad
from ...autograd.recording import ResultBackward, record
from ...tensor import Tensor, _make
from . import reduce as sums
from . import runtime


@cuda.jit
def _ce_fwd(x, t, ignore, n, c, lse, rows):
    # lse[i] = log(sum(exp(x[i]))) (max-shifted); rows[i] = lse[i] - x[i, t[i]] (0 if ignored)
    i = np.int64(cuda.grid(1))
    step = np.int64(cuda.gridsize(1))
    while i < n:
        ti = t[i]
        base = i * c
        m = x[base]
        for j in range(1, c):
            m = max(m, x[base + j])
        s = 0.0
        for j in range(c):
            s += math.exp(x[base + j] - m)
        lse[i] = m + math.log(s)
        rows[i] = 0 if ti == ignore else lse[i] - x[base + ti]
        i += step


@cuda.jit
def _ce_bwd(x, t, ignore, n, c, lse, scale, per_row, gx):
    # gx[i, j] = (exp(x[i, j] - lse[i]) - (j == t[i])) * scale (0 on ignored rows)
    k = np.int64(cuda.grid(1))
    step = np.int64(cuda.gridsize(1))
    while k < n * c:
        i = k // c
        ti = t[i]
        if ti == ignore:
            gx[k] = 0
        else:
            s = scale[i] if per_row else scale[0]
            hit = 1.0 if k - i * c == ti else 0.0
            gx[k] = (math.exp(x[k] - lse[i]) - hit) * s
        k += step


def cross_entropy(
    input: Any,  # noqa: A002
    target: Any,
    weight: Any = None,
    size_average: Any = None,
    ignore_index: int = -100,
    reduce: Any = None,  # noqa: A002 - PyTorch's name
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Any:
    if not (isinstance(input, Tensor) and isinstance(target, Tensor)) or input.dim() != 2:
        return NotImplemented
    if weight is not None or size_average is not None or reduce is not None or label_smoothing:
        return NotImplemented
    if target._dtype is not D.int64 or target.shape != input.shape[:1] or not target.is_cuda:
        return NotImplemented
    if not input._dtype.is_floating_point or reduction not in ("mean", "sum", "none"):
        return NotImplemented
    n, c = input.shape
    host = runtime.to_host(target._value)
    valid = host != ignore_index
    if n == 0 or ((host[valid] < 0) | (host[valid] >= c)).any():
        return NotImplemented  # the CPU op's errors (and its empty-batch values)
    count = int(valid.sum())
    x = runtime.flat(runtime.contiguous(input._value))
    t = target._value
    lse = runtime.empty((n,), input._dtype.np)
    rows = runtime.empty((n,), input._dtype.np)
    blocks, threads = runtime.launch_config(n)
    _ce_fwd[blocks, threads](x, t, ignore_index, n, c, lse, rows)
    if reduction == "none":
        value = rows
    else:
        value = sums.sum_axes(rows, [0])
        if reduction == "mean":
            with no_grad():
                value = (_make(value, input._dtype) / count)._value

    def backward(g: Tensor) -> tuple:
        if GRAD.enabled:  # create_graph: the same gradient in recorded ops
            rows_g = g / count if reduction == "mean" else g
            hits = _onehot(t, n, c, ignore_index, input._dtype)
            counted = hits.sum(1, keepdim=True)  # 0 on ignored rows
            return ((input.softmax(1) - hits) * counted * _col(rows_g, n),)
        scale = g if reduction != "mean" else g / count
        gx = runtime.empty((n, c), input._dtype.np)
        blocks, threads = runtime.launch_config(n * c)
        _ce_bwd[blocks, threads](
            x, t, ignore_index, n, c, lse, runtime.flat(scale._value), reduction == "none",
            runtime.flat(gx),
        )  # fmt: skip
        return (_make(gx, input._dtype, fresh=True),)

    return record("NllLossBackward0", value, input._dtype, (input,), backward, saved=(input,))


@cuda.jit
def _onehot_kernel(t, ignore, n, c, out):  # out[i, t[i]] = 1 on counted rows (out zeroed)
    i = np.int64(cuda.grid(1))
    step = np.int64(cuda.gridsize(1))
    while i < n:
        if t[i] != ignore:
            out[i * c + t[i]] = 1
        i += step


def _onehot(t: Any, n: int, c: int, ignore: int, dtype: D.dtype) -> Tensor:
    out = runtime.zeros((n, c), dtype.np)
    blocks, threads = runtime.launch_config(n)
    _onehot_kernel[blocks, threads](t, ignore, n, c, runtime.flat(out))
    return _make(out, dtype)


def _col(g: Tensor, n: int) -> Tensor:
    """A row gradient as an (n, 1) column, or a 0-d one as it is (both broadcast)."""
    return g.reshape(n, 1) if g.dim() else g


@cuda.jit
def _softmax_rows(x, n, c, log, out):
    # out[i] = softmax(x[i]) or log_softmax(x[i]) over the last dimension (max-shifted)
    i = np.int64(cuda.grid(1))
    step = np.int64(cuda.gridsize(1))
    while i < n:
        base = i * c
        m = x[base]
        for j in range(1, c):
            m = max(m, x[base + j])
        s = 0.0
        for j in range(c):
            s += math.exp(x[base + j] - m)
        lse = m + math.log(s)
        for j in range(c):
            out[base + j] = x[base + j] - lse if log else math.exp(x[base + j] - lse)
        i += step


def _softmax_like(x: Any, dim: Any, dtype: Any, log: bool) -> Any:
    """softmax / log_softmax over the last dimension (others: the fallback)."""
    if not isinstance(x, Tensor) or dtype is not None or not isinstance(dim, int):
        return NotImplemented
    if not x._dtype.is_floating_point or x.dim() == 0 or dim not in (-1, x.dim() - 1):
        return NotImplemented
    c = x.shape[-1]
    n = x.numel() // c if c else 0
    out = runtime.empty(tuple(x.shape), x._dtype.np)
    if n:
        blocks, threads = runtime.launch_config(n)
        _softmax_rows[blocks, threads](runtime.flat(runtime.contiguous(x._value)), n, c, log,
                                       runtime.flat(out))  # fmt: skip

    def backward(g: Tensor, result: Tensor) -> Tensor:
        if log:
            return g - result.exp() * g.sum(-1, keepdim=True)
        return result * (g - (g * result).sum(-1, keepdim=True))

    name = "LogSoftmaxBackward0" if log else "SoftmaxBackward0"
    return record(name, out, x._dtype, [x], backward, base=ResultBackward)


def softmax(input: Any, dim: Any = None, dtype: Any = None, **kwargs: Any) -> Any:  # noqa: A002
    return NotImplemented if kwargs else _softmax_like(input, dim, dtype, False)


def log_softmax(input: Any, dim: Any = None, dtype: Any = None, **kwargs: Any) -> Any:  # noqa: A002
    return NotImplemented if kwargs else _softmax_like(input, dim, dtype, True)
