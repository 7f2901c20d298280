"""Pooling: ``max_pool1d/2d`` (with indices), ``avg_pool1d/2d``, ``adaptive_avg_pool1d/2d``.

Each 2-d pool is one Numba kernel pass and one node with PyTorch's name
(``MaxPool2DWithIndicesBackward0``, ``AvgPool2DBackward0``, ``AdaptiveAvgPool2DBackward0``).
Their backwards are recorded ops too, whose own backward is the forward's linear map again
(a gather at the saved indices for max pooling, the window average for average pooling), so
double backward works. The 1-d pools are the 2-d ones over a height-1 image between an
``unsqueeze`` and a ``squeeze``, which is how PyTorch builds them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes as D
from ..frontend.declare import zeros_where_needed
from ..frontend.movement import contiguous_array
from ..frontend.recording import record
from ..frontend.tensor import Tensor, _make
from ..kernels.cpu import pool as PK
from ._functional_conv import ntuple, sizes

__all__ = [
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "avg_pool1d",
    "avg_pool2d",
    "max_pool1d",
    "max_pool2d",
]


def _check_input(x: Tensor, op: str = "") -> None:
    shape = tuple(x.shape)
    ok = (len(shape) == 3 and 0 not in shape) or (len(shape) == 4 and 0 not in shape[1:])
    if not ok:
        raise RuntimeError(
            "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, "
            f"but got:{sizes(shape)}"
        )
    if not x._dtype.is_floating_point:
        raise RuntimeError(f"\"{op}\" not implemented for '{x._dtype.np.name}'")


def _out_size(size: int, k: int, pad: int, stride: int, dil: int, ceil_mode: bool) -> int:
    """PyTorch's ``pooling_output_shape``: a last window must start inside input or left pad."""
    if pad < 0:
        raise RuntimeError(f"pad must be non-negative, but got pad: {pad}")
    if pad > (dil * (k - 1) + 1) // 2:
        raise RuntimeError(
            "pad should be at most half of effective kernel size, but got "
            f"pad={pad}, kernel_size={k} and dilation={dil}"
        )
    out = (size + 2 * pad - dil * (k - 1) - 1 + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + pad:
        out -= 1
    return out


def _pool_params(kernel_size: Any, stride: Any, padding: Any, dilation: Any) -> tuple:
    k = ntuple(kernel_size, 2)
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) else stride
    s, p, d = ntuple(s, 2), ntuple(padding, 2), ntuple(dilation, 2)
    if min(k) <= 0:
        raise RuntimeError(
            f"kernel size should be greater than zero, but got kH: {k[0]} kW: {k[1]}"
        )
    if min(s) <= 0:
        raise RuntimeError(f"stride should be greater than zero, but got dH: {s[0]} dW: {s[1]}")
    if min(d) <= 0:
        raise RuntimeError(
            f"dilation should be greater than zero, but got dilationH: {d[0]} dilationW: {d[1]}"
        )
    return k, s, p, d


def _out_hw(x: Tensor, k: tuple, s: tuple, p: tuple, d: tuple, ceil_mode: bool) -> tuple:
    h, w = x.shape[-2:]
    oh = _out_size(h, k[0], p[0], s[0], d[0], ceil_mode)
    ow = _out_size(w, k[1], p[1], s[1], d[1], ceil_mode)
    if oh < 1 or ow < 1:
        c = x.shape[-3]
        raise RuntimeError(
            f"Given input size: ({c}x{h}x{w}). Calculated output size: ({c}x{oh}x{ow}). "
            "Output size is too small"
        )
    return oh, ow


def _planes(x: Tensor) -> np.ndarray:
    a = contiguous_array(x._value, x._dtype)
    return a.reshape(-1, *a.shape[-2:])


def _as_2d(kernel_size: Any, stride: Any, padding: Any) -> tuple:
    """A 1-d pool's kernel, stride and padding as the 2-d pool's over a height-1 image."""
    s = None if stride is None else (1, *ntuple(stride, 1))
    return (1, *ntuple(kernel_size, 1)), s, (0, *ntuple(padding, 1))


