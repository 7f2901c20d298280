"""PyTorch's refusals for writes whose memory aliases itself or an operand (ATen MemoryOverlap).

Why: a Numba kernel writes ``out[i]`` while it reads its operands, so when two elements of
the written tensor share one memory location (an expanded view: a stride 0 over a dimension
longer than 1), or an operand partly overlaps it (``x[1:].add_(x[:-1])``), the result would
depend on the iteration order: a silent wrong answer. PyTorch refuses both before the kernel
runs, with the messages below, in every in-place elementwise op, ``copy_``, ``fill_`` with
a tensor value, the random fills and ``t[key] = v``; ``fill_`` with a number and ``zero_``
are allowed (every write stores the same value). Advanced-index writes into an expanded
tensor only warn (``index_put_``, ``masked_fill_``: PyTorch's deprecation), but refuse a
value or index sharing memory with the target.

PyTorch compares layouts only where both sides are dense; an operand that overlaps the
target in any other way is "too hard" for it and its CPU kernels then read values already
overwritten. There jitgrad copies the operand first, so the result is numpy's (and PyTorch's
on CUDA).

Cost on the common path: a scan of the written array's strides for a 0, and per tensor
operand an identity test of the two arrays' root buffers (``ndarray.base``: NumPy points
every view at the array that owns the memory); the layouts are compared only when the
roots match.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..dtypes import from_numpy_dtype
from ..helpers import warn as warn_user
from .checks import expand_error
from .tensor import _TYPE_NAMES, Tensor, _make

INTERNAL_OVERLAP = (
    "unsupported operation: more than one element of the written-to tensor refers to a single "
    "memory location. Please clone() the tensor before performing the operation."
)
PARTIAL_OVERLAP = (
    "unsupported operation: some elements of the input tensor and the written-to tensor refer "
    "to a single memory location. Please clone() the tensor before performing the operation."
)
_EXPANDED_WARNING = (
    "Use of {op} on expanded tensors is deprecated. Please clone() the tensor before "
    "performing this operation. This also applies to advanced indexing e.g. {example}"
)

# get_overlap_status's answers
NO, FULL, PARTIAL, TOO_HARD = range(4)


def internal_overlap(arr: np.ndarray) -> bool:
    """ATen's ``has_internal_overlap(t) == Yes``: a dimension longer than 1 with stride 0.
    An empty tensor has no elements to overlap (NumPy gives it zero strides)."""
    strides = arr.strides
    if 0 not in strides or arr.size == 0:
        return False
    return any(s == 0 and n > 1 for n, s in zip(arr.shape, strides, strict=True))


def assert_no_internal_overlap(arr: np.ndarray) -> None:
    if 0 in arr.strides and internal_overlap(arr):
        raise RuntimeError(INTERNAL_OVERLAP)


def warn_expanded(arr: np.ndarray, op: str, example: str) -> None:
    """PyTorch's deprecation warning for ``index_put_``/``masked_fill_`` into expanded data,
    shown at the user's line (two calls up from the function that calls this one)."""
    if 0 in arr.strides and internal_overlap(arr):
        warn_user(_EXPANDED_WARNING.format(op=op, example=example), UserWarning, stacklevel=4)


def _root(arr: np.ndarray) -> Any:
    base = arr.base
    return arr if base is None else base


def _dense(arr: np.ndarray) -> bool:
    """``is_non_overlapping_and_dense``: the elements tile a block of memory exactly."""
    flags = arr.flags
    if flags.c_contiguous or flags.f_contiguous:
        return True
    expected = arr.itemsize
    for stride, n in sorted((s, n) for n, s in zip(arr.shape, arr.strides, strict=True) if n != 1):
        if stride != expected:
            return False
        expected *= n
    return True


def _layout(arr: np.ndarray) -> tuple:
    # strides of size-1 dims mean nothing (numpy and PyTorch choose them differently)
    return tuple(s if n != 1 else 0 for n, s in zip(arr.shape, arr.strides, strict=True))


def overlap_status(a: np.ndarray, b: np.ndarray) -> int:
    """ATen's ``get_overlap_status(a, b)`` for two arrays over the same buffer."""
    if a.size == 0 or b.size == 0:
        return NO
    if not (_dense(a) and _dense(b)):
        return TOO_HARD
    a0, b0 = a.ctypes.data, b.ctypes.data
    a1, b1 = a0 + a.nbytes, b0 + b.nbytes
    if a0 == b0 and a1 == b1:
        return FULL if _layout(a) == _layout(b) else PARTIAL
    return PARTIAL if a0 < b1 and b0 < a1 else NO


def _checked(out: np.ndarray, arr: np.ndarray, full_too: bool = False) -> bool:
    """Raise if ``arr`` overlaps ``out`` the way PyTorch refuses (``full_too``: also the
    same elements, ``assert_no_overlap``); True where ``arr`` must be copied before the
    write reads it (it overlaps ``out`` in a way PyTorch does not check)."""
    return _root(arr) is _root(out) and _must_copy(out, arr, full_too)


def _must_copy(out: np.ndarray, arr: np.ndarray, full_too: bool = False) -> bool:
    """:func:`_checked` for two arrays known to share a root buffer."""
    status = overlap_status(out, arr)
    if status == PARTIAL or (full_too and status == FULL):
        raise RuntimeError(PARTIAL_OVERLAP)
    return status == TOO_HARD and bool(np.may_share_memory(out, arr))


