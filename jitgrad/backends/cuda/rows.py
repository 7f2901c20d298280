"""Row ops on device tensors: softmax, log_softmax, cross_entropy and layer_norm.

The kernels are :mod:`jitgrad.kernels.cuda.rows` and :mod:`jitgrad.kernels.cuda.norm` (one
block per row, a fixed shared-memory tree: the same bits run to run); this module records
them with the CPU op's node (``SoftmaxBackward0``, ``LogSoftmaxBackward0``,
``NllLossBackward0``, ``NativeLayerNormBackward0``). A backward runs its kernel; under
``create_graph`` it is written in device tensor ops instead, so the graph of the gradient
is recorded.

Covered: softmax/log_softmax over the last dimension; cross_entropy with 2-D logits and
class-index targets, class ``weight``, ``ignore_index`` and every reduction (no label
smoothing); layer_norm over any trailing shape. Other cases return ``NotImplemented`` (the
host fallback). A target outside ``[0, C)`` sets the kernel's flag, read at the next
synchronization (``loss.item()``), which raises PyTorch's device-side assert error; under
``CUDA_LAUNCH_BLOCKING=1`` it is read at once and the CPU op raises its own error.
"""

from __future__ import annotations

import math
from typing import Any

from numba import cuda

from ... import dtypes as D
from ...engine.grad_mode import STATE as GRAD
from ...frontend.recording import ResultBackward, record
from ...frontend.tensor import Tensor, _make
from ...kernels.cuda import norm as N
from ...kernels.cuda import rows as K
from ...kernels.cuda.common import view
from . import runtime


# ---- softmax / log_softmax ----------------------------------------------------------------
def _softmax_like(x: Any, dim: Any, dtype: Any, log: bool) -> Any:
    """softmax / log_softmax over the last dimension (others: the fallback)."""
    if not isinstance(x, Tensor) or dtype is not None or not isinstance(dim, int):
        return NotImplemented
    if not x._dtype.is_floating_point or x.dim() == 0 or dim not in (-1, x.dim() - 1):
        return NotImplemented
    out = (K.log_softmax if log else K.softmax)(runtime.contiguous(x._value))

    def backward(g: Tensor, result: Tensor) -> Tensor:
        if GRAD.enabled:  # create_graph: recorded device ops
            if log:
                return g - result.exp() * g.sum(-1, keepdim=True)
            return result * (g - (g * result).sum(-1, keepdim=True))
        gv = runtime.contiguous(g._value)
        fn = K.log_softmax_backward if log else K.softmax_backward
        return _make(fn(gv, result._value), x._dtype)

    name = "LogSoftmaxBackward0" if log else "SoftmaxBackward0"
    return record(name, out, x._dtype, [x], backward, base=ResultBackward)


def softmax(input: Any, dim: Any = None, dtype: Any = None, **kwargs: Any) -> Any:  # noqa: A002
    return NotImplemented if kwargs else _softmax_like(input, dim, dtype, False)


def log_softmax(input: Any, dim: Any = None, dtype: Any = None, **kwargs: Any) -> Any:  # noqa: A002
    return NotImplemented if kwargs else _softmax_like(input, dim, dtype, True)


# ---- cross_entropy --------------------------------------------------------------------------
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
    if size_average is not None or reduce is not None or label_smoothing:
        return NotImplemented
    if target._dtype is not D.int64 or target.shape != input.shape[:1] or not target.is_cuda:
        return NotImplemented
    if not input._dtype.is_floating_point or reduction not in ("mean", "sum", "none"):
        return NotImplemented
    if weight is not None and not (
        isinstance(weight, Tensor)
        and weight.is_cuda
        and weight._dtype is input._dtype
        and tuple(weight.shape) == (input.shape[1],)
    ):
        return NotImplemented
    n, c = input.shape
    if n == 0 or c == 0:
        return NotImplemented  # the CPU op's errors and empty-batch values
    x = runtime.contiguous(input._value)
    t = target._value
    w = None if weight is None else runtime.contiguous(weight._value)
    value, saved = K.cross_entropy(x, t, w, reduction, int(ignore_index))
    if runtime.BLOCKING:
        if int(saved.bad_target.copy_to_host()[0]):
            return NotImplemented  # the CPU op raises PyTorch's out-of-bounds error
    else:
        runtime.defer_check(_target_check(saved.bad_target, t))

    def backward(g: Tensor) -> tuple:
        if GRAD.enabled:  # create_graph: the same gradient in recorded ops
            hits = _onehot(t, n, c, ignore_index, input._dtype)
            per_row = hits @ weight.reshape(c, 1) if weight is not None else hits.sum(1, True)
            scale = g.reshape(n, 1) if reduction == "none" else g
            if reduction == "mean":
                scale = scale / _make(view(saved.total_weight, ()), input._dtype)
            return ((input.softmax(1) - hits) * per_row * scale,)
        gv = runtime.contiguous(g._value)
        gx = K.cross_entropy_backward(gv, x, t, saved, w, reduction, int(ignore_index))
        return (_make(gx, input._dtype, fresh=True),)

    return record("NllLossBackward0", value, input._dtype, (input,), backward, saved=(input,))


