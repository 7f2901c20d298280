"""conv1d/conv2d, max/avg/adaptive-avg pooling and batch_norm on device tensors.

These ran through the host fallback (a convolution step made a dozen device-to-host copies).
Each is the CPU op's algorithm with the device's kernels: the same checks and geometry (the
CPU's helpers, so its errors), the same node names and saved tensors, backwards written in
device Tensor ops or as recorded kernels whose own backward is the forward's linear map, so
``create_graph`` works as on the CPU.

* Convolution: im2col (:mod:`jitgrad.kernels.cuda.windows`) and the device matmul, one
  ``ConvolutionBackward0`` node; its backward is the CPU's: a transposed product, col2im
  (``Col2ImBackward0``, im2col's adjoint) and the column sums.
* Pooling: one kernel per pass over the CPU's windows; the adjoints gather in the CPU's
  order, so pooled values and gradients are bitwise the CPU's.
* batch_norm: the statistics and the update of the running ones by device reductions and
  elementwise ops under ``no_grad``, recorded under the CPU's declaration (its backward is
  written in Tensor ops).

Not covered (the host fallback): grouped and integer convolutions, conv3d, autocast.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ... import dtypes as D
from ...autocast_state import STATE as AUTOCAST
from ...engine.grad_mode import no_grad
from ...frontend.declare import zeros_where_needed
from ...frontend.recording import record
from ...frontend.tensor import Tensor, _make
from ...kernels.cuda import matmul as KM
from ...kernels.cuda import windows as W
from ...nn import _functional_batchnorm as BN
from ...nn import _functional_conv as CONV
from ...nn import _functional_pool as POOL
from ...nn._windows_nd import conv_window
from . import runtime
from .elementwise import on_device
from .linalg import TILE, mm_t


def _all_device(*ts: Any) -> bool:
    return all(t is None or (isinstance(t, Tensor) and on_device(t)) for t in ts)


# ---- convolution ----------------------------------------------------------------------------
def _im2col(x: Tensor, g: Any) -> Tensor:
    """(N, C, H, W) -> (N, C*taps, L) columns (``Im2ColBackward0``; adjoint: col2im)."""
    n, c, h, w = x.shape
    planes = runtime.contiguous(x._value).reshape(n * c, h, w)
    cols = W.im2col(planes, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, g.oh, g.ow)
    out = cols.reshape(n, c * g.kh * g.kw, g.oh * g.ow)
    return record("Im2ColBackward0", out, x._dtype, (x,), lambda gc: _col2im(gc, g, (h, w)))


def _col2im(cols: Tensor, g: Any, hw: tuple[int, int]) -> Tensor:
    """(N, C*taps, L) columns summed back into (N, C, H, W) (``Col2ImBackward0``)."""
    n, ckk, length = cols.shape
    c = ckk // (g.kh * g.kw)
    a = runtime.contiguous(cols._value).reshape(n * c, g.kh * g.kw, length)
    out = W.col2im(a, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, g.ow, *hw)
    value = out.reshape(n, c, *hw)
    return record("Col2ImBackward0", value, cols._dtype, (cols,), lambda gg: _im2col(gg, g))


def _convolution(
    input: Any,  # noqa: A002
    weight: Any,
    bias: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    groups: Any,
    nd: int,
) -> Any:
    if not (isinstance(input, Tensor) and isinstance(weight, Tensor)) or groups != 1:
        return NotImplemented
    if AUTOCAST.dtype is not None or not _all_device(input, weight, bias):
        return NotImplemented  # (device mixing: the CPU op's error through the fallback)
    if not input._dtype.is_floating_point or input._dtype.is_complex:
        return NotImplemented
    shape = CONV._check_conv(input, weight, bias, groups, nd)
    if input.dim() == nd + 1:  # PyTorch batchifies: unsqueeze, convolve, squeeze
        out = _convolution(input.unsqueeze(0), weight, bias, stride, padding, dilation, 1, nd)
        return out.squeeze(0)
    n, c, o = shape[0], shape[1], weight.shape[0]
    spatial = (1, shape[2]) if nd == 1 else tuple(shape[2:])
    k = (1, weight.shape[2]) if nd == 1 else tuple(weight.shape[2:])
    win = conv_window(spatial, k, stride, padding, dilation, nd)
    g, kg = win.g, c * win.taps
    x4 = runtime.contiguous(input._value).reshape(n * c, *spatial)
    cols = W.im2col(x4, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, g.oh, g.ow)
    w2 = runtime.contiguous(weight._value).reshape(o, kg)
    out = KM.matmul(w2, cols.reshape(n, kg, g.oh * g.ow), tile=TILE)
    if bias is not None:
        W.add_channel(out, runtime.contiguous(bias._value))
    needs = (input._requires_grad, weight._requires_grad, bias is not None and bias._requires_grad)
    backward = _convolution_backward(input, weight, g, spatial, needs)
    return record("ConvolutionBackward0", out.reshape(n, o, *win.out[-nd:]), input._dtype,
                  (input, weight, bias), backward, saved=(input, weight))  # fmt: skip


def _convolution_backward(
    input: Tensor,  # noqa: A002
    weight: Tensor,
    g: Any,
    spatial: tuple,
    needs: tuple[bool, bool, bool],
) -> Any:
    """The CPU's backward (groups 1) in device ops: differentiable again."""
    n, c, o = input.shape[0], input.shape[1], weight.shape[0]
    kg, length = c * g.kh * g.kw, g.oh * g.ow

    def backward(grad: Tensor) -> tuple:
        g3 = grad.contiguous().reshape(n, o, length)
        gx = gw = gb = None
        if needs[0]:
            gcols = mm_t(weight.reshape(o, kg), True, g3, False)
            gx = _col2im(gcols, g, spatial).reshape(input.shape)
        if needs[1]:
            cols = _im2col(input.reshape(n, c, *spatial), g)
            gw = mm_t(g3, False, cols, True).sum(0).reshape(weight.shape)
        if needs[2]:
            gb = g3.sum((0, 2))
        return gx, gw, gb

    return backward


