"""``conv_transpose2d`` and ``conv_transpose3d``: the adjoint of a convolution.

The forward is one BLAS matmul per group (``W^T x``, the columns) summed into the output by
col2im, recorded as one ``ConvolutionBackward0`` node as in PyTorch. Its backward is the
convolution of the gradient (input), im2col products (weight) and a sum (bias), written in
Tensor ops over :mod:`._functional_conv`'s recorded linear ops, so it is differentiable again.
"""

from __future__ import annotations

import math
from typing import Any

from .. import launchlog
from ..frontend.movement import contiguous_array
from ..frontend.recording import record
from ..frontend.tensor import Tensor
from ._conv_complex import complex_convolution
from ._conv_dtypes import check_conv_dtypes, onednn_route
from ._functional_conv import _convolution, _im2col, sizes
from ._windows_nd import Geom, Lead, Window, col2im, ntuple, window

__all__ = ["conv_transpose2d", "conv_transpose3d"]


def _checked_args(x: Tensor, weight: Tensor, groups: int, args: tuple, nd: int) -> tuple:
    """``(stride, padding, output_padding, dilation)`` as ``nd``-tuples, after PyTorch's checks
    in its order: the channels (the weight's first dim is the input's, divisible by ``groups``),
    then ``output_padding``, smaller than the stride or the dilation in every dim."""
    cin, c = weight.shape[0], x.shape[1]
    if c != cin or cin % groups:
        raise RuntimeError(
            f"Given transposed=1, weight of size {sizes(weight.shape)}, expected input"
            f"{sizes(x.shape)} to have {cin} channels, but got {c} channels instead"
        )
    s, p, op, d = (ntuple(v, nd) for v in args)
    if any(op[i] >= max(s[i], d[i]) for i in range(nd)):
        dims = ("depth", "height", "width")[3 - nd :]
        got = " ".join(
            f"{what}_{dim}: {v[i]}"
            for what, v in (("output_padding", op), ("stride", s), ("dilation", d))
            for i, dim in enumerate(dims)
        )
        raise RuntimeError(
            f"output padding must be smaller than either stride or dilation, but got {got}"
        )
    return s, p, op, d


def _window(spatial: tuple, k: tuple, s: tuple, p: tuple, op: tuple, d: tuple) -> Window:
    """The windows col2im sums the columns through: those of the convolution whose adjoint
    this is, over the output (its last two dims a :class:`Geom`, any before them a ``Lead``)."""
    nd = len(spatial)
    lead = tuple(
        Lead(k[i], s[i], p[i], max(0, p[i] - op[i]), d[i], spatial[i]) for i in range(nd - 2)
    )
    i, j = nd - 2, nd - 1
    geom = Geom(k[i], k[j], s[i], s[j], p[i], p[j], d[i], d[j], spatial[i], spatial[j])
    return window(geom, lead)


def transpose_geometry(x: Tensor, weight: Tensor, bias: Any, groups: int, args: tuple, nd: int):
    """``(stride, padding, dilation, output size, window)`` of the transposed convolution of
    the batched ``x``, after PyTorch's checks (types, then ``args``: stride, padding,
    output_padding, dilation); the device op's too."""
    kernel, ws = f"slow_conv_transpose{max(nd, 2)}d_out_cpu", tuple(weight.shape)
    onednn = onednn_route(tuple(x.shape), ws, groups, x._dtype)
    check_conv_dtypes(x, weight, bias, kernel, True, onednn)
    spatial, k = tuple(x.shape[2:]), tuple(weight.shape[2:])
    s, p, op, d = _checked_args(x, weight, groups, args, nd)
    out_sp = tuple(
        (spatial[i] - 1) * s[i] - 2 * p[i] + d[i] * (k[i] - 1) + op[i] + 1 for i in range(nd)
    )
    return s, p, d, out_sp, _window(spatial, k, s, p, op, d)


