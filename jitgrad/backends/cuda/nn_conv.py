"""Convolutions on device tensors: conv1d/2d/3d (any ``groups``) and conv_transpose1d/2d/3d.

Each is the CPU op's algorithm (:mod:`jitgrad.nn._functional_conv`,
:mod:`jitgrad.nn._functional_conv_transpose`) with the device's kernels: the same checks and
geometry (the CPU's helpers, so its errors), the same node names and saved tensors, backwards
written in device Tensor ops over recorded kernels whose own backward is the other's linear
map, so ``create_graph`` works as on the CPU.

* Convolution: im2col over ``(P, D, H, W)`` volumes (:mod:`jitgrad.kernels.cuda.windows`; a
  plane is depth 1) and the device matmul, one ``ConvolutionBackward0`` node. Groups are a
  batch of the product: the weight is repeated per sample, ``(N*groups, C_out/groups, K)``
  against the columns ``(N*groups, K, L)``; groups 1 multiplies the 2-d weight directly. Its
  backward is the CPU's: transposed products, col2im (``Col2ImBackward0``, im2col's adjoint)
  and the column sums.
* Transposed convolution: the product ``W^T x`` per group summed into the output by col2im
  (the convolution's input-gradient kernel); its backward is the convolution of the gradient,
  im2col products and a sum, as on the CPU. conv_transpose1d is the CPU's composite (an
  unsqueeze, the 2-d op, a squeeze), each step a device op.

Values are the CPU's to float rounding (the products sum in another order); float16 and
bfloat16 compute in float32 and round where the CPU's op does (each recorded result).
Integer convolutions run the same kernels (the tiled product in the integer type: its sums
wrap around as the CPU's, exact modulo the width); complex ones are the CPU's composite of
three real convolutions (:func:`jitgrad.nn._conv_complex.complex_convolution`, PyTorch's
``AddBackward0``), each a device convolution here.
Not covered (the host fallback): autocast.
"""

from __future__ import annotations

import math
from typing import Any

from ... import dtypes as D
from ...autocast_state import STATE as AUTOCAST
from ...engine.grad_mode import no_grad
from ...frontend.recording import record
from ...frontend.tensor import Tensor
from ...kernels.cuda import matmul as KM
from ...kernels.cuda import windows as W
from ...kernels.cuda.common import view
from ...nn import _functional_api as FA
from ...nn import _functional_conv as CONV
from ...nn import _functional_conv_transpose as CT
from ...nn._conv_complex import complex_convolution
from ...nn._windows_nd import Lead, Window, conv_window
from . import runtime
from .elementwise import on_device
from .linalg import TILE, mm_t


def all_device(*ts: Any) -> bool:
    return all(t is None or (isinstance(t, Tensor) and on_device(t)) for t in ts)


def _declines(input: Any, weight: Any, bias: Any) -> bool:  # noqa: A002
    """The cases left to the host fallback (device mixing: the CPU op's error there)."""
    if not (isinstance(input, Tensor) and isinstance(weight, Tensor)):
        return True
    return AUTOCAST.dtype is not None or not all_device(input, weight, bias)


def geometry(win: Window) -> tuple:
    """The device kernels' ``geo`` tuple of a CPU window (a 1-d or 2-d one: depth 1)."""
    g = win.g
    v = win.lead[0] if win.lead else Lead(1, 1, 0, 0, 1, 1)
    return (v.k, g.kh, g.kw, v.s, g.sh, g.sw, v.lo, g.ph, g.pw, v.d, g.dh, g.dw, v.o, g.oh, g.ow)


def _volumes(value: Any, planes: int, spatial: tuple) -> Any:
    """A device array as ``(planes, D, H, W)`` (depth 1 for 2 spatial dims), contiguous."""
    return view(runtime.contiguous(value), planes, *(1,) * (3 - len(spatial)), *spatial)


def _im2col(x: Tensor, win: Window) -> Tensor:
    """(N, C, *spatial) -> (N, C*taps, L) columns (``Im2ColBackward0``; adjoint: col2im)."""
    n, c, spatial = x.shape[0], x.shape[1], tuple(x.shape[2:])
    cols = W.im2col(_volumes(x._value, n * c, spatial), geometry(win))
    out = view(cols, n, c * win.taps, cols.shape[2])
    return record("Im2ColBackward0", out, x._dtype, (x,), lambda gc: _col2im(gc, win, spatial))


