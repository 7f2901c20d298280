"""Pooling (max/avg 1-d, 2-d and 3-d, adaptive average) and batch_norm on device tensors.

These ran through the host fallback. Each is the CPU op's algorithm with the device's
kernels: the same checks and geometry (the CPU's helpers, so its errors), the same node names
and saved tensors, backwards as recorded kernels whose own backward is the forward's linear
map, so ``create_graph`` works as on the CPU. The convolutions are :mod:`.nn_conv`'s.

* Pooling: one kernel per pass over the CPU's windows on ``(P, D, H, W)`` volumes (a plane
  is depth 1); the adjoints gather in the CPU's order, so pooled values and gradients are
  bitwise the CPU's: max and adaptive max pools (1-d to 3-d), avg_pool2d,
  adaptive_avg_pool2d, and avg_pool3d (its gradient through col2im, the CPU's).
  adaptive_avg_pool3d's CPU op is three averaging matmuls: the device's window sums equal
  it to float rounding.
* batch_norm: the statistics and the update of the running ones by device reductions and
  elementwise ops under ``no_grad``, recorded under the CPU's declaration (its backward is
  written in Tensor ops).

Not covered (the host fallback): fractional, lp and unpooling, autocast.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ... import dtypes as D
from ...engine.grad_mode import no_grad
from ...frontend.declare import zeros_where_needed
from ...frontend.recording import record, record_multi
from ...frontend.tensor import Tensor, _make
from ...kernels.cuda import windows as W
from ...nn import _functional_batchnorm as BN
from ...nn import _functional_more as FM
from ...nn import _functional_pool as POOL
from ...nn import _functional_pool3d as POOL3
from . import nn_conv, runtime
from .elementwise import on_device
from .nn_conv import all_device


# ---- pooling --------------------------------------------------------------------------------
def _volumes(x: Tensor, nd: int) -> Any:
    """The pooled dims of ``x`` as ``(P, D, H, W)`` volumes (depth 1 for a 2-d pool)."""
    v = runtime.contiguous(x._value)
    inner = tuple(x.shape[-nd:])
    return v.reshape(math.prod(x.shape[:-nd]), *(1,) * (3 - nd), *inner)


#: window bound arrays on the device, by their host values (a training loop pools the same
#: windows every step: one host-to-device copy each, once)
_BOUNDS: dict[tuple, Any] = {}


def _on_device(a: np.ndarray, dtype: Any) -> Any:
    a = np.ascontiguousarray(a, dtype)
    key = (a.dtype.str, a.shape, a.tobytes())
    got = _BOUNDS.get(key)
    if got is None:
        if len(_BOUNDS) > 256:
            _BOUNDS.clear()
        got = _BOUNDS[key] = runtime.to_device(a)
    return got


def _max_pool(input: Tensor, geo: tuple, nd: int, return_indices: bool) -> Any:  # noqa: A002
    """The window maxima of the last ``nd`` dims (``geo``: the kernels' geometry)."""
    x4 = _volumes(input, nd)
    out, idx = W.max_pool(x4, geo)
    shape, out_sp = tuple(input.shape), geo[15 - nd :]
    flat_idx = idx.reshape(x4.shape[0], math.prod(out_sp))
    size = (1,) * (3 - nd) + shape[-nd:]
    take = (flat_idx, lambda g2: W.max_pool_backward(g2, flat_idx, geo, size))
    back = f"MaxPool{nd}DWithIndicesBackwardBackward0"
    result = record(
        f"MaxPool{nd}DWithIndicesBackward0", out.reshape(*shape[:-nd], *out_sp), input._dtype,
        (input,), lambda g: _max_pool_grad(g, take, input, back), saved=(input,),
    )  # fmt: skip
    if return_indices:
        return result, _make(idx.reshape(*shape[:-nd], *out_sp), D.int64)
    return result


def _max_pool_grad(g: Tensor, take: tuple, x: Tensor, name: str) -> Tensor:
    """Each output gradient added at its window's argmax (the CPU's node, its edge to ``x``
    and its backward: a gather at the indices); ``take`` = (the positions ``(P, L)``, their
    adjoint: ``(P, L)`` gradients to the pooled volumes)."""
    idx, scatter = take
    gx = scatter(runtime.contiguous(g._value).reshape(idx.shape))
    return record(
        name, gx.reshape(x.shape), g._dtype, (g, x),
        lambda gg: zeros_where_needed((_max_pool_take(gg, take, tuple(g.shape)), None), (g, x)),
    )  # fmt: skip


def _max_pool_take(gg: Tensor, take: tuple, into: tuple) -> Tensor:
    """The gradient of the max pool's gradient: ``gg`` at the argmax positions (the CPU's
    gather, ``GatherBackward0``, whose own backward is the max pool's adjoint again)."""
    idx, scatter = take
    shape = tuple(gg.shape)
    src = runtime.contiguous(gg._value).reshape(idx.shape[0], -1)
    value = W.max_pool_take(src, idx).reshape(into)

    def backward(t: Tensor) -> Tensor:
        back = scatter(runtime.contiguous(t._value).reshape(idx.shape)).reshape(shape)
        return record("ScatterAddBackward0", back, t._dtype, (t,),
                      lambda u: _max_pool_take(u, take, into))  # fmt: skip

    return record("GatherBackward0", value, gg._dtype, (gg,), backward)


def _adaptive_max(input: Tensor, out: tuple, name: str, return_indices: bool) -> Any:  # noqa: A002
    """Maxima over the adaptive windows of the last ``len(out)`` dims (the CPU's: the first
    maximum in depth-row-column order, the last NaN); 2-d: one node with two outputs, as the
    CPU's ``record_multi``; 3-d: a node and separate indices, as the CPU's."""
    nd, shape = len(out), tuple(input.shape)
    pairs = [POOL._adaptive_windows(n, o) for n, o in zip(shape[-nd:], out, strict=True)]
    pairs = [*([_DEPTH] if nd == 2 else []), *pairs]
    bounds = [_on_device(b, np.int64) for pair in pairs for b in pair]
    x4 = _volumes(input, nd)
    value, idx = W.window_max(x4, bounds)
    flat = idx.reshape(x4.shape[0], math.prod(out))
    size = (1,) * (3 - nd) + shape[-nd:]
    take = (flat, lambda g2: W.window_max_backward(g2, flat, bounds, size))
    back = name[: -len("Backward0")] + "BackwardBackward0"
    value, idx = value.reshape(*shape[:-nd], *out), idx.reshape(*shape[:-nd], *out)
    if nd == 2:
        res, ind = record_multi(
            name, [value, idx], [input._dtype, D.int64], (input,),
            lambda g, _unused=None: (_max_pool_grad(g, take, input, back),),
        )  # fmt: skip
        return (res, ind) if return_indices else res
    res = record(name, value, input._dtype, (input,),
                 lambda g: _max_pool_grad(g, take, input, back), saved=(input,))  # fmt: skip
    return (res, _make(idx, D.int64)) if return_indices else res


def adaptive_max_pool2d(input: Any, output_size: Any, return_indices: bool = False) -> Any:  # noqa: A002
    if not isinstance(input, Tensor) or not on_device(input):
        return NotImplemented
    out = FM.adaptive_max_pool2d_size(input, output_size)
    return _adaptive_max(input, out, "AdaptiveMaxPool2DBackward0", return_indices)


def adaptive_max_pool3d(input: Any, output_size: Any, return_indices: bool = False) -> Any:  # noqa: A002
    if not isinstance(input, Tensor) or not on_device(input):
        return NotImplemented
    out = POOL3._adaptive_size("adaptive_max_pool3d", input, output_size)
    return _adaptive_max(input, out, "AdaptiveMaxPool3DBackward0", return_indices)


def max_pool2d(
    input: Any,  # noqa: A002
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    if not isinstance(input, Tensor) or not on_device(input):
        return NotImplemented
    k, s, p, d, oh, ow = POOL.max_pool2d_geometry(
        input, kernel_size, stride, padding, dilation, ceil_mode
    )
    return _max_pool(input, W.flat_geometry(k, s, p, d, (oh, ow)), 2, return_indices)


def max_pool3d(
    input: Any,  # noqa: A002
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    if not isinstance(input, Tensor) or not on_device(input):
        return NotImplemented
    k, s, p, d, out, _, _ = POOL3.max_pool3d_geometry(
        input, kernel_size, stride, padding, dilation, ceil_mode
    )
    return _max_pool(input, W.flat_geometry(k, s, p, d, out), 3, return_indices)


#: a 2-d window's depth bounds: one slice holding depth 0
_DEPTH = (np.zeros(1, np.int64), np.ones(1, np.int64))


def _window_avg(x: Tensor, win: tuple, name: str, nd: int) -> Tensor:
    """``out[p, oz, oy, ox]`` = window sum / divisor over the last ``nd`` dims; ``win`` =
    (the six host bound arrays ``ds, de, hs, he, ws, we``, the divisors ``(od, oh, ow)``,
    the gradient: None for the bounds kernel's, or the kernels' geometry for col2im's)."""
    bounds, div, _ = win
    out = W.avg_pool(
        _volumes(x, nd), [_on_device(b, np.int64) for b in bounds], _on_device(div, x._dtype.np)
    )
    shape = tuple(x.shape)
    value = out.reshape(*shape[:-nd], *div.shape[3 - nd :])
    return record(name, value, x._dtype, (x,), lambda g: _window_avg_grad(g, win, shape, name, nd))


def _window_avg_grad(g: Tensor, win: tuple, shape: tuple, name: str, nd: int) -> Tensor:
    """The adjoint of :func:`_window_avg`; its own backward is the average again. With a
    geometry, ``g / div`` summed by col2im (avg_pool3d: the CPU's order), else in output
    order (the 2-d pools', the CPU's there)."""
    bounds, div, geo = win
    size = (1,) * (3 - nd) + shape[-nd:]
    div_d = _on_device(div, g._dtype.np)
    g4 = _volumes(g, nd)
    if geo is None:
        gx = W.avg_pool_backward(g4, [_on_device(b, np.int64) for b in bounds], div_d, size)
    else:
        dt = g._dtype if g._dtype.round is None else D.float32  # (float16: the CPU's float32)
        with no_grad():
            q = _make(g4, dt) / _make(div_d, dt)
        gx = W.col2im(runtime.contiguous(q._value).reshape(g4.shape[0], 1, -1), geo, size)
    back = name[: -len("Backward0")] + "BackwardBackward0"
    return record(
        back, gx.reshape(shape), g._dtype, (g,), lambda gg: _window_avg(gg, win, name, nd)
    )


def avg_pool2d(
    input: Any,  # noqa: A002
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: Any = None,
) -> Any:
    if not isinstance(input, Tensor) or not on_device(input):
        return NotImplemented
    args = (kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)
    hs, he, ws, we, div = POOL.avg_pool2d_windows(input, *args)
    win = ((*_DEPTH, hs, he, ws, we), div[None], None)
    return _window_avg(input, win, "AvgPool2DBackward0", 2)


def adaptive_avg_pool2d(input: Any, output_size: Any) -> Any:  # noqa: A002
    if not isinstance(input, Tensor) or not on_device(input):
        return NotImplemented
    hs, he, ws, we, div = POOL.adaptive_avg_pool2d_windows(input, output_size)
    if len(hs) == 1 and len(ws) == 1:  # a 1x1 output is the mean, as on the CPU and in PyTorch
        return input.mean((-1, -2), keepdim=True)
    win = ((*_DEPTH, hs, he, ws, we), div[None], None)
    return _window_avg(input, win, "AdaptiveAvgPool2DBackward0", 2)


def avg_pool3d(
    input: Any,  # noqa: A002
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: Any = None,
) -> Any:
    if not isinstance(input, Tensor) or not on_device(input):
        return NotImplemented
    p, _, window, bounds, div = POOL3.avg_pool3d_windows(
        input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override
    )
    geo = list(nn_conv.geometry(window))
    geo[6:9] = p  # (the CPU pads the input; col2im skips the padding instead)
    win = (tuple(b for pair in bounds for b in pair), div, tuple(geo))
    return _window_avg(input, win, "AvgPool3DBackward0", 3)


def adaptive_avg_pool3d(input: Any, output_size: Any) -> Any:  # noqa: A002
    if not isinstance(input, Tensor) or not on_device(input):
        return NotImplemented
    out = POOL3._adaptive_size("adaptive_avg_pool3d", input, output_size)
    if tuple(out) == (1, 1, 1):
        return input.mean((-1, -2, -3), keepdim=True)
    bounds = [POOL._adaptive_windows(n, o) for n, o in zip(input.shape[-3:], out, strict=True)]
    per = [(e - s).astype(np.float64) for s, e in bounds]
    div = np.einsum("i,j,k->ijk", *per)
    win = (tuple(b for pair in bounds for b in pair), div, None)
    return _window_avg(input, win, "AdaptiveAvgPool3DBackward0", 3)


# ---- batch_norm -----------------------------------------------------------------------------
def batch_norm(
    input: Any,  # noqa: A002
    running_mean: Any,
    running_var: Any,
    weight: Any = None,
    bias: Any = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Any:
    """The CPU's batch_norm (:mod:`jitgrad.nn._functional_batchnorm`) with its statistics
    computed by device ops; recorded under the CPU's declaration (``NativeBatchNormBackward0``,
    whose backward is written in Tensor ops)."""
    ts = (input, running_mean, running_var, weight, bias)
    if not isinstance(input, Tensor) or not all_device(*ts) or input.numel() == 0:
        return NotImplemented  # (an empty batch: the CPU op's composite; mixing: its error)
    if momentum is None or input._dtype.is_complex:
        return NotImplemented
    BN._check(input, running_mean, running_var, weight, bias, training)
    c = input.shape[1]
    bshape = (1, c) + (1,) * (input.dim() - 2)
    axes = (0, *range(2, input.dim()))
    with no_grad():
        x = input.detach()
        if training:
            mean = x.mean(axes)
            d = x - mean.reshape(bshape)
            var = (d * d).mean(axes)  # (numpy's var, the CPU's: two passes)
            _update_running(running_mean, running_var, mean, var, x.numel() // c, momentum)
        else:
            mean, var = running_mean.to(x.dtype), running_var.to(x.dtype)
        rstd = 1 / (var + eps).sqrt()
        scale = rstd if weight is None else rstd * weight.detach()
        shift = -mean * scale if bias is None else bias.detach() - mean * scale
        out = (x * scale.reshape(bshape) + shift.reshape(bshape)).contiguous()
        stats = (mean.reshape(bshape), rstd.reshape(bshape))
    saved = tuple(t for t in (input, weight) if t is not None)
    return BN.BATCH_NORM.record(
        "NativeBatchNormBackward0", out._value, input._dtype, (input, weight, bias), saved,
        input=input, weight=weight, bias=bias, training=training, eps=eps, _stats=stats,
        _dims=axes, _bshape=bshape,
    )  # fmt: skip


def _update_running(
    running_mean: Any, running_var: Any, mean: Tensor, var: Tensor, n: int, momentum: float
) -> None:
    """The CPU's update (toward the batch mean and unbiased variance), in device ops."""
    if running_mean is not None:
        running_mean.copy_((1 - momentum) * running_mean + momentum * mean)
    if running_var is not None:
        unbiased = var * (n / max(n - 1, 1))
        running_var.copy_((1 - momentum) * running_var + momentum * unbiased)


NATIVE: dict[str, Any] = {
    **nn_conv.NATIVE,
    "max_pool2d": max_pool2d,
    "max_pool3d": max_pool3d,
    "avg_pool2d": avg_pool2d,
    "avg_pool3d": avg_pool3d,
    "adaptive_avg_pool2d": adaptive_avg_pool2d,
    "adaptive_avg_pool3d": adaptive_avg_pool3d,
    "adaptive_max_pool2d": adaptive_max_pool2d,
    "adaptive_max_pool3d": adaptive_max_pool3d,
    "batch_norm": batch_norm,
    # the CPU's 1-d pools as they are: the 2-d pool between an unsqueeze and a squeeze, each
    # of which reaches its device op (the fallback points the pool module's names at them)
    "max_pool1d": POOL.max_pool1d,
    "avg_pool1d": POOL.avg_pool1d,
    "adaptive_avg_pool1d": POOL.adaptive_avg_pool1d,
    "adaptive_max_pool1d": FM.adaptive_max_pool1d,
}