def _backward(x: Tensor, weight: Tensor, win: Window, conv: tuple, needs: tuple) -> Any:
    """The backward of :func:`_conv_transpose`, in Tensor ops so it is differentiable again:
    the convolution of the gradient for the input (``conv``: stride, padding, dilation, groups,
    nd), im2col products for the weight, a sum for the bias; only those ``needs`` asks for."""
    s, p, d, groups, nd = conv
    n, length = x.shape[0], math.prod(x.shape[2:])
    ci, og, kk = weight.shape[0] // groups, weight.shape[1], win.taps

    def backward(grad: Tensor) -> tuple:
        gx = gw = gb = None
        if needs[0]:
            gx = _convolution(grad, weight, None, s, p, d, groups, nd)
        if needs[1]:
            gcols = _im2col(grad, win).reshape(n, groups, og * kk, length)
            xg = x.reshape(n, groups, ci, length)
            gw = xg.matmul(gcols.transpose(2, 3)).sum(0).reshape(weight.shape)
        if needs[2]:
            gb = grad.sum((0, *range(2, nd + 2)))
        return gx, gw, gb

    return backward


def _conv_transpose(
    input: Tensor,  # noqa: A002
    weight: Tensor,
    bias: Tensor | None,
    stride: Any,
    padding: Any,
    output_padding: Any,
    groups: int,
    dilation: Any,
    nd: int,
) -> Tensor:
    """The adjoint of a convolution over ``(N, C_in, *spatial)`` with weight
    ``(C_in, C_out/groups, *kernel)``: columns ``W^T x`` (a BLAS matmul per group) summed into
    the output by col2im. One ``ConvolutionBackward0`` node as in PyTorch (:func:`_backward`)."""
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to "
            f"conv_transpose{nd}d, but got input of size: {sizes(input.shape)}"
        )
    if input.dim() == nd + 1:  # batchified as PyTorch does
        args = (stride, padding, output_padding, groups, dilation, nd)
        return _conv_transpose(input.unsqueeze(0), weight, bias, *args).squeeze(0)
    x, (cin, og) = input, weight.shape[:2]
    n, spatial = x.shape[0], tuple(x.shape[2:])
    args = (stride, padding, output_padding, dilation)
    s, p, d, out_sp, win = transpose_geometry(x, weight, bias, groups, args, nd)
    if x._dtype.is_complex:  # three real convolutions, as PyTorch
        args = (stride, padding, output_padding, groups, dilation, nd)
        return complex_convolution(lambda y, w, b: _conv_transpose(y, w, b, *args), x, weight, bias)
    o, ci, kk, length = og * groups, cin // groups, win.taps, math.prod(spatial)
    w3 = contiguous_array(weight._value, weight._dtype).reshape(groups, ci, og * kk)
    x4 = contiguous_array(x._value, x._dtype).reshape(n, groups, ci, length)
    cols = launchlog.matmul(w3.transpose(0, 2, 1), x4)
    out = col2im(cols.reshape(n * o, kk, length), win, out_sp).reshape(n, o, *out_sp)
    if bias is not None:
        out += bias._value.reshape(o, *(1,) * nd)
    needs = (input._requires_grad, weight._requires_grad, bias is not None and bias._requires_grad)
    backward = _backward(x, weight, win, (s, p, d, groups, nd), needs)
    return record(
        "ConvolutionBackward0",
        out,
        input._dtype,
        (input, weight, bias),
        backward,
        saved=(input, weight),
    )


def conv_transpose2d(
    input: Tensor,  # noqa: A002
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Tensor:
    """The adjoint of ``conv2d`` (a "deconvolution") over ``(N, C_in, H, W)`` or
    ``(C_in, H, W)`` with weight ``(C_in, C_out/groups, kh, kw)``."""
    args = (stride, padding, output_padding, groups, dilation, 2)
    return _conv_transpose(input, weight, bias, *args)


def conv_transpose3d(
    input: Tensor,  # noqa: A002
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Tensor:
    """The adjoint of ``conv3d`` over ``(N, C_in, D, H, W)`` or ``(C_in, D, H, W)`` with
    weight ``(C_in, C_out/groups, kd, kh, kw)``."""
    args = (stride, padding, output_padding, groups, dilation, 3)
    return _conv_transpose(input, weight, bias, *args)
