"""index_select, gather, scatter, scatter_add, masked_fill and nonzero: indexing along one
dim by an index tensor (or a mask), each recorded with a backward that is the opposite op
(gather's backward scatter-adds, scatter's gathers), so double backward works.

Apart from :mod:`.subscript` (``t[key]``): these take their indices as a tensor argument and
check them with their own messages. The public names are collected in :mod:`.indexing`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import dtypes as D
from ..engine.grad_mode import STATE
from ..kernels.cpu import indexing as K
from ..ops.registry import REGISTRY
from . import argcheck as A
from . import checks
from .clamp_where import where
from .copying import contiguous_array, copy_into
from .overlap import check_masked_fill
from .pointwise import apply, check_inplace, sum_to_shape
from .recording import index_tensors, record
from .scatter_legacy import scatter_reduce_legacy
from .subscript import _index_array, _Plan, _take, setitem
from .tensor import Tensor, _make, _wrap_dim


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:  # noqa: A002
    d = _wrap_dim(dim, input.ndim)
    if index.dim() > 1:  # (ATen's order: the index's rank, its count for a 0-d input, dtype)
        raise IndexError("index_select(): Index is supposed to be a vector")
    if not input.ndim and index.numel() != 1:
        raise RuntimeError(
            "index_select(): Index to scalar can have only 1 value, got "
            f"{index.numel()} value(s)"
        )
    idx = _int_index(index, "index_select(): Expected dtype int32 or int64 for index")
    n = input.shape[d] if input.ndim else 1
    flat = idx.reshape(-1)
    if K.check_dim(flat, n) >= 0:
        raise IndexError("index out of range in self")
    v = input if input.ndim else input.reshape(1)
    plan = _Plan(v.shape, [(d, flat)])
    out = _take(v, plan, "IndexSelectBackward0", index_tensors(index))
    if out.grad_fn is not None:  # (the dim as passed, as its _saved_dim shows it)
        out.grad_fn._saved.fn.saved_dim = dim
    return out if input.ndim else out.reshape(())


SCATTER_INDEX = "scatter(): Expected dtype int32/int64 for index"


def _int_index(index: Any, message: str) -> np.ndarray:
    """An int32 or int64 index tensor's values as int64 (``message`` for any other dtype:
    PyTorch's index kernels take no other integer type, nor bool or uint8)."""
    arr = index._value if isinstance(index, Tensor) else np.asarray(index)
    if arr.dtype != np.int64 and arr.dtype != np.int32:
        raise RuntimeError(message)
    return arr.astype(np.int64, copy=False)


def _nd_args(x_shape: tuple[int, ...], index: np.ndarray, dim: int, name: str):
    """Shared validation of gather/scatter: flat index, its shape and the target strides."""
    if index.ndim != len(x_shape) and not (index.ndim <= 1 and len(x_shape) <= 1):
        raise RuntimeError(f"Index tensor must have the same number of dimensions as {name} tensor")
    flat = np.ascontiguousarray(index).reshape(-1)
    n = x_shape[dim] if x_shape else 1
    bad = K.check_dim(flat, n)
    if bad >= 0:
        raise RuntimeError(f"index {flat[bad]} is out of bounds for dimension {dim} with size {n}")
    strides = np.array([math.prod(x_shape[i + 1 :]) for i in range(len(x_shape))] or [1], np.int64)
    ishape = np.array(index.shape or (1,), np.int64)
    return flat, ishape, strides


def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad: bool = False) -> Tensor:  # noqa: A002
    """out[i][j] = input[i][index[i][j]] for dim=1 (``GatherBackward0``)."""
    d = _wrap_dim(dim, input.ndim)
    idx = _int_index(index, "gather(): Expected dtype int32/int64 for index")
    flat, ishape, strides = _nd_args(input.shape, idx, d, "input")
    src = contiguous_array(input._value, input._dtype).reshape(-1)
    out = np.empty(flat.shape[0], input._dtype.np)
    K.gather_nd(src, strides, flat, ishape, d, out)
    shape = input.shape

    def back(g: Tensor) -> Tensor:  # (dim as passed, as _saved_dim shows it: wrapped here)
        return _scatter_new(g, shape, _wrap_dim(dim, len(shape)), index, "ScatterAddBackward0")

    back.sparse_grad = sparse_grad
    # (PyTorch saves the input too: its _saved_self, and a change in place before backward
    # raises the version error there)
    saved = (*index_tensors(index), input)
    return record("GatherBackward0", out.reshape(idx.shape), input._dtype, (input,), back, saved)


def _scatter_new(g: Tensor, shape: tuple[int, ...], dim: int, index: Any, name: str) -> Tensor:
    """Zeros of ``shape`` with ``g`` scatter-added along ``dim`` (gather's backward)."""
    out = np.zeros(shape, g._dtype.np)
    _scatter_into(out, g._value, dim, _index_array(index), True, g._dtype)
    return record(name, out, g._dtype, (g,), lambda gg: gather(gg, dim, index))


def _scatter_into(
    out: np.ndarray, src: np.ndarray, dim: int, idx: np.ndarray, accumulate: bool, dt: D.dtype
) -> None:
    flat, ishape, strides = _nd_args(out.shape, idx, dim, "self")
    src = np.ascontiguousarray(src[tuple(slice(0, n) for n in idx.shape)] if src.ndim else src)
    K.scatter_nd(
        src.reshape(-1).astype(dt.np, copy=False),
        flat,
        ishape,
        dim,
        strides,
        out.reshape(-1),
        accumulate,
    )