# ---- max pooling ----------------------------------------------------------------------------
def max_pool2d(
    input: Tensor,  # noqa: A002
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """Window maxima over ``(N, C, H, W)`` or ``(C, H, W)``; indices are flat ``y * W + x``."""
    k, s, p, d, oh, ow = max_pool2d_geometry(input, kernel_size, stride, padding, dilation,
                                             ceil_mode)  # fmt: skip
    x3 = _planes(input)
    out = np.empty((x3.shape[0], oh, ow), x3.dtype)
    idx = np.empty((x3.shape[0], oh, ow), np.int64)
    PK.pick(PK.max_pool_fwd, x3.size)(x3, k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1], out, idx)
    shape = tuple(input.shape)
    flat_idx = idx.reshape(x3.shape[0], oh * ow)
    result = record(
        "MaxPool2DWithIndicesBackward0",
        out.reshape(*shape[:-2], oh, ow),
        input._dtype,
        (input,),
        lambda g: _max_pool_grad(g, flat_idx, input),
        saved=(input,),
    )
    if return_indices:
        return result, _make(idx.reshape(*shape[:-2], oh, ow), D.int64)
    return result


def max_pool2d_geometry(
    input: Tensor,  # noqa: A002
    kernel_size: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    ceil_mode: bool,
) -> tuple:
    """max_pool2d's checks and its ``(k, s, p, d, oh, ow)`` (the device's too)."""
    _check_input(input, "max_pool2d")
    k, s, p, d = _pool_params(kernel_size, stride, padding, dilation)
    return (k, s, p, d, *_out_hw(input, k, s, p, d, ceil_mode))


def _max_pool_grad(
    g: Tensor, idx: np.ndarray, x: Tensor, nd: int = 2, name: str | None = None
) -> Tensor:
    """Each output gradient added at its window's argmax (``idx``: flat in the last ``nd``
    dims of the pooled input ``x``; recorded as ``name``, by default
    ``MaxPool{nd}DWithIndicesBackwardBackward0``). As PyTorch's, the node has an edge to
    ``x`` too (its derivative there is zero), so under ``create_graph`` the gradient requires
    grad even when ``g`` does not."""
    shape = tuple(x.shape)
    planes, hw = idx.shape[0], int(np.prod(shape[-nd:]))
    g2 = contiguous_array(g._value, g._dtype).reshape(planes, idx.shape[1])
    gx = np.zeros((planes, hw), g2.dtype)
    PK.pick(PK.max_pool_bwd, gx.size)(g2, idx, gx)
    idx_t = _make(idx, D.int64)
    return record(
        name or f"MaxPool{nd}DWithIndicesBackwardBackward0",
        gx.reshape(shape),
        g._dtype,
        (g, x),
        lambda gg: zeros_where_needed(
            (gg.reshape(planes, hw).gather(1, idx_t).reshape(g.shape), None), (g, x)
        ),
    )


