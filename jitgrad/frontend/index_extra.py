"""Index-based updates PyTorch programs use: ``index_add``, ``index_copy``, ``index_fill``,
``take``, ``masked_select`` and the in-place forms (``index_add_``, ``scatter_`` ...).

Each out-of-place op is one node with PyTorch's name and a Tensor-op backward; the in-place
forms compute that result and copy it into ``self`` (so the graph shows ``CopyBackwards``
over it, and the usual in-place checks apply).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from .. import dtypes as D
from .checks import number_fits
from .index_checks import index_add_index, index_copy_index, index_fill_index
from .indexing import getitem, index_select, scatter, scatter_add
from .inplace_result import written_into_self
from .recording import index_tensors, record, renamed
from .tensor import Tensor, _make


def _moved(a: np.ndarray, d: int) -> np.ndarray:
    """``a``'s slices along ``d`` first (a view); a 0-d ``a`` as its one slice of length 1."""
    return np.moveaxis(a.reshape(1) if a.ndim == 0 else a, d, 0)


def index_add(
    input: Tensor,  # noqa: A002
    dim: int,
    index: Tensor,
    source: Tensor,
    *,
    alpha: Any = 1,
) -> Tensor:
    """``input`` with ``alpha * source[i]`` added to slice ``index[i]`` of ``dim`` (repeated
    indices add up)."""
    d, idx = index_add_index(input, dim, index, source, alpha)
    out = np.array(input._value, order="C")
    src = np.broadcast_to(source._value, out.shape[:d] + (idx.size,) + out.shape[d + 1 :])
    if out.size:  # (an empty tensor of 2+ dims takes any index: ATen returns before looking)
        np.add.at(_moved(out, d), idx, _moved(src * alpha if alpha != 1 else src, d))
    index_t = _make(idx, D.int64)

    def backward(g: Tensor) -> tuple:
        gs = index_select(g, d, index_t) if source.requires_grad else None
        if gs is not None and alpha != 1:
            gs = gs * alpha
        return g, gs

    saved = index_tensors(index) if source._requires_grad else ()  # only source's grad reads it
    return record("IndexAddBackward0", out, input._dtype, (input, source), backward, saved)


def index_fill(input: Tensor, dim: int, index: Tensor, value: Any) -> Tensor:  # noqa: A002
    """``input`` with slices ``index`` of ``dim`` set to ``value``."""
    d, idx = index_fill_index(input, dim, index, value)
    out = np.array(input._value, order="C")
    fill = value.item() if isinstance(value, Tensor) else number_fits(value, input._dtype)
    _moved(out, d)[idx] = fill
    index_t = _make(idx, D.int64)
    if isinstance(value, Tensor):  # PyTorch's index_fill.int_Tensor: ``value`` gets a gradient

        def backward(g: Tensor) -> tuple:
            kept = index_fill(g, d, index_t, 0.0)
            return kept, ((g - kept).sum() if value.requires_grad else None)

        return record(
            "IndexFillBackward1", out, input._dtype, (input, value), backward, index_tensors(index)
        )
    return record(
        "IndexFillBackward0",
        out,
        input._dtype,
        (input,),
        lambda g: (index_fill(g, d, index_t, 0.0),),
        index_tensors(index),
    )


def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:  # noqa: A002
    """``input`` with slice ``index[i]`` of ``dim`` replaced by ``source[i]``."""
    d, idx = index_copy_index(input, dim, index, source)
    out = np.array(input._value, order="C")
    _moved(out, d)[idx] = _moved(source._value, d)
    index_t = _make(idx, D.int64)

    def backward(g: Tensor) -> tuple:
        gs = index_select(g, d, index_t) if source.requires_grad else None
        return index_fill(g, d, index_t, 0.0), gs

    saved = index_tensors(index)
    return record("IndexCopyBackward0", out, input._dtype, (input, source), backward, saved)


def take(input: Tensor, index: Tensor) -> Tensor:  # noqa: A002
    """Elements of the flattened ``input`` at ``index`` (in ``index``'s shape)."""
    flat = input._value.reshape(-1)
    idx = index._value.astype(np.int64)
    n = flat.size
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = int(idx[(idx < -n) | (idx >= n)][0])
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    shape = tuple(input.shape)
    flat_idx = _make((idx % n if n else idx).reshape(idx.shape), D.int64)

    saved = index_tensors(index)
    backward = functools.partial(_put_back, index=flat_idx, shape=shape)
    picked = np.asarray(flat[idx])  # (a 0-d index picks a NumPy scalar, not a 0-d array)
    return record("TakeBackward0", picked, input._dtype, (input,), backward, saved)


def _put_back(g: Tensor, index: Tensor, shape: tuple) -> Tensor:
    """take's backward: zeros of ``input``'s ``shape`` with ``g`` added at the flat ``index``,
    PyTorch's ``zeros.put_(index, grad, accumulate=True)`` (``PutBackward0``: no gradient for
    the zeros, ``g``'s is ``gg.take(index)``)."""
    out = np.zeros(int(np.prod(shape, dtype=np.int64)), g._dtype.np)
    np.add.at(out, index._value.reshape(-1), np.asarray(g._value).reshape(-1))
    return record("PutBackward0", out.reshape(shape), g._dtype, (None, g),
                  lambda gg: (None, take(gg, index)))  # fmt: skip


def masked_select(input: Tensor, mask: Tensor) -> Tensor:  # noqa: A002
    """The elements where ``mask`` (broadcast) is True, as a 1-D tensor."""
    if mask._dtype is not D.bool_:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    shape = np.broadcast_shapes(tuple(input.shape), tuple(mask.shape))
    x = input if tuple(input.shape) == shape else input.expand(shape)
    m = mask if tuple(mask.shape) == shape else mask.expand(shape)
    return renamed(getitem(x, m), "MaskedSelectBackward0")


__all__ = ["index_add", "index_copy", "index_fill", "masked_select", "take"]

#: Tensor method name -> function, bound by jitgrad.methods.bind().
METHODS: dict[str, Any] = {name: globals()[name] for name in __all__}
METHODS.update(
    {
        "index_add_": written_into_self(index_add, "index_add_"),
        "index_copy_": written_into_self(index_copy, "index_copy_"),
        "index_fill_": written_into_self(index_fill, "index_fill_"),
        "scatter_": written_into_self(scatter, "scatter_"),
        "scatter_add_": written_into_self(scatter_add, "scatter_add_"),
    }
)