def scatter(
    input: Tensor,  # noqa: A002
    dim: int,
    index: Tensor,
    src: Any = None,
    *,
    value: Any = None,
    reduce: str | None = None,
) -> Tensor:
    """A copy of ``input`` with ``src`` (or ``value``) written at ``index`` along ``dim``."""
    if not isinstance(index, Tensor):
        raise A.invalid_args("scatter", (dim, index, src if value is None else value))
    d = _wrap_dim(dim, input.ndim)
    if src is None:
        src = value
    idx = _int_index(index, SCATTER_INDEX)
    if reduce is not None:
        return scatter_reduce_legacy(input, d, index, src, reduce)
    out = np.array(input._value, order="C")
    fill = src._value if isinstance(src, Tensor) else np.full(idx.shape, src, input._dtype.np)
    _scatter_into(out, fill, d, idx, False, input._dtype)
    is_tensor = isinstance(src, Tensor)

    def backward(g: Tensor) -> tuple:
        gi = scatter(g, d, index, 0.0)
        return (gi, gather(g, d, index)) if is_tensor else (gi,)

    inputs = (input, src) if is_tensor else (input,)
    name = "ScatterBackward0" if is_tensor else "ScatterBackward1"
    return record(name, out, input._dtype, inputs, backward, (index,))


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:  # noqa: A002
    """A copy of ``input`` with ``src`` added at ``index`` along ``dim`` (repeats add up)."""
    if not (isinstance(index, Tensor) and isinstance(src, Tensor)):
        raise A.invalid_args("scatter_add", (dim, index, src))
    d = _wrap_dim(dim, input.ndim)
    out = np.array(input._value, order="C")
    _scatter_into(out, src._value, d, _int_index(index, SCATTER_INDEX), True, input._dtype)
    return record(
        "ScatterAddBackward0",
        out,
        input._dtype,
        (input, src),
        lambda g: (g, gather(g, d, index)),
        (index,) if src._requires_grad else (),  # only the source's gradient reads it
    )


def take_along_dim(  # noqa: A002
    input: Tensor, indices: Any, dim: Any = None, *, _first: int = 1
) -> Tensor:
    """``gather`` with ``input`` and ``indices`` broadcast off ``dim`` (both flattened when
    ``dim`` is None). ``_first``: the position PyTorch's errors give ``indices`` (0 for the
    method, which has no ``input`` argument)."""
    for name, pos, value, kind in (
        ("indices", _first, indices, Tensor),
        ("dim", _first + 1, dim, int),
    ):
        if (value is not None or kind is Tensor) and (
            not isinstance(value, kind) or value is True or value is False
        ):
            raise TypeError(
                f"take_along_dim(): argument '{name}' (position {pos + 1}) must be "
                f"{kind.__name__}, not {type(value).__name__}"
            )
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    d = _wrap_dim(dim, input.ndim)
    a, b = list(input.shape), list(indices.shape)
    a[d] = b[d] = 1
    shape = list(np.broadcast_shapes(tuple(a), tuple(b)))
    xs, ix = shape.copy(), shape.copy()
    xs[d], ix[d] = input.shape[d], indices.shape[d]
    return gather(input.expand(xs), d, indices.expand(ix))


def take_along_dim_method(self: Tensor, indices: Any, dim: Any = None) -> Tensor:
    """``t.take_along_dim(indices, dim)``: PyTorch's errors count from ``indices``."""
    return take_along_dim(self, indices, dim, _first=0)


def masked_fill(input: Tensor, mask: Tensor, value: Any) -> Tensor:  # noqa: A002
    """``value`` where ``mask`` is True (``MaskedFillBackward0``)."""
    checks.bool_mask("masked_fill", mask)
    if isinstance(value, Tensor) and value.ndim:
        raise RuntimeError(
            "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
            f"{value.ndim} dimension(s)."
        )
    fill = value.item() if isinstance(value, Tensor) else checks.number_fits(value, input._dtype)
    out = apply(REGISTRY["where"], (mask, fill, input.detach()), out_dtype=input._dtype)._value
    shape = input.shape
    value_grad = isinstance(value, Tensor) and value._requires_grad

    def backward(g: Tensor) -> tuple:
        gx = sum_to_shape(masked_fill(g, mask, 0.0), shape)
        if not value_grad:
            return (gx,)
        return gx, where(mask, g, 0.0).sum().reshape(value.shape)

    inputs = (input, value) if value_grad else (input,)
    return record("MaskedFillBackward0", out, input._dtype, inputs, backward, (mask,))


def masked_fill_(self: Tensor, mask: Tensor, value: Any) -> Tensor:
    """In place: ``self[mask] = value`` with ``mask`` broadcast to ``self``."""
    checks.bool_mask("masked_fill_", mask)
    check_masked_fill(self._value, mask._value)
    if not isinstance(value, Tensor):
        value = checks.number_fits(value, self._dtype)
    recording = (
        STATE.enabled
        and self._dtype.is_floating_point
        and (self._requires_grad or (isinstance(value, Tensor) and value._requires_grad))
    )
    if not recording:
        check_inplace(self)
        fill = value.item() if isinstance(value, Tensor) else value
        apply(REGISTRY["where"], (mask, fill, self), out_dtype=self._dtype, out=self._value)
        self._bump()
        return self
    old = _make(self._value, self._dtype, self.grad_fn, output_nr=self._output_nr)
    old._requires_grad = self._requires_grad
    if self._base is not None:  # through a view: setitem rebases the root tensor
        old._value = self._value.copy()
        setitem(self, ..., masked_fill(old, mask, value))
        return self
    check_inplace(self)
    res = masked_fill(old, mask, value)
    copy_into(self._value, res._value, self._dtype)
    self._bump()
    self.grad_fn = res.grad_fn
    self._output_nr = 0
    self._requires_grad = True
    if self._retains_grad:
        self._retain_on_new_node()
    return self
