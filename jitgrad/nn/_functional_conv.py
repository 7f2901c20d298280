"""``conv1d``/``2d``/``3d``, ``unfold`` and ``fold``: convolution as im2col plus a BLAS matmul.

The forward is one im2col pass (a Numba kernel) and one numpy matmul per group, recorded as a
single ``ConvolutionBackward0`` node as in PyTorch. Its backward is written in Tensor ops over
two recorded linear ops that are each other's adjoint, ``Im2ColBackward0`` (``unfold``) and
``Col2ImBackward0`` (``fold``), plus matmuls. Under ``no_grad`` that is the ordinary fast
backward; under ``create_graph=True`` the same code records a differentiable graph, so double
backward through a convolution works with no second implementation. The columns are not kept
between forward and backward (they are ``kernel_size`` times the input): the backward redoes
the cheap im2col copy, as PyTorch's slow path does.
"""

from __future__ import annotations

import math
from typing import Any

from .. import launchlog
from ..autocast_state import STATE as AUTOCAST
from ..autocast_state import lower as autocast_lower
from ..frontend.memory_format import like_operands
from ..frontend.movement import contiguous_array
from ..frontend.recording import record
from ..frontend.tensor import Tensor
from ._conv_complex import complex_convolution
from ._conv_dtypes import check_conv_dtypes, onednn_route
from ._windows_nd import Geom, Window, col2im, conv_window, im2col, ntuple, window

__all__ = ["conv1d", "conv2d", "conv3d", "fold", "unfold"]


def sizes(t: Any) -> str:
    return "[" + ", ".join(str(s) for s in t) + "]"


def _im2col(x: Tensor, win: Window) -> Tensor:
    """(N, C, *spatial) -> (N, C*taps, L) columns (``Im2ColBackward0``; adjoint: col2im)."""
    a = contiguous_array(x._value, x._dtype)
    n, c, spatial = a.shape[0], a.shape[1], a.shape[2:]
    cols = im2col(a.reshape(n * c, *spatial), win)
    out = cols.reshape(n, c * win.taps, cols.shape[2])
    return record("Im2ColBackward0", out, x._dtype, (x,), lambda gc: _col2im(gc, win, spatial))


def _col2im(cols: Tensor, win: Window, spatial: tuple) -> Tensor:
    """(N, C*taps, L) columns summed back into (N, C, *spatial) (``Col2ImBackward0``)."""
    a = contiguous_array(cols._value, cols._dtype)
    n, ckk, length = a.shape
    c = ckk // win.taps
    out = col2im(a.reshape(n * c, win.taps, length), win, spatial)
    return record(
        "Col2ImBackward0",
        out.reshape(n, c, *spatial),
        cols._dtype,
        (cols,),
        lambda gg: _im2col(gg, win),
    )


def _check_conv(input: Tensor, weight: Tensor, bias: Tensor | None, groups: int, nd: int):  # noqa: A002
    """PyTorch's shape checks (``check_shape_forward``); returns the batched input shape."""
    name = f"conv{nd}d"
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, but got "
            f"input of size: {sizes(input.shape)}"
        )
    shape = tuple(input.shape) if input.dim() == nd + 2 else (1, *input.shape)
    ws = tuple(weight.shape)
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if len(ws) != nd + 2:
        raise RuntimeError(
            f"Expected {len(ws)}-dimensional input for {len(ws)}-dimensional weight {sizes(ws)}, "
            f"but got {nd + 2}-dimensional input of size {sizes(shape)} instead"
        )
    if ws[0] < groups:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be at least {groups} at dimension 0, "
            f"but got weight of size {sizes(ws)} instead"
        )
    if ws[0] % groups:  # PyTorch 2.13 prints these sizes in double brackets
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
            f"but got weight of size [{sizes(ws)}] instead"
        )
    if shape[1] != ws[1] * groups:
        raise RuntimeError(
            f"Given groups={groups}, weight of size {sizes(ws)}, expected input{sizes(shape)} to "
            f"have {ws[1] * groups} channels, but got {shape[1]} channels instead"
        )
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != ws[0]):
        raise RuntimeError(
            f"Given weight of size {sizes(ws)}, expected bias to be 1-dimensional with {ws[0]} "
            f"elements, but got bias of size {sizes(bias.shape)} instead"
        )
    onednn = onednn_route(shape, ws, groups, input._dtype)
    kernel = "compute_columns3d" if nd == 3 else "slow_conv2d_cpu"
    check_conv_dtypes(input, weight, bias, kernel, onednn=onednn)
    return shape