def _copy(t: Tensor) -> Tensor:
    """A copy of ``t``'s values that keeps its place in the graph (the same gradient edge)."""
    c = _make(t._value.copy(), t._dtype, t.grad_fn, output_nr=t._output_nr)
    c._requires_grad = t._requires_grad
    if t.grad_fn is None and t._requires_grad:
        # the leaf's own accumulator, held by the copy: tensors refer to theirs weakly (see
        # Tensor._accumulator), and nothing else holds it until the op records its edge
        acc = t._accumulator()
        c._acc = t._acc
        c.__dict__["_acc_held"] = acc
    return c


def check_write(t: Tensor, others: Sequence[Any]) -> Sequence[Any]:
    """``t.op_(*others)``: PyTorch's TensorIterator checks (``compute_mem_overlaps``).

    Returns ``others``, with a copy in place of each operand that overlaps ``t`` where
    PyTorch does not look (see the module docstring). Written flat: every in-place op
    calls it.
    """
    out = t._value
    root = out.base  # None: out owns its memory, so it is no expanded view
    if root is not None and 0 in out.strides and internal_overlap(out):
        raise RuntimeError(INTERNAL_OVERLAP)
    result = others
    for x in others:
        if isinstance(x, Tensor) and x is not t:
            v = x._value
            base = v.base
            if (v if base is None else base) is (out if root is None else root) and _must_copy(
                out, v
            ):
                result = [_copy(y) if y is x else y for y in result]
    return result


def _expandable(value: np.ndarray, shape: tuple[int, ...]) -> None:
    """PyTorch's ``copy_`` error where ``t[key] = value`` cannot expand ``value`` to the
    target (its leading size-1 dims dropped first, as PyTorch drops them)."""
    lead = 0
    while lead < value.ndim - len(shape) and value.shape[lead] == 1:
        lead += 1
    kind = _TYPE_NAMES.get(from_numpy_dtype(value.dtype).name, "Tensor")
    err = expand_error(value.shape[lead:], shape, f"torch.{kind}")
    if err is not None:
        raise err


def check_setitem(dst: np.ndarray, adv: list, value: Any, varr: np.ndarray) -> np.ndarray:
    """``t[key] = value`` writing into ``dst`` (``t`` after the basic part of ``key``).

    A basic key is PyTorch's ``copy_`` (or ``fill_`` for a 0-d value); an advanced one is
    ``index_put_``, or ``masked_fill_`` for one boolean mask and a single value. Returns
    ``varr`` (the value's array), copied where it shares memory with ``dst`` unchecked.
    """
    if not adv:
        while varr.ndim > dst.ndim and varr.shape[0] == 1:  # PyTorch drops leading 1s
            varr = varr.reshape(varr.shape[1:])
        if varr.shape != dst.shape:
            _expandable(varr, dst.shape)
        if 0 in dst.strides and internal_overlap(dst):
            raise RuntimeError(INTERNAL_OVERLAP)
        base = varr.base
        if (varr if base is None else base) is not _root(dst):
            return varr
        if not isinstance(value, Tensor) or varr.ndim == 0:  # PyTorch copies the value first
            return varr.copy()
        view = varr.reshape(varr.shape[_leading_ones(varr.shape) :])
        try:
            view = np.broadcast_to(view, dst.shape)  # as copy_ sees it: expanded to dst
        except ValueError:
            return varr  # the write raises PyTorch's shape error
        return varr.copy() if _must_copy(dst, view) else varr
    warn_expanded(dst, "index_put_", "tensor[indices] = tensor")
    if len(adv) == 1 and adv[0][1].dtype == np.bool_ and varr.size == 1:
        warn_expanded(dst, "masked_fill_", "tensor[mask] = scalar")
        _checked(dst, adv[0][1])
        return varr
    if isinstance(value, Tensor) and _checked(dst, varr, full_too=True):
        varr = varr.copy()
    for _, a in adv:
        _checked(dst, a, full_too=True)
    return varr


def check_masked_fill(dst: np.ndarray, mask: np.ndarray) -> None:
    """``masked_fill_``: a warning for an expanded target, an error for a mask overlapping it."""
    warn_expanded(dst, "masked_fill_", "tensor[mask] = scalar")
    _checked(dst, mask)


def _leading_ones(shape: tuple[int, ...]) -> int:
    n = 0
    while n < len(shape) and shape[n] == 1:
        n += 1
    return n


def index_put_value(value: np.ndarray, shape: tuple[int, ...], strip: bool = True) -> np.ndarray:
    """``t[indices] = value``'s value fitted to the indexing result's ``shape``: leading
    size-1 dims past it dropped (``strip``: PyTorch's indexing does, ``index_put_`` itself
    does not), then broadcast, or PyTorch's shape-mismatch error."""
    lead = value.ndim - len(shape)
    if strip and lead > 0 and all(n == 1 for n in value.shape[:lead]):
        value = value.reshape(value.shape[lead:])
    try:
        fits = np.broadcast_shapes(value.shape, shape) == tuple(shape)
    except ValueError:
        fits = False
    if not fits:
        raise RuntimeError(
            f"shape mismatch: value tensor of shape {list(value.shape)} cannot be broadcast to "
            f"indexing result of shape {list(shape)}"
        )
    return value
