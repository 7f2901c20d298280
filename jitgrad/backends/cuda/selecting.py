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
from ...engine.grad_mode import no_grad
from ...frontend.clamp_where import where
from ...frontend.recording import record, record_multi
from ...frontend.reduce_minmax import _RETURN_TYPES
from ...frontend.tensor import Tensor, _make
from ...kernels.cuda import argreduce as AR
from ...kernels.cuda import memory as M
from ...kernels.cuda import reduce as R
from . import reductions, runtime, views
from .aliasing import c_strides
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
    zeros = runtime.zeros(shape, dt.np)
    return _make(M.add_along(gv, idx, n, inner, zeros), dt, fresh=True)


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
    """``torch.gather``: an index smaller than ``input`` off ``dim`` reads the corner of
    ``input`` it covers (a view; its gradient pads back to ``input``'s shape)."""
    if not (isinstance(input, Tensor) and isinstance(index, Tensor)) or sparse_grad:
        return NotImplemented
    if index._dtype is not D.int64 or type(dim) is not int:
        return NotImplemented
    shape, ishape = tuple(input.shape), tuple(index.shape)
    if not shape or len(ishape) != len(shape) or not -len(shape) <= dim < len(shape):
        return NotImplemented
    d = dim % len(shape)
    if _kept(shape, d) != _kept(ishape, d):  # a smaller index reads that corner of input
        if any(n > shape[k] for k, n in enumerate(ishape) if k != d):
            return NotImplemented  # (the CPU op's error)
        return gather(input[tuple(slice(None) if k == d else slice(0, n)
                                  for k, n in enumerate(ishape))], d, index)  # fmt: skip
    return _take(input, d, index, ishape, False, "GatherBackward0", "gather")


def take(input: Any, index: Any) -> Any:  # noqa: A002
    """``torch.take``: the flattened ``input`` read at ``index`` (negative from the end),
    ``TakeBackward0``; an index out of range is the CPU op's error (an empty index reads
    nothing, from an empty input too)."""
    if not (isinstance(input, Tensor) and isinstance(index, Tensor)):
        return NotImplemented
    if not input.numel() and index.numel():
        return NotImplemented  # (the CPU op's error)
    flat = input.reshape(-1)
    return _take(flat, 0, index, tuple(index.shape), True, "TakeBackward0", "take", True)


def index_select(input: Any, dim: Any, index: Any) -> Any:  # noqa: A002
    """``torch.index_select`` with a 1-D device index (``IndexSelectBackward0``)."""
    if not (isinstance(input, Tensor) and isinstance(index, Tensor)) or type(dim) is not int:
        return NotImplemented
    shape = tuple(input.shape)
    if not shape or index.dim() != 1 or not -len(shape) <= dim < len(shape):
        return NotImplemented
    d = dim % len(shape)
    out = (*shape[:d], index.numel(), *shape[d + 1 :])
    return _take(input, d, index, out, True, "IndexSelectBackward0", "index_select")


def repeat_interleave(input: Any, repeats: Any = None, dim: Any = None, *,  # noqa: A002
                      output_size: Any = None) -> Any:  # fmt: skip
    """``x.repeat_interleave(n, dim)`` with an int ``n``: ``index_select`` at indices made
    from the shape alone (uploaded, nothing read back), as the CPU op does."""
    if not isinstance(input, Tensor) or type(repeats) is not int or repeats < 0:
        return NotImplemented
    if output_size is not None or dim is not None and type(dim) is not int:
        return NotImplemented
    x = input.reshape(-1) if dim is None else input
    if not x.dim() or not -x.dim() <= (dim or 0) < x.dim():
        return NotImplemented
    d = 0 if dim is None else dim % x.dim()
    idx = np.repeat(np.arange(x.shape[d], dtype=np.int64), repeats)
    return index_select(x, d, _make(runtime.to_device(idx), D.int64))


def getitem(x: Any, key: Any) -> Any:
    """``x[index]`` with an integer tensor or a list of ints (rows of ``x``,
    ``IndexBackward0``; negative indices count from the end); other keys are the strided
    views'."""
    if isinstance(key, list) and key and all(type(k) is int for k in key):
        key = _make(np.array(key, np.int64), D.int64)  # x[[2, 0]] (a batch sampler's keys)
    if not isinstance(key, Tensor) or key._dtype.is_floating_point or key._dtype is D.bool_:
        return _VIEW_GETITEM(x, key)
    if not isinstance(x, Tensor) or not x.dim():
        return NotImplemented
    if not key.dim():  # an integer, as PyTorch reads it (SelectBackward0): free on the host
        return NotImplemented if on_device(key) else _VIEW_GETITEM(x, int(key._value))
    shape = tuple(x.shape)
    return _take(x, 0, key, (*key.shape, *shape[1:]), True, "IndexBackward0", "index", True)


