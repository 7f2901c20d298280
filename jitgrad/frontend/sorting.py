"""Sorting and selection along a dimension: ``sort``, ``argsort``, ``msort``, ``topk``,
``kthvalue``, ``median``, ``nanmedian``, ``cummax``/``cummin``, ``cumprod`` (from
:mod:`.scan_prod`), plus ``unique``, ``bincount``, ``searchsorted``, ``bucketize``, ``argwhere``.

Stable orders come from numpy's stable sorts (NaN sorts as the largest value, as in PyTorch);
``sort(stable=False)``, ``argsort`` and ``topk`` order equal values as ATen's CPU kernels do
(libstdc++'s introsort / introselect / partial_sort, :mod:`jitgrad.kernels.cpu.std_sort`),
and ``kthvalue`` as ATen's quickselect does (:mod:`jitgrad.kernels.cpu.quick_select`). Values
picked from the input send their gradient back to where they came from (a scatter along
``dim``: ``SortBackward0``, ``TopkBackward0`` ...), itself differentiable under
``create_graph``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes as D
from ..kernels.cpu.quick_select import kth_indices
from ..kernels.cpu.std_sort import sort_keys, sort_rows, topk_rows
from . import checks
from . import functions as F
from .gather_scatter import _scatter_new
from .recording import record
from .reduce_minmax import _RETURN_TYPES, _return_type
from .scan_prod import cumprod
from .tensor import Tensor, _make, _wrap_dim

for _name in ("sort", "topk", "kthvalue", "median", "cummax", "cummin"):
    _RETURN_TYPES.setdefault(_name, _return_type(_name))


def _order(a: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    """Stable sorting indices along ``axis``; descending keeps equal elements in input order
    and puts NaN first (ascending: last), as PyTorch."""
    if not descending:
        return np.argsort(a, axis=axis, kind="stable")
    n = a.shape[axis]
    rev = np.flip(a, axis)
    return (n - 1) - np.flip(np.argsort(rev, axis=axis, kind="stable"), axis)


def _std_rows(a: np.ndarray, d: int, kernel: Any, *args: Any) -> np.ndarray:
    """A :mod:`~jitgrad.kernels.cpu.std_sort` kernel on the rows of ``a`` along ``d``, on
    their int64 keys (one compiled kernel for every dtype)."""
    last = d == a.ndim - 1
    moved = a if last else np.moveaxis(a, d, -1)
    idx = kernel(sort_keys(moved.reshape(-1, a.shape[d])), *args)
    idx = idx.reshape(moved.shape[:-1] + idx.shape[-1:])
    return idx if last else np.moveaxis(idx, -1, d)


def _unstable_order(a: np.ndarray, d: int, descending: bool) -> np.ndarray:
    """``sort(stable=False)``'s order: ``std::sort``'s, except where ATen skips the sort
    (an empty tensor, a dimension of stride 0: indices in input order)."""
    if a.size == 0 or a.strides[d] == 0 or a.dtype.kind == "c":
        return _order(a, d, descending)
    return _std_rows(a, d, sort_rows, descending)


def _dim(input: Tensor, dim: int) -> int:  # noqa: A002
    return _wrap_dim(int(dim), input.dim()) if input.dim() else 0  # (int: a 0-d tensor's)


def _picked(
    name: str,
    input: Tensor,
    values: np.ndarray,
    idx: np.ndarray,
    d: int,  # noqa: A002
) -> Tensor:
    """``values`` taken from ``input`` at ``idx`` along ``d``, recorded as node ``name``."""
    shape = tuple(input.shape)
    index = _make(idx, D.int64)
    if not shape:
        return record(name, values, input._dtype, (input,), lambda g: (g,))
    return record(
        name,
        values,
        input._dtype,
        (input,),
        lambda g: (_scatter_new(g, shape, d, index, "ScatterAddBackward0"),),
    )


def sort(
    input: Tensor,  # noqa: A002
    dim: int = -1,
    descending: bool = False,
    stable: bool = False,
    *,
    out: Any = None,
) -> Any:
    """``(values, indices)`` sorted along ``dim``."""
    if input._dtype.is_complex:
        raise RuntimeError(" Sort does not support complex dtypes on CPU")
    d = _dim(input, dim)
    a = input._value
    if a.ndim == 0:
        idx = np.zeros((), np.int64)
        return _RETURN_TYPES["sort"](
            _picked("SortBackward0", input, a.copy(), idx, 0), _make(idx, D.int64)
        )
    idx = _order(a, d, descending) if stable else _unstable_order(a, d, descending)
    values = np.take_along_axis(a, idx, d)
    return _RETURN_TYPES["sort"](
        _picked("SortBackward0", input, values, idx, d), _make(idx.astype(np.int64), D.int64)
    )


def argsort(
    input: Tensor,  # noqa: A002
    dim: int = -1,
    descending: bool = False,
    stable: bool = False,
) -> Tensor:
    """The indices that sort ``input`` along ``dim``."""
    if input.dim() == 0:
        return _make(np.zeros((), np.int64), D.int64)
    order = _order if stable else _unstable_order
    return _make(order(input._value, _dim(input, dim), descending).astype(np.int64), D.int64)


def msort(input: Tensor) -> Tensor:  # noqa: A002
    return sort(input, 0)[0]


def topk(
    input: Tensor,  # noqa: A002
    k: int,
    dim: int = -1,
    largest: bool = True,
    sorted: bool = True,  # noqa: A002
) -> Any:
    """The ``k`` largest (or smallest) values along ``dim`` and their indices."""
    if input._dtype.is_complex:  # ATen's kernel has neither (its message starts with a space)
        raise RuntimeError(" topk does not support complex dtypes on CPU")
    if input._dtype == D.bool_:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    d, k = _dim(input, dim), int(k)
    n = input.shape[d] if input.dim() else 1
    if not 0 <= k <= n:
        raise RuntimeError("selected index k out of range")
    a = input._value if input.dim() else input._value.reshape(1)
    if a.size and not a.dtype.kind == "c":
        idx = _std_rows(a, d, topk_rows, k, largest, sorted)
    else:
        idx = np.take(_order(a, d, largest), np.arange(k), axis=d)
    values = np.take_along_axis(a, idx, d)
    if not input.dim():
        values, idx = values.reshape(()), idx.reshape(())
    return _RETURN_TYPES["topk"](
        _picked("TopkBackward0", input, values, idx, d), _make(idx.astype(np.int64), D.int64)
    )


def _select(
    name: str,
    node: str,
    input: Tensor,  # noqa: A002
    rank: Any,
    dim: int,
    keepdim: bool,
    nan_wins: bool = False,
    pick: Any = None,
) -> Any:
    """The element of rank ``rank(n)`` (0-based, ascending) along ``dim`` with its index;
    ``nan_wins``: a slice holding NaN gives its first NaN (median's rule); ``pick(a, d, r)``
    chooses the index among equal values (default: the stable order's)."""
    d = _dim(input, dim)
    a = input._value if input.dim() else input._value.reshape(1)
    if pick is not None:
        idx = pick(a, d, rank(a.shape[d]))
    else:
        idx = np.take(_order(a, d, False), [rank(a.shape[d])], axis=d)
    if nan_wins:
        nan = np.isnan(a)
        has_nan = np.any(nan, axis=d, keepdims=True)
        idx = np.where(has_nan, np.argmax(nan, axis=d, keepdims=True), idx)
    values = np.take_along_axis(a, idx, d)
    shape = tuple(input.shape)
    index = _make(idx, D.int64)

    def backward(g: Tensor) -> tuple:
        if not shape:
            return (g,)
        g = g if keepdim else g.unsqueeze(d)
        return (_scatter_new(g, shape, d, index, "ScatterAddBackward0"),)

    if not keepdim or not shape:
        idx, values = np.squeeze(idx, d), np.squeeze(values, d)
    result = record(node, values, input._dtype, (input,), backward)
    return _RETURN_TYPES[name](result, _make(idx, D.int64))


def kthvalue(
    input: Tensor,  # noqa: A002
    k: int,
    dim: int = -1,
    keepdim: bool = False,
) -> Any:
    """The ``k``-th smallest value (1-based) along ``dim`` and its index."""
    d = _dim(input, dim)
    n = input.shape[d] if input.dim() else 1
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    rank = lambda _: k - 1  # noqa: E731
    return _select("kthvalue", "KthvalueBackward0", input, rank, dim, keepdim, pick=_quick_select)


def _quick_select(a: np.ndarray, d: int, k: int) -> np.ndarray:
    """The index PyTorch's kthvalue returns among equal values (ATen's quickselect), with
    ``d`` kept as a dimension of size 1."""
    rows = np.ascontiguousarray(np.moveaxis(a, d, -1)).reshape(-1, a.shape[d])
    idx = kth_indices(sort_keys(rows), k).reshape(np.moveaxis(a, d, -1).shape[:-1] + (1,))
    return np.moveaxis(idx, -1, d)


def _lower_median_rank(n: int) -> int:
    return (n - 1) // 2


def median(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A002
    """The lower of the two middle values (PyTorch does not average); NaN if any is NaN.
    Without ``dim`` a value whose gradient is shared by the elements equal to it."""
    if dim is None:
        a = input._value.reshape(-1)
        if a.size == 0:
            return _make(np.array(np.nan, input._dtype.np), input._dtype)
        value = np.sort(a, kind="stable")[_lower_median_rank(a.size)]
        if input._dtype.is_floating_point and np.isnan(a).any():
            value = a.dtype.type(np.nan)

        def backward(g: Tensor) -> tuple:
            hits = input == _make(np.asarray(value), input._dtype)
            if np.isnan(value):
                hits = F.isnan(input)
            mask = hits.to(input._dtype)
            return (mask * (g / mask.sum()),)

        out = np.asarray(value, input._dtype.np).reshape(())
        return record("MedianBackward0", out, input._dtype, (input,), backward)
    if isinstance(dim, int):
        checks.selected_dim("median", tuple(input.shape), _dim(input, dim))
    return _select("median", "MedianBackward1", input, _lower_median_rank, dim, keepdim, True)


def _cum_extreme(name: str, node: str, input: Tensor, dim: int, take_max: bool) -> Any:  # noqa: A002
    if input._dtype.is_complex:  # complex numbers have no order (PyTorch's error)
        word = D.scalar_name(input._dtype)
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{word}'")
    d = _dim(input, dim)
    a = input._value if input.dim() else input._value.reshape(1)
    x = np.moveaxis(a, d, -1)
    vals = np.empty_like(x)
    idx = np.empty(x.shape, np.int64)
    if x.shape[-1]:
        best, where = x[..., 0].copy(), np.zeros(x.shape[:-1], np.int64)
        for i in range(x.shape[-1]):
            xi = x[..., i]
            better = (xi >= best) if take_max else (xi <= best)
            better |= np.isnan(xi)
            better &= ~np.isnan(best) | np.isnan(xi)
            best = np.where(better, xi, best)
            where = np.where(better, i, where)
            vals[..., i], idx[..., i] = best, where
    vals, idx = np.moveaxis(vals, -1, d), np.moveaxis(idx, -1, d)
    if not input.dim():
        vals, idx = vals.reshape(()), idx.reshape(())
    shape = tuple(input.shape)
    index = _make(idx, D.int64)
    result = record(
        node,
        vals,
        input._dtype,
        (input,),
        lambda g: (_scatter_new(g, shape, d, index, "ScatterAddBackward0") if shape else g,),
    )
    return _RETURN_TYPES[name](result, index)


def cummax(input: Tensor, dim: int) -> Any:  # noqa: A002
    """Running maximum along ``dim`` and where it was reached (the last index on ties)."""
    return _cum_extreme("cummax", "CummaxBackward0", input, dim, True)


def cummin(input: Tensor, dim: int) -> Any:  # noqa: A002
    """Running minimum along ``dim`` and where it was reached (the last index on ties)."""
    return _cum_extreme("cummin", "CumminBackward0", input, dim, False)


# ---- set-like and binning ---------------------------------------------------------------
def unique(
    input: Tensor,  # noqa: A002
    sorted: bool = True,  # noqa: A002
    return_inverse: bool = False,
    return_counts: bool = False,
    dim: int | None = None,
) -> Any:
    """The distinct values (sorted), with ``inverse`` indices and ``counts`` on request."""
    a = input._value
    res = np.unique(a, return_inverse=True, return_counts=True, axis=dim)
    values, inverse, counts = res
    if dim is None:
        inverse = inverse.reshape(a.shape)
    out: list[Tensor] = [_make(values, input._dtype)]
    if return_inverse:
        out.append(_make(inverse.astype(np.int64), D.int64))
    if return_counts:
        out.append(_make(counts.astype(np.int64), D.int64))
    return out[0] if len(out) == 1 else tuple(out)


def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:  # noqa: A002
    """How often each non-negative integer occurs (summed ``weights`` if given); PyTorch's
    checks in its order: the dtype (integral only), ``minlength``, the input, the weights."""
    if (dt := input._dtype).is_floating_point or dt.is_complex or dt is D.bool_:
        raise NotImplementedError(f'"bincount_cpu" not implemented for \'{D.scalar_name(dt)}\'')
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    a = input._value
    if input.dim() != 1 or (a.size and a.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is not None and (weights.dim() != 1 or weights.shape[0] != a.shape[0]):
        raise RuntimeError("weights should be 1-d and have the same length as input")
    wdt = D.int64 if weights is None else weights._dtype
    wdt = wdt if wdt.is_floating_point or weights is None else D.float64
    w = None if weights is None else weights._value
    return _make(np.bincount(a, weights=w, minlength=minlength).astype(wdt.np), wdt)


def searchsorted(
    sorted_sequence: Tensor,
    input: Any,  # noqa: A002
    *,
    out_int32: bool = False,
    right: bool = False,
    side: str | None = None,
    sorter: Tensor | None = None,
) -> Tensor:
    """Where each value would be inserted into the sorted last dimension of
    ``sorted_sequence`` (``right``: after equal elements)."""
    side = side or ("right" if right else "left")
    seq = sorted_sequence._value
    vals = input._value if isinstance(input, Tensor) else np.asarray(input)
    if sorter is not None:
        seq = np.take_along_axis(seq, sorter._value, -1)
    if seq.ndim <= 1:
        res = np.searchsorted(seq, vals, side=side)
    else:
        flat_seq = seq.reshape(-1, seq.shape[-1])
        flat_vals = vals.reshape(flat_seq.shape[0], -1)
        res = np.stack(
            [np.searchsorted(s, v, side=side) for s, v in zip(flat_seq, flat_vals, strict=True)]
        )
        res = res.reshape(vals.shape)
    dt = D.int32 if out_int32 else D.int64
    return _make(np.asarray(res, dt.np), dt)


def bucketize(
    input: Any,  # noqa: A002
    boundaries: Tensor,
    *,
    out_int32: bool = False,
    right: bool = False,
) -> Tensor:
    """The bucket of each value among 1-D ``boundaries`` (``right``: boundaries[i-1] <= x <
    boundaries[i]; default: boundaries[i-1] < x <= boundaries[i])."""
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def argwhere(input: Tensor) -> Tensor:  # noqa: A002
    """``(n, ndim)`` indices of the nonzero elements."""
    return _make(np.argwhere(input._value).astype(np.int64), D.int64)


__all__ = [
    "argsort",
    "argwhere",
    "bincount",
    "bucketize",
    "cummax",
    "cummin",
    "cumprod",
    "kthvalue",
    "median",
    "msort",
    "searchsorted",
    "sort",
    "topk",
    "unique",
]

#: Tensor method name -> function, bound by jitgrad.methods.bind().
METHODS: dict[str, Any] = {
    name: globals()[name] for name in __all__ if name not in ("bucketize", "searchsorted")
}