def _convolution_backward(
    input: Tensor,  # noqa: A002
    weight: Tensor,
    win: Any,
    spatial: tuple,
    groups: int,
    needs: tuple[bool, bool, bool],
) -> Any:
    """:func:`_convolution`'s backward, written in Tensor ops (im2col's adjoint, grouped
    matmuls) so it is differentiable again for double backward; it computes only the
    gradients ``needs`` asks for."""
    n, c, o = input.shape[0], input.shape[1], weight.shape[0]
    og, kg, length = o // groups, (c // groups) * win.taps, math.prod(win.out)

    def backward(grad: Tensor) -> tuple:
        g3 = grad.reshape(n, groups, og, length)
        gx = gw = gb = None
        if needs[0]:
            w_t = weight.reshape(groups, og, kg).transpose(1, 2)
            gcols = w_t.matmul(g3).reshape(n, c * win.taps, length)
            gx = _col2im(gcols, win, spatial).reshape(input.shape)
        if needs[1]:
            cols_t = _im2col(input.reshape(n, c, *spatial), win).reshape(n, groups, kg, length)
            gw = g3.matmul(cols_t.transpose(2, 3)).sum(0).reshape(weight.shape)
        if needs[2]:
            gb = g3.sum((0, 3)).reshape(o)
        return gx, gw, gb

    return backward


def _convolution(
    input: Tensor,  # noqa: A002
    weight: Tensor,
    bias: Tensor | None,
    stride: Any,
    padding: Any,
    dilation: Any,
    groups: int,
    nd: int,
) -> Tensor:
    if AUTOCAST.dtype is not None:  # torch.autocast('cpu'): computed in its dtype
        input, weight, bias = autocast_lower(input, weight, bias)
    shape = _check_conv(input, weight, bias, groups, nd)
    if input.dim() == nd + 1:  # PyTorch batchifies: unsqueeze, convolve, squeeze (its node)
        args = (stride, padding, dilation, groups, nd)
        return _convolution(input.unsqueeze(0), weight, bias, *args).squeeze(0)
    if input._dtype.is_complex:  # three real convolutions, as PyTorch
        args = (stride, padding, dilation, groups, nd)
        return complex_convolution(
            lambda x, w, b: _convolution(x, w, b, *args), input, weight, bias
        )
    n, c, o = shape[0], shape[1], weight.shape[0]
    spatial = (1, shape[2]) if nd == 1 else tuple(shape[2:])
    k = (1, weight.shape[2]) if nd == 1 else tuple(weight.shape[2:])
    win = conv_window(spatial, k, stride, padding, dilation, nd)
    og, kg, length = o // groups, (c // groups) * win.taps, math.prod(win.out)
    x = contiguous_array(input._value, input._dtype).reshape(n * c, *spatial)
    cols = im2col(x, win)
    w3 = contiguous_array(weight._value, weight._dtype).reshape(groups, og, kg)
    out = launchlog.matmul(w3, cols.reshape(n, groups, kg, length)).reshape(n, o, length)
    if bias is not None:
        out += bias._value.reshape(o, 1)
    out_shape = (n, o, *win.out[-nd:])
    needs = (input._requires_grad, weight._requires_grad, bias is not None and bias._requires_grad)
    backward = _convolution_backward(input, weight, win, spatial, groups, needs)
    return record(
        "ConvolutionBackward0",
        like_operands(out.reshape(out_shape), input, weight),
        input._dtype,
        (input, weight, bias),
        backward,
        saved=(input, weight),
    )


