"""Writes into copies and order statistics PyTorch programs use: ``index_put``,
``masked_scatter``, ``put``, ``slice_scatter``/``select_scatter``/``diagonal_scatter``,
``quantile``/``nanquantile``, ``nanmedian``, ``histogram`` (with their in-place forms).

Each differentiable one is composed of ops that already have gradients (``index_copy``,
``index_add``, ``setitem``, ``sort``, ``gather``), so gradients of any order come from those;
its last node takes PyTorch's name for the function (``IndexPutBackward0``...). Positions
are computed with numpy from the index arguments (never from differentiable values).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import dtypes as D
from .frontend import checks
from .frontend.creation import tensor
from .frontend.index_extra import index_add, index_copy
from .frontend.indexing import gather
from .frontend.overlap import index_put_value
from .frontend.recording import index_tensors, keep_saved
from .frontend.sorting import sort
from .frontend.subscript import UINT8_INDEX_WARNING
from .frontend.tensor import Tensor, _make
from .helpers import warn as warn_user
from .math_extra import _named
from .ops.return_types import named_result
from .tensor_inplace import _alias, rewrite

NanmedianResult = named_result("nanmedian", ("values", "indices"))
HistogramResult = named_result("histogram", ("hist", "bin_edges"))


def _positions(t: Tensor, idx: Any) -> np.ndarray:
    return np.asarray(idx._value if isinstance(idx, Tensor) else idx)


def _fitted(vals: Tensor, shape: tuple) -> Tensor:
    """``vals`` expanded to the indexing result's ``shape``, or PyTorch's shape-mismatch
    error (``index_put_`` keeps a value's leading 1s, unlike ``t[i] = v``)."""
    index_put_value(vals._value, shape, strip=False)
    return vals.expand(shape)


def _flat_write(
    input: Tensor,  # noqa: A002
    flat_index: np.ndarray,
    values: Tensor,
    accumulate: bool,
    node: str,
) -> Tensor:
    """``input`` with its flattened elements ``flat_index`` set to (or, with ``accumulate``,
    increased by) ``values`` (broadcast to the index's shape), node ``node``."""
    shape = tuple(input.shape)
    flat = input.reshape(-1)
    index = _make(np.ascontiguousarray(flat_index.reshape(-1), np.int64), D.int64)
    src = values.to(input._dtype).expand(flat_index.shape).reshape(-1)
    res = index_add(flat, 0, index, src) if accumulate else index_copy(flat, 0, index, src)
    return _named(res.reshape(shape), node)


def index_put(
    input: Tensor,  # noqa: A002
    indices: Any,
    values: Tensor,
    accumulate: bool = False,
) -> Tensor:
    """``input`` with ``input[indices] = values`` (``+=`` with ``accumulate``, repeated
    indices summing), out of place (``IndexPutBackward0``)."""
    shape = tuple(input.shape)
    arrays = []
    for i in indices:
        a = _positions(input, i)
        if a.dtype == np.uint8 and isinstance(i, Tensor):  # still a mask, as in indexing
            warn_user(UINT8_INDEX_WARNING, UserWarning, stacklevel=3)
            a = a.astype(np.bool_)
        if a.dtype == np.bool_:
            arrays.extend(np.nonzero(a))
        else:
            arrays.append(a.astype(np.int64))
    k = len(arrays)
    arrays = np.broadcast_arrays(*arrays)
    for d, a in enumerate(arrays):
        if a.size and (a.max() >= shape[d] or a.min() < -shape[d]):
            bad = int(a.max() if a.max() >= shape[d] else a.min())
            raise IndexError(f"index {bad} is out of bounds for dimension {d} with size {shape[d]}")
    lead = np.ravel_multi_index(tuple(a % shape[d] for d, a in enumerate(arrays)), shape[:k])
    rest = int(np.prod(shape[k:], dtype=np.int64))
    flat_index = lead[..., None] * rest + np.arange(rest)  # every element of each row
    vals = values if isinstance(values, Tensor) else tensor(values, dtype=input._dtype)
    if vals._dtype is not input._dtype:
        raise RuntimeError(
            "Index put requires the source and destination dtypes match, got "
            f"{D.scalar_name(input._dtype)} for the destination and "
            f"{D.scalar_name(vals._dtype)} for the source."
        )
    vals = _fitted(vals, lead.shape + shape[k:]).reshape(flat_index.shape)
    res = _flat_write(input, flat_index, vals, accumulate, "IndexPutBackward0")
    return keep_saved(res, index_tensors(indices))


def _index_put_(self: Tensor, indices: Any, values: Tensor, accumulate: bool = False) -> Tensor:
    return rewrite(self, index_put(_alias(self), indices, values, accumulate))


def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:  # noqa: A002
    """``input`` with the positions where ``mask`` holds filled, in order, from ``source``'s
    first elements (``MaskedScatterBackward0``); ``input`` broadcasts against ``mask``."""
    shape = np.broadcast_shapes(tuple(input.shape), tuple(mask.shape))
    if shape != tuple(input.shape):
        input = input.expand(shape).contiguous()  # noqa: A001
    m = np.broadcast_to(_positions(input, mask).astype(bool), tuple(input.shape))
    where = np.flatnonzero(m)
    if where.size > source.numel():
        raise RuntimeError("Number of elements of source < number of ones in mask")
    src = source.reshape(-1)[: where.size]
    return keep_saved(
        _flat_write(input, where, src, False, "MaskedScatterBackward0"), index_tensors(mask)
    )


def _masked_scatter_(self: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    return rewrite(self, masked_scatter(_alias(self), mask, source))


def put(
    input: Tensor,  # noqa: A002
    index: Tensor,
    source: Tensor,
    accumulate: bool = False,
) -> Tensor:
    """``input`` (seen flat) with elements ``index`` set to ``source`` (``PutBackward0``)."""
    n = input.numel()
    idx = _positions(input, index).astype(np.int64)
    if idx.size and (idx.max() >= n or idx.min() < -n):
        bad = int(idx.max() if idx.max() >= n else idx.min())
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    src = source.reshape(idx.shape) if source.numel() == idx.size else source
    res = _flat_write(input, idx % max(n, 1), src, accumulate, "PutBackward0")
    return keep_saved(res, index_tensors(index))


def _put_(self: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
    return rewrite(self, put(_alias(self), index, source, accumulate))


def _embed(input: Tensor, src: Tensor, view: Any, node: str) -> Tensor:  # noqa: A002
    """A copy of ``input`` whose part ``view(copy)`` is replaced by ``src``."""
    out = input.clone()
    part = view(out)
    if tuple(part.shape) != tuple(src.shape):
        raise RuntimeError(
            f"expected src to have a size equal to the slice of self. src size = "
            f"{list(src.shape)}, slice size = {list(part.shape)}"
        )
    part.copy_(src)
    return _named(out, node)


def slice_scatter(
    input: Tensor,  # noqa: A002
    src: Tensor,
    dim: int = 0,
    start: int | None = None,
    end: int | None = None,
    step: int = 1,
) -> Tensor:
    d = dim % max(input.ndim, 1)
    key = (slice(None),) * d + (slice(start, end, step),)
    return _embed(input, src, lambda t: t[key], "SliceScatterBackward0")


def select_scatter(input: Tensor, src: Tensor, dim: int, index: int) -> Tensor:  # noqa: A002
    return _embed(input, src, lambda t: t.select(dim, index), "SelectScatterBackward0")


def diagonal_scatter(
    input: Tensor,  # noqa: A002
    src: Tensor,
    offset: int = 0,
    dim1: int = 0,
    dim2: int = 1,
) -> Tensor:
    # by positions, not through a diagonal view (jitgrad's diagonal is a copy, not a view)
    where = np.arange(input.numel()).reshape(tuple(input.shape))
    where = np.diagonal(where, offset, dim1 % input.ndim, dim2 % input.ndim)
    if where.shape != tuple(src.shape):
        raise RuntimeError(
            f"expected src to have a size equal to the slice of self. src size = "
            f"{list(src.shape)}, slice size = {list(where.shape)}"
        )
    return _flat_write(input, where, src, False, "DiagonalScatterBackward0")


# ---- order statistics ------------------------------------------------------------------------
_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile_q(input: Tensor, q: Any, interpolation: str, name: str) -> np.ndarray:  # noqa: A002
    """The quantiles ``q`` as float64 values, after PyTorch's checks in its order and words
    (``name`` is the function's: quantile or nanquantile)."""
    if not input._dtype.is_floating_point:
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    qs = np.asarray(q._value if isinstance(q, Tensor) else q, np.float64)
    if qs.ndim > 1:
        raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
    if qs.size and (qs.min() < 0 or qs.max() > 1):
        bad = qs.min() if qs.min() < 0 else qs.max()
        raise RuntimeError(f"{name}() q must be in the range [0, 1] but got {bad:g}")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(
            f"{name}() interpolation must be one of linear, lower, higher, midpoint or "
            f"nearest, but got {interpolation}"
        )
    return qs


def _quantile(
    input: Tensor,  # noqa: A002
    q: Any,
    dim: int | None,
    keepdim: bool,
    interpolation: str,
    ignore_nan: bool,
) -> Tensor:
    qs = _quantile_q(input, q, interpolation, "nanquantile" if ignore_nan else "quantile")
    x = input.reshape(-1) if dim is None else input
    d = 0 if dim is None else dim % max(input.ndim, 1)
    values = sort(x, d).values  # NaN sorts last
    moved = np.moveaxis(values._value, d, -1)
    n = moved.shape[-1]
    valid = (~np.isnan(moved)).sum(-1) if ignore_nan else np.full(moved.shape[:-1], n)
    has_nan = np.isnan(moved).any(-1)
    ranks = qs.reshape(-1, *([1] * moved.ndim))[..., 0] * np.maximum(valid - 1, 0)
    lo, hi = np.floor(ranks), np.ceil(ranks)
    if interpolation == "lower":
        hi = lo
    elif interpolation == "higher":
        lo = hi
    elif interpolation == "nearest":
        lo = hi = np.round(ranks)
    frac = {"linear": ranks - lo, "midpoint": np.full(ranks.shape, 0.5)}.get(
        interpolation, np.zeros(ranks.shape)
    )

    def pick(pos: np.ndarray) -> Tensor:
        idx = np.moveaxis(pos.astype(np.int64), 0, -1)  # the q dimension along d's place
        idx = np.moveaxis(idx, -1, d)
        return gather(values, d, _make(np.ascontiguousarray(idx), D.int64))

    v_lo, v_hi = pick(lo), pick(hi)
    w = _make(np.moveaxis(np.moveaxis(frac, 0, -1), -1, d).astype(input._dtype.np), input._dtype)
    res = v_lo + (v_hi - v_lo) * w
    missing = (valid == 0) if ignore_nan else has_nan
    if missing.any():
        mask = np.moveaxis(np.broadcast_to(missing, (qs.size, *missing.shape)), 0, -1)
        mask = _make(np.ascontiguousarray(np.moveaxis(mask, -1, d)), D.bool_)
        res = res.masked_fill(mask, float("nan"))
    res = res.movedim(d, 0)  # the q values first, as PyTorch
    if keepdim:
        res = res.reshape(qs.size, *[1] * input.ndim) if dim is None else res.unsqueeze(d + 1)
    if qs.ndim == 0:
        res = res.squeeze(0)
    return _named(res, "SqueezeBackward4")


def quantile(
    input: Tensor,  # noqa: A002
    q: Any,
    dim: int | None = None,
    keepdim: bool = False,
    *,
    interpolation: str = "linear",
) -> Tensor:
    """The ``q``-quantiles along ``dim`` (of everything when None); a row with a NaN gives
    NaN. ``q`` a float or 1-D tensor (its values then form a new first dimension)."""
    return _quantile(input, q, dim, keepdim, interpolation, ignore_nan=False)


def nanquantile(
    input: Tensor,  # noqa: A002
    q: Any,
    dim: int | None = None,
    keepdim: bool = False,
    *,
    interpolation: str = "linear",
) -> Tensor:
    """:func:`quantile` ignoring NaNs (an all-NaN row gives NaN)."""
    return _quantile(input, q, dim, keepdim, interpolation, ignore_nan=True)


def nanmedian(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:  # noqa: A002
    """The lower median ignoring NaNs: a value, or ``(values, indices)`` along ``dim``."""
    x = input.reshape(-1) if dim is None else input
    d = 0 if dim is None else dim % max(input.ndim, 1)
    if dim is None and x.numel() == 0:  # no valid value: NaN, as median() of nothing
        return _make(np.array(np.nan, input._dtype.np), input._dtype)
    if x.ndim == 0:
        x, d = x.reshape(1), 0
    checks.selected_dim("median", tuple(x.shape), d)  # (PyTorch's word for nanmedian too)
    srt = sort(x, d)
    # (in Tensor ops, so a device tensor's sort, count and gather stay on the device)
    valid = srt.values.isnan().logical_not().sum(d, keepdim=True)
    k_idx = (valid - 1).clamp_min(0) // 2  # (no valid value: index 0, a NaN)
    values = gather(srt.values, d, k_idx)
    if dim is None:
        return _named(values.reshape(()), "NanmedianBackward0")
    indices = gather(srt.indices, d, k_idx)
    if not input.ndim:  # a 0-d input gives 0-d results, keepdim or not (PyTorch)
        values, indices = values.reshape(()), indices.reshape(())
    elif not keepdim:
        values, indices = values.squeeze(d), indices.squeeze(d)
    return NanmedianResult(_named(values, "NanmedianBackward1"), indices)


def histogram(
    input: Tensor,  # noqa: A002
    bins: Any = 100,
    *,
    range: Any = None,  # noqa: A002 - PyTorch's name
    weight: Tensor | None = None,
    density: bool = False,
) -> Any:
    """``(hist, bin_edges)``: counts (or weights, or a density) in ``bins`` equal bins over
    ``range`` (the data's by default) or between given edges, numpy's rules."""
    a = input._value.reshape(-1)
    edges = bins._value if isinstance(bins, Tensor) else bins
    w = None if weight is None else weight._value.reshape(-1)
    hist, out_edges = np.histogram(a, edges, range=range, weights=w, density=density)
    dt = input._dtype
    return HistogramResult(
        _make(hist.astype(dt.np), dt), _make(np.asarray(out_edges).astype(dt.np), dt)
    )


TOP_LEVEL: dict[str, Any] = {
    f.__name__: f
    for f in (
        index_put,
        masked_scatter,
        put,
        slice_scatter,
        select_scatter,
        diagonal_scatter,
        quantile,
        nanquantile,
        nanmedian,
        histogram,
    )
}
TOP_LEVEL["index_put_"] = _index_put_

METHODS: dict[str, Any] = {
    **TOP_LEVEL,
    "index_put_": _index_put_,
    "masked_scatter_": _masked_scatter_,
    "put_": _put_,
}