def _col2im(cols: Tensor, win: Window, spatial: tuple) -> Tensor:
    """(N, C*taps, L) columns summed back into (N, C, *spatial) (``Col2ImBackward0``)."""
    n, ckk, length = cols.shape
    c = ckk // win.taps
    a = view(runtime.contiguous(cols._value), n * c, win.taps, length)
    out = W.col2im(a, geometry(win), (1,) * (3 - len(spatial)) + tuple(spatial))
    value = view(out, n, c, *spatial)
    return record("Col2ImBackward0", value, cols._dtype, (cols,), lambda gg: _im2col(gg, win))


def _weights(weight: Tensor, n: int, groups: int, rows: int, cols: int) -> Tensor:
    """The weight as the product's left operand: ``(rows, cols)`` for groups 1 (the product
    broadcasts it over the batch), else ``(n*groups, rows, cols)``, each sample's groups in
    turn (a repeat whose gradient, the expand's, sums the samples')."""
    if groups == 1:
        return weight.reshape(rows, cols)
    w = weight.reshape(1, groups, rows, cols).expand(n, groups, rows, cols)
    return w.contiguous().reshape(n * groups, rows, cols)


def _weight_value(weight: Tensor, n: int, groups: int, rows: int, cols: int) -> Any:
    with no_grad():
        w = _weights(weight.detach(), n, groups, rows, cols)
    return runtime.contiguous(w._value)


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
    if _declines(input, weight, bias):
        return NotImplemented
    shape = CONV._check_conv(input, weight, bias, groups, nd)
    args = (stride, padding, dilation, groups, nd)
    if input.dim() == nd + 1:  # PyTorch batchifies: unsqueeze, convolve, squeeze
        return _convolution(input.unsqueeze(0), weight, bias, *args).squeeze(0)
    if input._dtype.is_complex:  # the CPU's (PyTorch's) three real convolutions
        return complex_convolution(
            lambda x, w, b: _convolution(x, w, b, *args), input, weight, bias
        )
    n, c, o = shape[0], shape[1], weight.shape[0]
    spatial = (1, shape[2]) if nd == 1 else tuple(shape[2:])
    k = (1, weight.shape[2]) if nd == 1 else tuple(weight.shape[2:])
    win = conv_window(spatial, k, stride, padding, dilation, nd)
    og, kg, length = o // groups, (c // groups) * win.taps, math.prod(win.out)
    cols = W.im2col(_volumes(input._value, n * c, spatial), geometry(win))
    w = _weight_value(weight, n, groups, og, kg)
    out = view(KM.matmul(w, view(cols, n * groups, kg, length), tile=TILE), n, o, length)
    if bias is not None:
        W.add_channel(out, runtime.contiguous(bias._value))
    needs = (input._requires_grad, weight._requires_grad, bias is not None and bias._requires_grad)
    backward = _convolution_backward(input, weight, win, groups, needs)
    return record("ConvolutionBackward0", view(out, n, o, *win.out[-nd:]), input._dtype,
                  (input, weight, bias), backward, saved=(input, weight))  # fmt: skip


def _convolution_backward(
    input: Tensor,  # noqa: A002
    weight: Tensor,
    win: Window,
    groups: int,
    needs: tuple[bool, bool, bool],
) -> Any:
    """The CPU's backward in device ops (differentiable again); only what ``needs`` asks."""
    n, c, o = input.shape[0], input.shape[1], weight.shape[0]
    spatial = (1, input.shape[2]) if input.dim() == 3 else tuple(input.shape[2:])
    og, kg, length = o // groups, (c // groups) * win.taps, math.prod(win.out)

    def backward(grad: Tensor) -> tuple:
        g3 = grad.contiguous().reshape(n * groups, og, length)
        gx = gw = gb = None
        if needs[0]:
            gcols = mm_t(_weights(weight, n, groups, og, kg), True, g3, False)
            gx = _col2im(gcols.reshape(n, c * win.taps, length), win, spatial)
            gx = gx.reshape(input.shape)
        if needs[1]:
            cols = _im2col(input.reshape(n, c, *spatial), win).reshape(n * groups, kg, length)
            gw = mm_t(g3, False, cols, True).reshape(n, o, kg).sum(0).reshape(weight.shape)
        if needs[2]:
            gb = g3.reshape(n, o, length).sum((0, 2))
        return gx, gw, gb

    return backward