def conv1d(
    input: Tensor,  # noqa: A002
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """1-d cross-correlation over ``(N, C, L)`` (or unbatched ``(C, L)``) inputs."""
    return _convolution(input, weight, bias, stride, padding, dilation, groups, 1)


def conv2d(
    input: Tensor,  # noqa: A002
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """2-d cross-correlation over ``(N, C, H, W)`` (or unbatched ``(C, H, W)``) inputs.

    >>> import jitgrad as torch
    >>> torch.nn.functional.conv2d(torch.ones(1, 1, 3, 3), torch.ones(1, 1, 2, 2)).tolist()
    [[[[4.0, 4.0], [4.0, 4.0]]]]
    """
    return _convolution(input, weight, bias, stride, padding, dilation, groups, 2)


def conv3d(
    input: Tensor,  # noqa: A002
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """3-d cross-correlation over ``(N, C, D, H, W)`` (or unbatched ``(C, D, H, W)``)."""
    return _convolution(input, weight, bias, stride, padding, dilation, groups, 3)


def _fold_geometry(hw: tuple, kernel_size: Any, dilation: Any, padding: Any, stride: Any) -> Geom:
    k, d, p, s = (ntuple(v, 2) for v in (kernel_size, dilation, padding, stride))
    oh, ow = ((hw[i] + 2 * p[i] - d[i] * (k[i] - 1) - 1) // s[i] + 1 for i in range(2))
    return Geom(k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1], oh, ow)


def unfold(
    input: Tensor,  # noqa: A002
    kernel_size: Any,
    dilation: Any = 1,
    padding: Any = 0,
    stride: Any = 1,
) -> Tensor:
    """Sliding local blocks of a 4-d ``(N, C, H, W)`` input as ``(N, C*kh*kw, L)`` columns."""
    return unfolded(_im2col, input, kernel_size, dilation, padding, stride)


def unfolded(
    im2col_op: Any,
    input: Tensor,  # noqa: A002
    kernel_size: Any,
    dilation: Any = 1,
    padding: Any = 0,
    stride: Any = 1,
) -> Tensor:
    """``unfold``: its checks (PyTorch's errors), then ``im2col_op(batched input, window)``:
    this module's, or the CUDA backend's device kernel."""
    if input.dim() not in (3, 4):
        raise NotImplementedError(
            f"Input Error: Only 3D or 4D input Tensors are supported (got {input.dim()}D)"
        )
    x = input if input.dim() == 4 else input.unsqueeze(0)
    g = _fold_geometry(tuple(x.shape[2:]), kernel_size, dilation, padding, stride)
    if g.oh <= 0 or g.ow <= 0:
        raise RuntimeError(
            f"Given input with spatial size ({x.shape[2]}, {x.shape[3]}), kernel_size="
            f"({g.kh}, {g.kw}), dilation=({g.dh}, {g.dw}), padding=({g.ph}, {g.pw}), calculated "
            f"shape of the array of sliding blocks as ({g.oh}, {g.ow}), but its components must "
            "be at least one."
        )
    out = im2col_op(x, window(g))
    return out if input.dim() == 4 else out.squeeze(0)


def fold(
    input: Tensor,  # noqa: A002
    output_size: Any,
    kernel_size: Any,
    dilation: Any = 1,
    padding: Any = 0,
    stride: Any = 1,
) -> Tensor:
    """Sums ``(N, C*kh*kw, L)`` columns back into an ``(N, C, *output_size)`` image."""
    return folded(_col2im, input, output_size, kernel_size, dilation, padding, stride)


def folded(
    col2im_op: Any,
    input: Tensor,  # noqa: A002
    output_size: Any,
    kernel_size: Any,
    dilation: Any = 1,
    padding: Any = 0,
    stride: Any = 1,
) -> Tensor:
    """``fold``: its checks (PyTorch's errors), then ``col2im_op(batched columns, window,
    output size)``: this module's, or the CUDA backend's device kernel."""
    if input.dim() not in (2, 3):
        raise NotImplementedError(
            f"Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported "
            f"(got {input.dim()}D)"
        )
    cols = input if input.dim() == 3 else input.unsqueeze(0)
    hw = ntuple(output_size, 2)
    g = _fold_geometry(hw, kernel_size, dilation, padding, stride)
    kk = g.kh * g.kw
    if cols.shape[1] % kk or cols.shape[2] != g.oh * g.ow:
        raise RuntimeError(
            f"Expected size of input's dimension 1 to be divisible by the product of "
            f"kernel_size, but got input.size(1)={cols.shape[1]} and kernel_size=({g.kh}, "
            f"{g.kw})"
            if cols.shape[1] % kk
            else f"Given output_size=({hw[0]}, {hw[1]}), kernel_size=({g.kh}, {g.kw}), "
            f"dilation=({g.dh}, {g.dw}), padding=({g.ph}, {g.pw}), stride=({g.sh}, {g.sw}), "
            f"expected size of input's dimension 2 to match the calculated number of sliding "
            f"blocks {g.oh} * {g.ow} = {g.oh * g.ow}, but got input.size(2)={cols.shape[2]}."
        )
    out = col2im_op(cols, window(g), hw)
    return out if input.dim() == 3 else out.squeeze(0)