def max_pool1d(
    input: Tensor,  # noqa: A002
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """``max_pool2d`` over a height-1 image: ``(N, C, L)`` or ``(C, L)``."""
    if input.dim() not in (2, 3) or 0 in input.shape[-2:]:
        raise RuntimeError(
            f"max_pool1d() Expected 2D or 3D input tensor, but got {sizes(input.shape)}"
        )
    k, s, p = _as_2d(kernel_size, stride, padding)
    d = (1, *ntuple(dilation, 1))
    res = max_pool2d(input.unsqueeze(-2), k, s, p, d, ceil_mode, return_indices)
    if return_indices:
        return res[0].squeeze(-2), res[1].squeeze(-2)
    return res.squeeze(-2)


# ---- average pooling ------------------------------------------------------------------------
def _window_avg(x: Tensor, win: tuple, name: str) -> Tensor:
    """``out[p, oy, ox]`` = window sum / divisor; ``win = (hs, he, ws, we, div)``."""
    hs, he, ws, we, div = win
    x3 = _planes(x)
    out = np.empty((x3.shape[0], hs.shape[0], ws.shape[0]), x3.dtype)
    PK.pick(PK.avg_pool_fwd, x3.size)(x3, hs, he, ws, we, div.astype(x3.dtype), out)
    shape = tuple(x.shape)
    value = out.reshape(*shape[:-2], hs.shape[0], ws.shape[0])
    return record(name, value, x._dtype, (x,), lambda g: _window_avg_grad(g, win, shape, name))


def _window_avg_grad(g: Tensor, win: tuple, shape: tuple, name: str) -> Tensor:
    """The adjoint of :func:`_window_avg`; its own backward is the average again."""
    hs, he, ws, we, div = win
    g3 = _planes(g)
    gx = np.empty((g3.shape[0], *shape[-2:]), g3.dtype)
    PK.pick(PK.avg_pool_bwd, gx.size)(g3, hs, he, ws, we, div.astype(g3.dtype), gx)
    back = name[: -len("Backward0")] + "BackwardBackward0"
    return record(back, gx.reshape(shape), g._dtype, (g,), lambda gg: _window_avg(gg, win, name))


def _avg_windows(size: int, out: int, k: int, s: int, p: int) -> tuple:
    """Window bounds clipped to the input, and the unclipped (padded) window sizes."""
    start = np.arange(out, dtype=np.int64) * s - p
    end = np.minimum(start + k, size + p)
    padded = end - start
    return np.maximum(start, 0), np.minimum(end, size), padded


def avg_pool2d(
    input: Tensor,  # noqa: A002
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """Window means over ``(N, C, H, W)`` or ``(C, H, W)`` (``AvgPool2DBackward0``)."""
    win = avg_pool2d_windows(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                             divisor_override)  # fmt: skip
    return _window_avg(input, win, "AvgPool2DBackward0")


def avg_pool2d_windows(
    input: Tensor,  # noqa: A002
    kernel_size: Any,
    stride: Any,
    padding: Any,
    ceil_mode: bool,
    count_include_pad: bool,
    divisor_override: int | None,
) -> tuple:
    """avg_pool2d's checks and its windows ``(hs, he, ws, we, div)`` (the device's too)."""
    _check_input(input, "avg_pool2d")
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    k, s, p, d = _pool_params(kernel_size, stride, padding, 1)
    oh, ow = _out_hw(input, k, s, p, d, ceil_mode)
    h, w = input.shape[-2:]
    hs, he, hpad = _avg_windows(h, oh, k[0], s[0], p[0])
    ws, we, wpad = _avg_windows(w, ow, k[1], s[1], p[1])
    if divisor_override is not None:
        div = np.full((oh, ow), float(divisor_override))
    elif count_include_pad:
        div = np.outer(hpad, wpad).astype(np.float64)
    else:
        div = np.outer(he - hs, we - ws).astype(np.float64)
    return hs, he, ws, we, div


def avg_pool1d(
    input: Tensor,  # noqa: A002
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:
    """``avg_pool2d`` over a height-1 image: ``(N, C, L)`` or ``(C, L)``."""
    if input.dim() not in (2, 3):
        raise RuntimeError(
            f"avg_pool1d() Expected 2D or 3D input tensor, but got {sizes(input.shape)}"
        )
    k, s, p = _as_2d(kernel_size, stride, padding)
    return avg_pool2d(input.unsqueeze(-2), k, s, p, ceil_mode, count_include_pad).squeeze(-2)


def _adaptive_windows(size: int, out: int) -> tuple:
    """PyTorch's adaptive bounds: ``[floor(i*size/out), ceil((i+1)*size/out))``."""
    i = np.arange(out, dtype=np.int64)
    start = (i * size) // out
    end = -((-(i + 1) * size) // out)
    return start, end


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:  # noqa: A002
    """Means over ``output_size`` near-equal windows (``AdaptiveAvgPool2DBackward0``); a 1x1
    output is the mean over the last two dims (``MeanBackward1``), PyTorch's shortcut."""
    win = adaptive_avg_pool2d_windows(input, output_size)
    if len(win[0]) == 1 and len(win[2]) == 1:
        return input.mean((-1, -2), keepdim=True)
    return _window_avg(input, win, "AdaptiveAvgPool2DBackward0")


def adaptive_avg_pool2d_windows(input: Tensor, output_size: Any) -> tuple:  # noqa: A002
    """adaptive_avg_pool2d's checks and its windows ``(hs, he, ws, we, div)``."""
    shape = tuple(input.shape)
    if input.dim() not in (3, 4) or 0 in shape[-3:]:
        raise RuntimeError(
            "adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got " + sizes(shape)
        )
    pair = ntuple_none(output_size)
    oh, ow = (shape[-2 + i] if v is None else int(v) for i, v in enumerate(pair))
    if oh < 0 or ow < 0:
        raise RuntimeError(
            f"adaptive_avg_pool2d(): Expected output_size to be non-negative, but got "
            f"{sizes((oh, ow))}"
        )
    hs, he = _adaptive_windows(shape[-2], oh)
    ws, we = _adaptive_windows(shape[-1], ow)
    div = np.outer(he - hs, we - ws).astype(np.float64)
    return hs, he, ws, we, div


def ntuple_none(size: Any) -> tuple:
    """``output_size`` as a pair whose entries may be None (keep that input size)."""
    if isinstance(size, int) or size is None:
        return (size, size)
    t = tuple(size)
    return t * 2 if len(t) == 1 else t


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:  # noqa: A002
    """``adaptive_avg_pool2d`` over a height-1 image: ``(N, C, L)`` or ``(C, L)``."""
    if input.dim() not in (2, 3):
        raise RuntimeError(
            f"adaptive_avg_pool1d(): Expected 2D or 3D tensor, but got {sizes(input.shape)}"
        )
    length = ntuple(output_size, 1)[0]
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, length)).squeeze(-2)
