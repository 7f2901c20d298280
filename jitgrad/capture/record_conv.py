"""Host calls for a CNN's layers: ``F.conv2d`` and ``F.max_pool2d`` (issue 16 section 1, the
census's next refusals after ``linear`` and ``cross_entropy``).

A convolution's forward and backward are eager's own functions called on tensors wrapping
views of the arena, under ``no_grad`` as the engine runs a backward:
:func:`jitgrad.nn._functional_conv._convolution` (im2col, the grouped BLAS product, the bias)
and :func:`~jitgrad.nn._functional_conv._convolution_backward` (col2im, the products and sums
eager's node runs), so the bits are eager's by construction; each result is copied into its
slot. Max pooling calls eager's pool kernels; its argmax indices (int64, not arena values) are
kept by the forward's host call for the backward's, per arena (a second thread's replay has
an arena of its own).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..engine.grad_mode import no_grad
from ..frontend.tensor import Tensor, _make
from ..kernels.cpu import pool as PK
from ..nn._functional_conv import _convolution, _convolution_backward, conv_window
from ..nn._functional_pool import max_pool2d_geometry
from .record import _out, slot_of
from .record_host import _into, _node, _view, one_input_backward
from .tape import Slot, Unsupported


def conv2d(rec: Any, out: Any, input: Any, weight: Any, bias: Any = None, stride: Any = 1,  # noqa: A002
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> None:  # fmt: skip
    """``F.conv2d`` of a batched (N, C, H, W) real input: eager's ``_convolution`` at each
    replay, its node's backward by eager's ``_convolution_backward``."""
    sx, sw = slot_of(rec, input), slot_of(rec, weight)
    sb = None if bias is None else slot_of(rec, bias)
    if len(sx.shape) != 4 or len(sw.shape) != 4 or type(padding) is str or type(groups) is not int:
        raise Unsupported("conv2d other than of a batched (N, C, H, W) input, numeric padding")
    if not isinstance(out, Tensor) or out.grad_fn is not None and (
            out.grad_fn.name() != "ConvolutionBackward0"):  # fmt: skip
        raise Unsupported("conv2d whose node is not ConvolutionBackward0")
    s = _out(rec, out)
    dtype = out._dtype
    geometry = (stride, padding, dilation, groups)

    def tensors(arena: np.ndarray) -> tuple:
        b = None if sb is None else _make(_view(arena, sb), dtype)
        return _make(_view(arena, sx), dtype), _make(_view(arena, sw), dtype), b

    def forward(arena: np.ndarray, args: tuple) -> None:
        with no_grad():
            _view(arena, s)[...] = _convolution(*tensors(arena), *geometry, 2)._value

    rec.tape.host(forward)
    win = conv_window(sx.shape[2:], sw.shape[2:], stride, padding, dilation, 2)

    def backward(tape: Any, node: Any, g: int | None, target: Any) -> None:
        if g is None:
            raise Unsupported("no gradient reached ConvolutionBackward0")
        needs = (sx.rg, sw.rg, sb is not None and sb.rg)
        outs = [(si, _into(tape, si, target)) if need else None
                for si, need in zip((sx, sw, sb), needs, strict=True)]  # fmt: skip
        sg = Slot(g, s.n, s.shape)

        def grad(arena: np.ndarray, args: tuple) -> None:
            x, w, _ = tensors(arena)
            with no_grad():
                run = _convolution_backward(x, w, win, sx.shape[2:], groups, needs)
                grads = run(_make(_view(arena, sg), dtype))
            for got, where in zip(grads, outs, strict=True):
                if where is not None:
                    _view(arena, where[1][0])[...] = got._value

        tape.host(grad)
        for where in outs:
            if where is not None and where[1][2]:  # acc: added to what is there
                si, (into, dst, _) = where
                tape.row("b_g", dst, into.off, n=si.n, acc=1)

    _node(rec, out, [sx, sw] if sb is None else [sx, sw, sb], [s], backward)


def max_pool2d(rec: Any, out: Any, input: Any, kernel_size: Any, stride: Any = None,  # noqa: A002
               padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> None:  # fmt: skip
    """``F.max_pool2d`` of a (N, C, H, W) or (C, H, W) input without ``return_indices``:
    eager's ``max_pool_fwd``/``max_pool_bwd`` kernels on the arena."""
    sx = slot_of(rec, input)
    if return_indices or len(sx.shape) not in (3, 4) or not isinstance(out, Tensor):
        raise Unsupported("max_pool2d with return_indices or of other than 3-d/4-d input")
    k, st, p, d, oh, ow = max_pool2d_geometry(input, kernel_size, stride, padding, dilation,
                                              ceil_mode)  # fmt: skip
    s = _out(rec, out)
    planes, h, w = sx.n // (sx.shape[-2] * sx.shape[-1]), sx.shape[-2], sx.shape[-1]
    fwd = PK.pick(PK.max_pool_fwd, sx.n)
    kept: dict[int, np.ndarray] = {}  # id(arena) -> the forward's indices, for the backward

    def forward(arena: np.ndarray, args: tuple) -> None:
        idx = np.empty((planes, oh, ow), np.int64)
        fwd(_view(arena, sx, (planes, h, w)), k[0], k[1], st[0], st[1], p[0], p[1], d[0], d[1],
            _view(arena, s, (planes, oh, ow)), idx)  # fmt: skip
        kept[id(arena)] = idx.reshape(planes, oh * ow)

    rec.tape.host(forward)
    bwd = PK.pick(PK.max_pool_bwd, planes * h * w)

    def make(sg: Slot, into: Slot) -> Any:
        def grad(arena: np.ndarray, args: tuple) -> None:
            gx = _view(arena, into, (planes, h * w))
            gx[...] = 0  # eager's np.zeros
            bwd(_view(arena, sg, (planes, oh * ow)), kept.pop(id(arena)), gx)

        return grad

    if out.grad_fn is not None and out.grad_fn.name() != "MaxPool2DWithIndicesBackward0":
        raise Unsupported(f"eager recorded {out.grad_fn.name()} for max_pool2d")
    backward = one_input_backward("MaxPool2DWithIndicesBackward0", sx, s, make)
    _node(rec, out, [sx], [s], backward)


#: ``jitgrad.nn.functional`` names recorded here
NN: dict[str, Any] = {"conv2d": conv2d, "max_pool2d": max_pool2d}