def _take(x: Tensor, d: int, index: Tensor, out_shape: tuple, shared: bool, node: str,
          op: str, wrap: bool = False) -> Any:  # fmt: skip
    """``x`` read along ``d`` at ``index`` (:func:`~jitgrad.kernels.cuda.memory.take_along`),
    recorded as ``node`` with the summed-back gradient; ``NotImplemented`` for what the CPU
    op must answer (a host or non-integer index, empty operands)."""
    if index._dtype not in (D.int64, D.int32):
        return NotImplemented
    if not on_device(index):  # host indices (PyTorch takes them): uploaded, nothing read back
        index = _make(runtime.to_device(np.ascontiguousarray(index._value)), index._dtype)
    shape = tuple(x.shape)
    if not index.numel() and index._dtype is D.int64:  # nothing read: the CPU's empty result
        value = runtime.zeros(out_shape, x._dtype.np)
        return record(node, value, x._dtype, [x], lambda g: x.new_zeros(shape))
    if x._dtype is D.bool_ and x.numel():  # read as bytes (no gradient)
        out = _take(x.to(D.uint8), d, index, out_shape, shared, node, op, wrap)
        return out if out is NotImplemented else out.to(D.bool_)
    if not index.numel() or not x.numel() or x._dtype.is_complex:
        return NotImplemented
    _, n, inner = _split(shape, d)
    idx = runtime.flat(runtime.contiguous(index._value))
    idx = idx if index._dtype is D.int64 else runtime.cast(idx, np.int64)
    out = runtime.empty(out_shape, x._dtype.np)
    flag = runtime.zeros((1,), np.int32)
    M.take_along(runtime.contiguous(x._value), idx, n, inner, out, flag, shared, wrap)
    if runtime.flagged(flag, _index_check(op)):
        return NotImplemented  # the CPU op raises PyTorch's error
    dt = x._dtype

    def backward(g: Tensor) -> Tensor:
        if GRAD.enabled and g._requires_grad:  # create_graph: the CPU's recorded backward
            return _recorded_backward(x, d, index, g, node)
        gv = runtime.contiguous(g._value)
        zeros = runtime.zeros(shape, dt.np)
        return _make(M.add_along(gv, idx, n, inner, zeros, shared), dt, fresh=True)

    return record(node, out, dt, [x], backward, saved=[index])


def _recorded_backward(x: Tensor, d: int, index: Tensor, g: Tensor, node: str) -> Tensor:
    """The gradient as recorded ops, for ``create_graph`` (PyTorch's formulas)."""
    zeros = x.new_zeros(tuple(x.shape))
    if node == "GatherBackward0":
        return zeros.scatter_add(d, index, g)
    if node == "IndexSelectBackward0":
        return zeros.index_add(d, index, g)
    return zeros.index_put((index,), g, accumulate=True)


def _index_check(op: str) -> Any:
    def check(flag: int) -> None:
        if flag:
            raise RuntimeError(
                "CUDA error: device-side assert triggered\n"
                f"({op}: index out of bounds)\n"
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
    strides = c_strides(shape)
    offset = sum((shape[d] - 1) * strides[d] for d in flipped)
    signed = tuple(-s if k in flipped else s for k, s in enumerate(strides))
    value = M.gather(runtime.flat(runtime.contiguous(input._value)), shape, signed, offset)
    return record("FlipBackward0", value, input._dtype, [input], lambda g: g.flip(dims))


_VIEW_GETITEM = views.NATIVE["__getitem__"]


def masked_fill(input: Any, mask: Any, value: Any) -> Any:  # noqa: A002
    """``x.masked_fill(mask, number)``: the device's elementwise ``where`` (as the CPU's),
    one ``MaskedFillBackward0`` node. A tensor ``value`` (whose reading would synchronize)
    and masks that do not broadcast to ``x`` take the host fallback."""
    if not (isinstance(input, Tensor) and isinstance(mask, Tensor)) or not on_device(mask):
        return NotImplemented
    if mask._dtype is not D.bool_ or type(value) not in (int, float, bool):
        return NotImplemented
    dt = input._dtype
    if not (dt.is_floating_point or type(value) is not float) or dt.is_complex:
        return NotImplemented
    shape = tuple(input.shape)
    try:
        if np.broadcast_shapes(shape, tuple(mask.shape)) != shape:
            return NotImplemented
    except ValueError:
        return NotImplemented  # the CPU op's error
    with no_grad():
        out = where(mask, dt.np.type(value), input.detach())
    if out._dtype is not dt:
        return NotImplemented
    return record("MaskedFillBackward0", out._value, dt, [input],
                  lambda g: masked_fill(g, mask, 0.0))  # fmt: skip


def one_hot(tensor: Any, num_classes: int = -1) -> Any:
    """``F.one_hot`` with ``num_classes`` given (finding it would read the classes back):
    one kernel; a class out of range is reported at the next synchronization (PyTorch's
    device relies on its kernel's assert likewise)."""
    if (
        not isinstance(tensor, Tensor)
        or tensor._dtype is not D.int64
        or type(num_classes) is not int
    ):
        return NotImplemented
    if num_classes < 1 or not tensor.numel():
        return NotImplemented
    t = runtime.flat(runtime.contiguous(tensor._value))
    out = runtime.zeros((*tensor.shape, num_classes), np.int64)
    flag = runtime.zeros((1,), np.int32)
    M.one_hot_checked(t, num_classes, out, flag)
    if runtime.flagged(flag, _index_check("one_hot")):
        return NotImplemented  # the CPU op raises PyTorch's error
    return _make(out, D.int64)


def _triangle(upper: bool):
    """``triu``/``tril`` by one masking kernel (``TriuBackward0``/``TrilBackward0``: the
    gradient is the same triangle of the gradient)."""
    node = "TriuBackward0" if upper else "TrilBackward0"

    def impl(input: Any, diagonal: Any = 0) -> Any:  # noqa: A002
        if not isinstance(input, Tensor) or input.dim() < 2 or type(diagonal) is not int:
            return NotImplemented
        if input._dtype.is_complex or not input.numel():
            return NotImplemented
        value = M.triangle(runtime.contiguous(input._value), diagonal, upper)
        return record(node, value, input._dtype, [input], lambda g: impl(g, diagonal))

    return impl


NATIVE: dict[str, Any] = {
    "masked_fill": masked_fill,
    "one_hot": one_hot,
    "triu": _triangle(True),
    "tril": _triangle(False),
    "max": max_,
    "min": min_,
    "gather": gather,
    "take": take,
    "index_select": index_select,
    "repeat_interleave": repeat_interleave,
    "__getitem__": getitem,
    "flip": flip,
}