def _conv_transpose(
    input: Any,  # noqa: A002
    weight: Any,
    bias: Any,
    args: tuple,
    groups: Any,
    nd: int,
) -> Any:
    """``args``: stride, padding, output_padding, dilation (the CPU op's checks and window)."""
    if _declines(input, weight, bias) or input.dim() not in (nd + 1, nd + 2):
        return NotImplemented  # (a wrong rank: the CPU op's error through the fallback)
    if input.dim() == nd + 1:  # batchified as PyTorch does
        return _conv_transpose(input.unsqueeze(0), weight, bias, args, groups, nd).squeeze(0)
    s, p, d, out_sp, win = CT.transpose_geometry(input, weight, bias, groups, args, nd)
    if input._dtype.is_complex:  # the CPU's (PyTorch's) three real convolutions
        return complex_convolution(
            lambda x, w, b: _conv_transpose(x, w, b, args, groups, nd), input, weight, bias
        )
    n, (cin, og), spatial = input.shape[0], weight.shape[:2], tuple(input.shape[2:])
    ci, kk, length, o = cin // groups, win.taps, math.prod(spatial), og * groups
    w = _weight_value(weight, n, groups, ci, og * kk)
    x3 = view(runtime.contiguous(input._value), n * groups, ci, length)
    cols = view(KM.matmul(w, x3, trans_a=True, tile=TILE), n * o, kk, length)
    out = W.col2im(cols, geometry(win), (1,) * (3 - nd) + out_sp)
    if bias is not None:
        W.add_channel(view(out, n, o, math.prod(out_sp)), runtime.contiguous(bias._value))
    needs = (input._requires_grad, weight._requires_grad, bias is not None and bias._requires_grad)

    def backward(grad: Tensor) -> tuple:
        gx = gw = gb = None
        if needs[0]:
            gx = _convolution(grad, weight, None, s, p, d, groups, nd)
        if needs[1]:
            gcols = _im2col(grad, win).reshape(n * groups, og * kk, length)
            xg = input.reshape(n * groups, ci, length)
            gw = mm_t(xg, False, gcols, True).reshape(n, cin, og * kk).sum(0)
            gw = gw.reshape(weight.shape)
        if needs[2]:
            gb = grad.sum((0, *range(2, nd + 2)))
        return gx, gw, gb

    return record("ConvolutionBackward0", view(out, n, o, *out_sp), input._dtype,
                  (input, weight, bias), backward, saved=(input, weight))  # fmt: skip


def _conv(nd: int) -> Any:
    def conv(
        input: Any,  # noqa: A002
        weight: Any,
        bias: Any = None,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: Any = 1,
    ) -> Any:
        return _convolution(input, weight, bias, stride, padding, dilation, groups, nd)

    conv.__name__ = f"conv{nd}d"
    return conv


def _transposed(nd: int) -> Any:
    def conv_transpose(
        input: Any,  # noqa: A002
        weight: Any,
        bias: Any = None,
        stride: Any = 1,
        padding: Any = 0,
        output_padding: Any = 0,
        groups: Any = 1,
        dilation: Any = 1,
    ) -> Any:
        args = (stride, padding, output_padding, dilation)
        return _conv_transpose(input, weight, bias, args, groups, nd)

    conv_transpose.__name__ = f"conv_transpose{nd}d"
    return conv_transpose


def unfold(input: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: A002
    """``F.unfold``: the CPU's checks, then the device im2col (``Im2ColBackward0``)."""
    return CONV.unfolded(_im2col, input, *args, **kwargs) if _foldable(input) else NotImplemented


def fold(input: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: A002
    """``F.fold``: the CPU's checks, then the device col2im (``Col2ImBackward0``, one thread
    per output element summing the columns that reach it)."""
    return CONV.folded(_col2im, input, *args, **kwargs) if _foldable(input) else NotImplemented


def _foldable(x: Any) -> bool:
    return all_device(x) and x is not None and x._dtype in (D.float32, D.float64) and x.numel()


NATIVE: dict[str, Any] = {
    "fold": fold,
    "unfold": unfold,
    "conv1d": _conv(1),
    "conv2d": _conv(2),
    "conv3d": _conv(3),
    "conv_transpose2d": _transposed(2),
    "conv_transpose3d": _transposed(3),
    # the CPU's composite as it is: an unsqueeze, conv_transpose2d and a squeeze, each a device
    # op (the fallback points its module's name conv_transpose2d at the wrapper)
    "conv_transpose1d": FA.conv_transpose1d,
}