def conv1d(
    input: Any,  # noqa: A002
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: Any = 1,
) -> Any:
    return _convolution(input, weight, bias, stride, padding, dilation, groups, 1)


def conv2d(
    input: Any,  # noqa: A002
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: Any = 1,
) -> Any:
    return _convolution(input, weight, bias, stride, padding, dilation, groups, 2)


# ---- pooling --------------------------------------------------------------------------------
def _planes(x: Tensor) -> Any:
    v = runtime.contiguous(x._value)
    return v.reshape(math.prod(x.shape[:-2]), *x.shape[-2:])


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
    x3 = _planes(input)
    out, idx = W.max_pool(x3, k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1], oh, ow)
    shape = tuple(input.shape)
    flat_idx = idx.reshape(x3.shape[0], oh * ow)
    result = record(
        "MaxPool2DWithIndicesBackward0", out.reshape(*shape[:-2], oh, ow), input._dtype,
        (input,), lambda g: _max_pool_grad(g, flat_idx, input, (*k, *s, *p, *d, ow)),
        saved=(input,),
    )  # fmt: skip
    if return_indices:
        return result, _make(idx.reshape(*shape[:-2], oh, ow), D.int64)
    return result


def _max_pool_grad(g: Tensor, idx: Any, x: Tensor, geometry: tuple) -> Tensor:
    """Each output gradient added at its window's argmax (the CPU's node, its edge to ``x``
    and its backward: a gather at the indices)."""
    shape = tuple(x.shape)
    planes, hw = idx.shape[0], shape[-2] * shape[-1]
    g2 = runtime.contiguous(g._value).reshape(planes, idx.shape[1])
    gx = W.max_pool_backward(g2, idx, geometry, shape[-2:])
    idx_t = _make(idx, D.int64)
    return record(
        "MaxPool2DWithIndicesBackwardBackward0", gx.reshape(shape), g._dtype, (g, x),
        lambda gg: zeros_where_needed(
            (gg.reshape(planes, hw).gather(1, idx_t).reshape(g.shape), None), (g, x)
        ),
    )  # fmt: skip


def _window_avg(x: Tensor, win: tuple, name: str) -> Tensor:
    """``out[p, oy, ox]`` = window sum / divisor; ``win = (hs, he, ws, we, div)`` (host)."""
    hs, he, ws, we, div = win
    bounds = [_on_device(b, np.int64) for b in (hs, he, ws, we)]
    out = W.avg_pool(_planes(x), *bounds, _on_device(div, x._dtype.np))
    shape = tuple(x.shape)
    value = out.reshape(*shape[:-2], hs.shape[0], ws.shape[0])
    return record(name, value, x._dtype, (x,), lambda g: _window_avg_grad(g, win, shape, name))


def _window_avg_grad(g: Tensor, win: tuple, shape: tuple, name: str) -> Tensor:
    """The adjoint of :func:`_window_avg`; its own backward is the average again."""
    hs, he, ws, we, div = win
    bounds = [_on_device(b, np.int64) for b in (hs, he, ws, we)]
    gx = W.avg_pool_backward(_planes(g), *bounds, _on_device(div, g._dtype.np), shape[-2:])
    back = name[: -len("Backward0")] + "BackwardBackward0"
    return record(back, gx.reshape(shape), g._dtype, (g,), lambda gg: _window_avg(gg, win, name))


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
    win = POOL.avg_pool2d_windows(input, kernel_size, stride, padding, ceil_mode,
                                  count_include_pad, divisor_override)  # fmt: skip
    return _window_avg(input, win, "AvgPool2DBackward0")


def adaptive_avg_pool2d(input: Any, output_size: Any) -> Any:  # noqa: A002
    if not isinstance(input, Tensor) or not on_device(input):
        return NotImplemented
    win = POOL.adaptive_avg_pool2d_windows(input, output_size)
    return _window_avg(input, win, "AdaptiveAvgPool2DBackward0")


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
    if not isinstance(input, Tensor) or not _all_device(*ts) or input.numel() == 0:
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
    "conv1d": conv1d,
    "conv2d": conv2d,
    "max_pool2d": max_pool2d,
    "avg_pool2d": avg_pool2d,
    "adaptive_avg_pool2d": adaptive_avg_pool2d,
    "batch_norm": batch_norm,
    # the CPU's 1-d pools as they are: the 2-d pool between an unsqueeze and a squeeze, each
    # of which reaches its device op (the fallback points the pool module's names at them)
    "max_pool1d": POOL.max_pool1d,
    "avg_pool1d": POOL.avg_pool1d,
    "adaptive_avg_pool1d": POOL.adaptive_avg_pool1d,
}
