"""ATen's argument checks of ``index_add``, ``index_copy`` and ``index_fill``, in ATen's order
and words (``index_func_meta_impl``, ``index_copy``'s meta function, ``index_fill_`` and the
kernels' range checks), so a program that catches one sees PyTorch's type and message.

Apart from :mod:`.index_extra` (the ops): these read only shapes, dtypes and the index's
values. Each returns the index as a flat int64 array the op can use.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes as D
from .tensor import Tensor, _wrap_dim


def _index_values(index: Any) -> tuple[np.ndarray, D.dtype]:
    if isinstance(index, Tensor):
        return np.asarray(index._value), index._dtype
    arr = np.asarray(index)
    return arr, D.from_numpy_dtype(arr.dtype)


def _size(t: Any) -> list[int]:
    return list(t.shape)


def index_add_index(input: Tensor, dim: int, index: Any, source: Tensor, alpha: Any) -> tuple:  # noqa: A002
    """``(wrapped dim, flat int64 index)`` of ``index_add``, or ATen's error."""
    d = _wrap_dim(dim, max(input.dim(), 1))
    idx, idt = _index_values(index)
    kind = D.scalar_name(idt)
    if idx.ndim > 1:
        raise IndexError(
            f"index_add_(): Index is supposed to be a vector, but got dim: {idx.ndim} with type: "
            f"{kind} and size: {list(idx.shape)}"
        )
    if idt not in (D.int64, D.int32):
        raise RuntimeError(f"index_add_(): Expected dtype int32/int64 for index but got: {kind}")
    if input._dtype is not source._dtype:
        raise RuntimeError(
            f"index_add_(): self ({D.scalar_name(input._dtype)}) and source "
            f"({D.scalar_name(source._dtype)}) must have the same scalar type"
        )
    if not (d == 0 or d < source.dim()):
        raise RuntimeError(
            f"index_add_(): Indexing dim {d} is out of bounds of the source tensor with dim "
            f"{source.dim()}"
        )
    if idx.size != (source.shape[d] if source.dim() else 1):
        if not source.dim():  # (ATen's message reads source.size(0) of a 0-d source)
            raise IndexError("Dimension specified as 0 but tensor has no dimensions")
        raise RuntimeError(
            f"index_add_(): Number of indices ({idx.size}) should be equal to source.size(dim): "
            f"({source.shape[d]}), for dim: {d}"
        )
    a, b = _size(input), _size(source)
    if a and b:
        del a[d], b[d]
    if a != b:
        raise RuntimeError(
            "source tensor shape must match self tensor shape, excluding the specified "
            f"dimension. Got self.shape = {_size(input)} source.shape = {_size(source)}"
        )
    flat = idx.reshape(-1).astype(np.int64, copy=False)
    _add_in_range(input, d, flat, idt is D.int64 and _is_one(alpha))
    return d, flat


def _is_one(alpha: Any) -> bool:
    return not isinstance(alpha, bool | np.bool_) and bool(alpha == 1)


def _add_in_range(input: Tensor, d: int, flat: np.ndarray, plain: bool) -> None:  # noqa: A002
    """index_add's kernels: a tensor of 2+ dims adding along its first or last dim with an
    int64 index and ``alpha`` 1 goes through ``scatter_add_`` (its RuntimeError); every other
    call loops over the index (IndexError ``index out of range in self``). A 2+-dim tensor
    with no elements returns before either looks."""
    n = input.shape[d] if input.dim() else 1
    bad = flat[(flat < 0) | (flat >= n)]
    if not bad.size or (input.dim() > 1 and input.numel() == 0):
        return
    if plain and input.dim() > 1 and d in (0, input.dim() - 1):
        raise RuntimeError(f"index {bad[0]} is out of bounds for dimension {d} with size {n}")
    raise IndexError("index out of range in self")


def index_copy_index(input: Tensor, dim: int, index: Any, source: Tensor) -> tuple:  # noqa: A002
    """``(wrapped dim, flat int64 index)`` of ``index_copy``, or ATen's error."""
    d = _wrap_dim(dim, max(input.dim(), 1))
    idx, idt = _index_values(index)
    if idx.ndim > 1:
        raise IndexError(f"index_copy_(): Index should have dimension 1 or 0 (got {idx.ndim})")
    if source.dim() == 0 and idx.size != 1:
        raise IndexError(
            f"index_copy_(): When source is scalar, index should have one element (got {idx.size})"
        )
    if source.dim() != input.dim() and source.dim() and input.dim():
        raise IndexError(
            "index_copy_(): When source and destination are not scalars, their dimensionality "
            f"must match. Source dimensionality ({source.dim()}), destination dimensionality "
            f"({input.dim()})"
        )
    if idt is not D.int64:
        raise RuntimeError(
            f"index_copy_(): Expected a long tensor for index, but got {D.scalar_name(idt)}"
        )
    if input._dtype is not source._dtype:
        raise RuntimeError(
            "index_copy_(): self and source expected to have the same dtype, but got (self) "
            f"{D.scalar_name(input._dtype)} and (source) {D.scalar_name(source._dtype)}"
        )
    _same_slices(input, source, d)
    if source.dim() and idx.size != source.shape[d]:
        raise IndexError(
            f"index_copy_(): Number of indices ({idx.size}) should be equal to source.size(dim) "
            f"({source.shape[d]})"
        )
    flat = idx.reshape(-1).astype(np.int64, copy=False)
    n = input.shape[d] if input.dim() else 1
    bad = flat[(flat < 0) | (flat >= n)]
    if bad.size:
        raise IndexError(
            f"index_copy_(): index {bad[0]} is out of bounds for dimension {d} with size {n}"
        )
    return d, flat


def _same_slices(input: Tensor, source: Tensor, d: int) -> None:  # noqa: A002
    """index_copy's slice check (ATen prints each shape as its sizes with spaces)."""
    a, b = _size(input), _size(source)
    if a:
        del a[d]
    if b:
        del b[d]
    if a != b:
        raise RuntimeError(
            "index_copy_(): Source/destination tensor must have same slice shapes. Destination "
            f"slice shape: {' '.join(map(str, a))} at dimension {d} and source slice shape: "
            f"{' '.join(map(str, b))} at dimension 0."
        )


def index_fill_index(input: Tensor, dim: int, index: Any, value: Any) -> tuple:  # noqa: A002
    """``(wrapped dim, flat int64 index in range)`` of ``index_fill``, or ATen's error
    (negative indices count from the end, as ATen's kernel takes them)."""
    if isinstance(value, Tensor) and value.dim() != 0:
        raise RuntimeError(
            "index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
            f"{value.dim()} dimension(s)."
        )
    idx, idt = _index_values(index)
    if idt is not D.int64:
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    is_complex = (
        value._dtype.is_complex if isinstance(value, Tensor) else isinstance(value, complex)
    )
    if is_complex and not input._dtype.is_complex:
        raise RuntimeError(
            "index_fill_(): Converting complex Scalar to non-complex type is not supported"
        )
    d = _wrap_dim(dim, max(input.dim(), 1))
    if idx.ndim > 1:
        raise RuntimeError("Index has to be a vector/scalar")
    flat = idx.reshape(-1).astype(np.int64, copy=False)
    n = input.shape[d] if input.dim() else 1
    bad = flat[(flat < -n) | (flat >= n)]
    if bad.size:
        raise IndexError(f"index {bad[0]} is out of bounds for dimension {d} with size {n}")
    return d, flat
