"""3-d pooling: ``max_pool3d``, ``avg_pool3d``, ``adaptive_avg_pool3d``, ``adaptive_max_pool3d``.

The fixed-window pools read their windows through the convolution's im2col over three
spatial dims (``_windows_nd``: the 2-d kernel plus a gather along depth): max pooling on an
input padded with ``-inf`` takes each column's first maximum (PyTorch's scan order: depth,
then height, then width), average pooling sums each column and divides by PyTorch's
divisor. Adaptive windows differ in size, but a box's mean and max are separable: the mean
is one set of averaging taps per dim (:mod:`._taps`), the max one
first-maximum reduction per dim. Each records one node with PyTorch's name; the backwards
are recorded ops whose own backward is the forward's linear map again.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import dtypes as D
from ..frontend.movement import contiguous_array
from ..frontend.recording import record
from ..frontend.tensor import Tensor, _make
from ._functional_pool import _adaptive_windows, _avg_windows, _max_pool_grad, _out_size
from ._taps import resample_taps, windows
from ._windows_nd import Geom, Lead, Window, col2im, im2col, ntuple, window

__all__ = ["adaptive_avg_pool3d", "adaptive_max_pool3d", "avg_pool3d", "max_pool3d"]


def _check(x: Tensor, op: str) -> None:
    shape = tuple(x.shape)
    if not ((len(shape) == 4 and 0 not in shape) or (len(shape) == 5 and 0 not in shape[1:])):
        raise RuntimeError("non-empty 4D or 5D (batch mode) tensor expected for input")


def _triple(op: str, name: str, value: Any) -> tuple[int, int, int]:
    t = (value,) if isinstance(value, int | np.integer) else tuple(value)
    if len(t) not in (1, 3):
        raise RuntimeError(f"{op}: {name} must either be a single int, or a tuple of three ints")
    return ntuple(t, 3)  # type: ignore[return-value]


def _params(op: str, kernel_size: Any, stride: Any, padding: Any, dilation: Any) -> tuple:
    k = _triple(op, "kernel_size", kernel_size)
    empty = stride is None or (not isinstance(stride, int) and len(stride) == 0)
    s = k if empty else _triple(op, "stride", stride)
    p, d = _triple(op, "padding", padding), _triple(op, "dilation", dilation)
    if min(s) == 0:
        raise RuntimeError("stride should not be zero")
    if min(k) <= 0 or min(s) < 0 or min(d) <= 0:
        raise RuntimeError(f"{op}: kernel_size, stride and dilation must be positive")
    return k, s, p, d


def _window(x: Tensor, k: tuple, s: tuple, p: tuple, d: tuple, ceil_mode: bool) -> tuple:
    """The pool's output sizes and the right padding that holds every (ceil-mode) window."""
    size = tuple(x.shape[-3:])
    out = tuple(_out_size(size[i], k[i], p[i], s[i], d[i], ceil_mode) for i in range(3))
    if min(out) < 1:
        c = x.shape[-4]
        raise RuntimeError(
            f"Given input size: ({c}x{'x'.join(map(str, size))}). Calculated output size: "
            f"({c}x{'x'.join(map(str, out))}). Output size is too small"
        )
    hi = tuple(
        max(p[i], (out[i] - 1) * s[i] + d[i] * (k[i] - 1) + 1 - size[i] - p[i]) for i in range(3)
    )
    win = window(
        Geom(k[1], k[2], s[1], s[2], 0, 0, d[1], d[2], out[1], out[2]),
        (Lead(k[0], s[0], 0, 0, d[0], out[0]),),
    )
    return out, hi, win


def _planes(x: Tensor) -> np.ndarray:
    a = contiguous_array(x._value, x._dtype)
    return a.reshape(-1, *a.shape[-3:])


def _padded(a: np.ndarray, p: tuple, hi: tuple, fill: Any) -> np.ndarray:
    return np.pad(a, [(0, 0)] + [(p[i], hi[i]) for i in range(3)], constant_values=fill)


def _pick(a: np.ndarray, axis: int) -> np.ndarray:
    """The tap PyTorch's scan keeps along ``axis``: the first maximum (``val > max``), but the
    last NaN where there is one (``isnan(val)`` replaces the running maximum every time)."""
    arg = a.argmax(axis)
    if a.dtype.kind == "f":
        nan = np.isnan(a)
        if nan.any():
            last = a.shape[axis] - 1 - np.flip(nan, axis).argmax(axis)
            arg = np.where(nan.any(axis), last, arg)
    return arg