def _target_check(flag: Any, t: Any) -> Any:
    def check() -> None:
        row = int(flag.copy_to_host()[0])
        if row:
            target = int(t[row - 1 : row].copy_to_host()[0])
            raise RuntimeError(
                "CUDA error: device-side assert triggered\n"
                f"(cross_entropy: Target {target} is out of bounds.)\n"
                "CUDA kernel errors might be asynchronously reported at some other API call, "
                "so the stacktrace below might be incorrect.\n"
                "For debugging consider passing CUDA_LAUNCH_BLOCKING=1"
            )

    return check


@cuda.jit
def _onehot_kernel(t, ignore, n, c, out):  # out[i, t[i]] = 1 on counted rows (out zeroed)
    i = cuda.grid(1)
    step = cuda.gridsize(1)
    while i < n:
        if t[i] != ignore:
            out[i * c + t[i]] = 1
        i += step


def _onehot(t: Any, n: int, c: int, ignore: int, dtype: D.dtype) -> Tensor:
    out = runtime.zeros((n, c), dtype.np)
    blocks, threads = runtime.launch_config(n)
    _onehot_kernel[blocks, threads](t, ignore, n, c, runtime.flat(out))
    return _make(out, dtype)


# ---- layer_norm -----------------------------------------------------------------------------
def layer_norm(
    input: Any,  # noqa: A002
    normalized_shape: Any,
    weight: Any = None,
    bias: Any = None,
    eps: float = 1e-5,
) -> Any:
    """``F.layer_norm`` by the row kernel of :mod:`jitgrad.kernels.cuda.norm`."""
    if not isinstance(input, Tensor) or not input._dtype.is_floating_point:
        return NotImplemented
    ns = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(ns)
    if k == 0 or input.dim() < k or tuple(input.shape[input.dim() - k :]) != ns:
        return NotImplemented  # the CPU op's error
    for p in (weight, bias):
        if p is not None and not (
            isinstance(p, Tensor) and p.is_cuda and p._dtype is input._dtype and p.shape == ns
        ):
            return NotImplemented
    if input.numel() == 0 or math.prod(ns) == 0:
        return NotImplemented
    x = runtime.contiguous(input._value)
    wv = None if weight is None else runtime.contiguous(weight._value)
    bv = None if bias is None else runtime.contiguous(bias._value)
    y, mean, rstd = N.layer_norm(x, ns, wv, bv, eps)
    dims = tuple(range(input.dim() - k, input.dim()))
    lead = tuple(range(input.dim() - k))

    def backward(g: Tensor) -> tuple:
        if GRAD.enabled:  # create_graph: the kernel's formula in recorded device ops
            xhat = (input - _make(mean, input._dtype)) * _make(rstd, input._dtype)
            gh = g * weight if weight is not None else g
            gx = (gh - gh.mean(dims, True) - xhat * (gh * xhat).mean(dims, True)) * _make(
                rstd, input._dtype
            )
            gw = (g * xhat).sum(lead) if lead else g * xhat
            gb = g.sum(lead) if lead else g
            return gx, gw if weight is not None else None, gb if bias is not None else None
        gv = runtime.contiguous(g._value)
        gx, gw, gb = N.layer_norm_backward(gv, x, ns, mean, rstd, wv, bv)
        dt = input._dtype
        return (
            _make(gx, dt),
            None if gw is None else _make(gw, dt),
            None if gb is None else _make(gb, dt),
        )

    return record("NativeLayerNormBackward0", y, input._dtype, [input, weight, bias], backward,
                  saved=[p for p in (input, weight, bias) if p is not None])  # fmt: skip


NATIVE: dict[str, Any] = {
    "cross_entropy": cross_entropy,
    "softmax": softmax,
    "log_softmax": log_softmax,
    "layer_norm": layer_norm,
}
