"""Values selected along a dimension, on device tensors: ``max``/``min`` (whole tensor, with
``dim``, or elementwise with a tensor), ``gather`` and ``flip``.

``max(x, dim)`` is the device's tree reduction (:mod:`jitgrad.kernels.cuda.reduce`) for the
values and its arg-reduction (:mod:`~jitgrad.kernels.cuda.argreduce`, the CPU's first
extreme, NaN winning) for the indices; the gradient goes to the selected index only
(``MaxBackward0``, PyTorch's rule), put there by :func:`~jitgrad.kernels.cuda.memory.add_along`.
The whole-tensor ``max()`` is ``amax`` under the name ``MaxBackward1`` (ties share the
gradient, as PyTorch's). ``gather`` reads along ``dim`` with one thread per output element
(:func:`~jitgrad.kernels.cuda.memory.take_along`); its gradient (``GatherBackward0``) sums
into each source position in the CPU's order, one thread per line, so it is bitwise the CPU's.
An index out of range sets a device flag, read at the next synchronization (PyTorch's
device-side assert; under ``CUDA_LAUNCH_BLOCKING=1`` the CPU op raises its error at once).

Cases left to the host fallback (``NotImplemented``): complex and bool inputs, empty
reductions, 0-d inputs, ``gather`` with an index smaller than the input in another dim, or
``sparse_grad``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ... import dtypes as D
from ...engine.grad_mode import STATE as GRAD
from ...frontend.recording import record, record_multi
from ...frontend.reduce_minmax import _RETURN_TYPES
from ...frontend.tensor import Tensor, _make
from ...kernels.cuda import argreduce as AR
from ...kernels.cuda import memory as M
from ...kernels.cuda import reduce as R
from . import reductions, runtime
from .elementwise import on_device


def _split(shape: tuple, d: int) -> tuple[int, int, int]:
    """``(outer, n, inner)``: ``shape`` seen as three axes around dimension ``d``."""
    return math.prod(shape[:d]), shape[d], math.prod(shape[d + 1 :])


def _put_back(g: Tensor, idx: Any, shape: tuple, d: int, dt: D.dtype) -> Tensor:
    """A zero tensor of ``shape`` with ``g`` (one value per line along ``d``) added at the
    positions ``idx``; recorded (``g`` times a one-hot mask) under ``create_graph``."""
    _, n, inner = _split(shape, d)
    if GRAD.enabled and g._requires_grad:
        ones = runtime.full(tuple(idx.shape), 1, dt.np)
        mask = _make(M.add_along(ones, idx, n, inner, runtime.zeros(shape, dt.np)), dt)
        return g.expand(tuple(idx.shape)).reshape(_kept(shape, d)) * mask
    gv = runtime.contiguous(g._value)
    return _make(M.add_along(gv, idx, n, inner, runtime.zeros(shape, dt.np)), dt, fresh=True)


def _kept(shape: tuple, d: int) -> tuple:
    return tuple(1 if k == d else s for k, s in enumerate(shape))


def _max_min(want_max: bool, x: Any, dim: Any, keepdim: Any) -> Any:
    if not isinstance(x, Tensor) or x._dtype.is_complex or x._dtype is D.bool_:
        return NotImplemented
    if isinstance(dim, Tensor):  # max(a, b): the elementwise maximum
        if not on_device(dim):
            return NotImplemented
        return x.maximum(dim) if want_max else x.minimum(dim)
    if dim is None:
        if x.numel() == 0 or keepdim is not False:
            return NotImplemented
        node = "MaxBackward1" if want_max else "MinBackward1"
        return reductions._reduce(node, "amax" if want_max else "amin", x, None, False)
    if type(dim) is not int or not isinstance(keepdim, bool) or x.dim() == 0:
        return NotImplemented
    shape = tuple(x.shape)
    if not -len(shape) <= dim < len(shape) or shape[dim] == 0:
        return NotImplemented
    d = dim % len(shape)
    v = runtime.contiguous(x._value)
    values = R.reduce(v, (d,), "amax" if want_max else "amin", True)
    idx = (AR.argmax if want_max else AR.argmin)(v, d, True)
    dt = x._dtype

    def backward(g: Tensor, *_: Any) -> Tensor:
        return _put_back(g if keepdim else g.unsqueeze(d), idx, shape, d, dt)

    out = values.shape if keepdim else tuple(s for k, s in enumerate(shape) if k != d)
    outs = record_multi(
        "MaxBackward0" if want_max else "MinBackward0",
        [values.reshape(out), idx.reshape(out)], [dt, D.int64], [x], backward, saved=[x],
    )  # fmt: skip
    return _RETURN_TYPES["max" if want_max else "min"](*outs)


def max_(input: Any, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A002
    return _max_min(True, input, dim, keepdim)


def min_(input: Any, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A002
    return _max_min(False, input, dim, keepdim)


def gather(input: Any, dim: Any, index: Any, *, sparse_grad: bool = False) -> Any:  # noqa: A002
    """``torch.gather`` with an ``index`` shaped as ``input`` but along ``dim``."""
    if not (isinstance(input, Tensor) and isinstance(index, Tensor)) or sparse_grad:
        return NotImplemented
    if not on_device(index) or index._dtype is not D.int64 or type(dim) is not int:
        return NotImplemented
    shape, ishape = tuple(input.shape), tuple(index.shape)
    if not shape or len(ishape) != len(shape) or not -len(shape) <= dim < len(shape):
        return NotImplemented
    d = dim % len(shape)
    if _kept(shape, d) != _kept(ishape, d) or not index.numel() or not shape[d]:
        return NotImplemented  # (a smaller index, empty: the CPU op and its errors)
    _, n, inner = _split(shape, d)
    idx = runtime.contiguous(index._value)
    out = runtime.empty(ishape, input._dtype.np)
    flag = runtime.zeros((1,), np.int32)
    M.take_along(runtime.contiguous(input._value), idx, n, inner, out, flag)
    if runtime.BLOCKING:
        if int(flag.copy_to_host()[0]):
            return NotImplemented  # the CPU op raises PyTorch's error
    else:
        runtime.defer_check(_index_check(flag))
    dt = input._dtype

    def backward(g: Tensor) -> Tensor:
        if GRAD.enabled and g._requires_grad:  # create_graph: PyTorch's scatter_add
            return input.new_zeros(shape).scatter_add(d, index, g)
        gv = runtime.contiguous(g._value)
        return _make(M.add_along(gv, idx, n, inner, runtime.zeros(shape, dt.np)), dt, fresh=True)

    return record("GatherBackward0", out, dt, [input], backward, saved=[index])


def _index_check(flag: Any) -> Any:
    def check() -> None:
        if int(flag.copy_to_host()[0]):
            raise RuntimeError(
                "CUDA error: device-side assert triggered\n"
                "(gather: index out of bounds)\n"
                "CUDA kernel errors might be asynchronously reported at some other API call, "
                "so the stacktrace below might be incorrect.\n"
                "For debugging consider passing CUDA_LAUNCH_BLOCKING=1"
            )

    return check


def flip(input: Any, dims: Any) -> Any:  # noqa: A002
    """``x.flip(dims)``: the values read through negative strides by one gather kernel
    (``FlipBackward0``, whose gradient is the flipped gradient)."""
    dims = tuple(dims) if isinstance(dims, list | tuple) else (dims,)
    if not isinstance(input, Tensor) or not all(type(d) is int for d in dims):
        return NotImplemented
    shape = tuple(input.shape)
    if not shape or any(not -len(shape) <= d < len(shape) for d in dims):
        return NotImplemented  # (0-d, a dim out of range: the CPU op)
    flipped = {d % len(shape) for d in dims}
    if len(flipped) != len(dims) or not input.numel():
        return NotImplemented
    strides = _strides(shape)
    offset = sum((shape[d] - 1) * strides[d] for d in flipped)
    signed = tuple(-s if k in flipped else s for k, s in enumerate(strides))
    value = M.gather(runtime.flat(runtime.contiguous(input._value)), shape, signed, offset)
    return record("FlipBackward0", value, input._dtype, [input], lambda g: g.flip(dims))


def _strides(shape: tuple) -> tuple:
    out, step = [], 1
    for n in reversed(shape):
        out.append(step)
        step *= n
    return tuple(reversed(out))


NATIVE: dict[str, Any] = {"max": max_, "min": min_, "gather": gather, "flip": flip}