def max_pool3d_geometry(
    input: Tensor,  # noqa: A002
    kernel_size: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    ceil_mode: bool,
) -> tuple:
    """max_pool3d's checks and its windows ``(k, s, p, d, out, hi, win)`` (the device op's
    too): per-dim kernel, stride, padding, dilation, output size, right padding, window."""
    _check(input, "max_pool3d")
    k, s, p, d = _params("max_pool3d", kernel_size, stride, padding, dilation)
    return (k, s, p, d, *_window(input, k, s, p, d, ceil_mode))


def max_pool3d(
    input: Tensor,  # noqa: A002
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """Window maxima over ``(N, C, D, H, W)`` or ``(C, D, H, W)``; indices flat in D*H*W
    (a window's NaN wins, as in PyTorch)."""
    k, s, p, d, out, hi, win = max_pool3d_geometry(
        input, kernel_size, stride, padding, dilation, ceil_mode
    )
    a = _planes(input)
    low = -np.inf if input._dtype.is_floating_point else np.iinfo(a.dtype).min
    cols = im2col(_padded(a, p, hi, low), win)  # (P, taps, L)
    arg = _pick(cols, 1)
    value = np.take_along_axis(cols, arg[:, None], 1)[:, 0]
    tap = np.unravel_index(arg, k)
    pos = np.unravel_index(np.arange(math.prod(out)), out)
    size = input.shape[-3:]
    at = [pos[i] * s[i] - p[i] + tap[i] * d[i] for i in range(3)]
    idx = np.ascontiguousarray((at[0] * size[1] + at[1]) * size[2] + at[2], dtype=np.int64)
    shape = tuple(input.shape)
    result = record(
        "MaxPool3DWithIndicesBackward0",
        value.reshape(*shape[:-3], *out),
        input._dtype,
        (input,),
        lambda g: _max_pool_grad(g, idx, input, 3),
        saved=(input,),
    )
    if return_indices:
        return result, _make(idx.reshape(*shape[:-3], *out), D.int64)
    return result


def _box_sum(x: Tensor, pads: tuple, win: Window, div: np.ndarray, name: str) -> Tensor:
    """``out = window sum / div`` as one node; its backward is :func:`_box_sum_grad`."""
    p, hi = pads
    cols = im2col(_padded(_planes(x), p, hi, 0), win)
    value = cols.sum(1) / div.reshape(-1).astype(cols.dtype)
    shape = tuple(x.shape)
    value = value.reshape(*shape[:-3], *win.out)
    return record(
        name, value, x._dtype, (x,), lambda g: _box_sum_grad(g, pads, win, div, shape, name)
    )


def _box_sum_grad(
    g: Tensor, pads: tuple, win: Window, div: np.ndarray, shape: tuple, name: str
) -> Tensor:
    p, hi = pads
    gl = contiguous_array(g._value, g._dtype).reshape(-1, 1, div.size)
    cols = np.broadcast_to(
        gl / div.reshape(1, 1, -1).astype(gl.dtype), (gl.shape[0], win.taps, div.size)
    )
    size = tuple(shape[-3:])
    full = col2im(cols, win, tuple(size[i] + p[i] + hi[i] for i in range(3)))
    gx = full[:, p[0] : p[0] + size[0], p[1] : p[1] + size[1], p[2] : p[2] + size[2]]
    back = name[: -len("Backward0")] + "BackwardBackward0"
    return record(
        back,
        np.ascontiguousarray(gx).reshape(shape),
        g._dtype,
        (g,),
        lambda gg: _box_sum(gg, pads, win, div, name),
    )


def avg_pool3d(
    input: Tensor,  # noqa: A002
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """Window means over ``(N, C, D, H, W)`` or ``(C, D, H, W)`` (``AvgPool3DBackward0``)."""
    args = (kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)
    p, hi, win, _, div = avg_pool3d_windows(input, *args)
    return _box_sum(input, (p, hi), win, div, "AvgPool3DBackward0")


def avg_pool3d_windows(
    input: Tensor,  # noqa: A002
    kernel_size: Any,
    stride: Any,
    padding: Any,
    ceil_mode: bool,
    count_include_pad: bool,
    divisor_override: int | None,
) -> tuple:
    """avg_pool3d's checks and its windows ``(p, hi, win, bounds, div)`` (the device op's
    too): padding before and after, the window, per dim the (start, end) bounds clipped to
    the input, and the divisors ``(od, oh, ow)`` in float64."""
    _check(input, "avg_pool3d")
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    k, s, p, d = _params("avg_pool3d", kernel_size, stride, padding, 1)
    size = tuple(input.shape[-3:])
    if any(size[i] + 2 * p[i] < k[i] for i in range(3)):
        raise RuntimeError(
            f"input image (T: {size[0]} H: {size[1]} W: {size[2]}) smaller than kernel size "
            f"(kT: {k[0]} kH: {k[1]} kW: {k[2]})"
        )
    out, hi, win = _window(input, k, s, p, d, ceil_mode)
    bounds = [_avg_windows(size[i], out[i], k[i], s[i], p[i]) for i in range(3)]
    if divisor_override is not None:
        div = np.full(out, float(divisor_override))
    else:
        per = [b[2] if count_include_pad else b[1] - b[0] for b in bounds]
        div = np.einsum("i,j,k->ijk", *[v.astype(np.float64) for v in per])
    return p, hi, win, [b[:2] for b in bounds], div


def _adaptive_size(op: str, x: Tensor, output_size: Any) -> tuple[int, int, int]:
    shape = tuple(x.shape)
    if x.dim() not in (4, 5) or 0 in shape[-4:]:
        sep = ": " if op == "adaptive_max_pool3d" else " "
        raise RuntimeError(f"{op}(): Expected 4D or 5D tensor, but got{sep}{_sizes(shape)}")
    t = (
        (output_size,) * 3
        if output_size is None or isinstance(output_size, int)
        else tuple(output_size)
    )
    t = t * 3 if len(t) == 1 else t
    out = tuple(shape[-3 + i] if v is None else int(v) for i, v in enumerate(t))
    if min(out) < 0:
        raise RuntimeError(
            f"{op}: elements of output_size must be greater than or equal to 0 but received "
            f"{{{out[0]}, {out[1]},{out[2]}}}"
        )
    return out  # type: ignore[return-value]


def _sizes(t: Any) -> str:
    return "[" + ", ".join(str(v) for v in t) + "]"


def adaptive_avg_pool3d(input: Tensor, output_size: Any) -> Tensor:  # noqa: A002
    """Means over near-equal windows (``AdaptiveAvgPool3DBackward0``): each spatial dim's
    windows as taps of weight ``1/len`` (:func:`._taps.windows`), so an output reads only its
    window (a NaN stays in the outputs whose windows hold it, as in PyTorch)."""
    out = _adaptive_size("adaptive_avg_pool3d", input, output_size)
    if tuple(out) == (1, 1, 1):  # PyTorch's shortcut: the mean (MeanBackward1)
        return input.mean((-1, -2, -3), keepdim=True)
    dt = np.dtype(input._dtype.np)
    taps = [windows(*_adaptive_windows(n, o), n, dt) for n, o in zip(input.shape[-3:], out)]
    return resample_taps(input, taps, "AdaptiveAvgPool3DBackward0")


def adaptive_max_pool3d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:  # noqa: A002
    """Maxima over near-equal windows (``AdaptiveMaxPool3DBackward0``): a box's first maximum
    is found one dim at a time, width first, so ties keep PyTorch's depth-height-width order."""
    out = _adaptive_size("adaptive_max_pool3d", input, output_size)
    vals = _planes(input)
    size = vals.shape[1:]
    idx = np.broadcast_to(np.arange(math.prod(size)).reshape(size), vals.shape)
    for axis in (3, 2, 1):
        start, end = _adaptive_windows(vals.shape[axis], out[axis - 1])
        new_v, new_i = [], []
        for lo, hi in zip(start, end, strict=True):
            sub = np.take(vals, range(lo, hi), axis=axis)
            arg = np.expand_dims(_pick(sub, axis), axis)
            new_v.append(np.take_along_axis(sub, arg, axis))
            new_i.append(np.take_along_axis(np.take(idx, range(lo, hi), axis=axis), arg, axis))
        vals, idx = np.concatenate(new_v, axis), np.concatenate(new_i, axis)
    shape = tuple(input.shape)
    flat = np.ascontiguousarray(idx.reshape(idx.shape[0], -1), dtype=np.int64)
    result = record(
        "AdaptiveMaxPool3DBackward0",
        np.ascontiguousarray(vals).reshape(*shape[:-3], *out),
        input._dtype,
        (input,),
        lambda g: _max_pool_grad(g, flat, input, 3, "AdaptiveMaxPool3DBackwardBackward0"),
        saved=(input,),
    )
    if return_indices:
        return result, _make(flat.reshape(*shape[:-3], *out), D.int64)
    return result
