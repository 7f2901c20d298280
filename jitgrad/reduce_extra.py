"""``scatter_reduce`` (sum, prod, mean, amax, amin; ``include_self``) and ``mode``.

``scatter_reduce`` reduces with numpy's unbuffered ``ufunc.at`` (repeated indices combine)
and records ``ScatterReduceBackward0`` with PyTorch's gradients: sum and mean pass the
gradient (divided by the count for mean); amax/amin share it evenly among the elements equal
to the result; prod gives each element the product of the others at its position (exact when
some are zero). Its gradient is computed from the saved values, so it is not differentiable
a second time (the sum/mean gradients are, being gathers).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import dtypes as D
from .frontend.creation import zeros
from .frontend.gather_scatter import SCATTER_INDEX, _int_index
from .frontend.indexing import gather
from .frontend.recording import record
from .frontend.tensor import Tensor, _make
from .math_extra import _named
from .ops.return_types import named_result
from .tensor_inplace import _alias, rewrite

ModeResult = named_result("mode", ("values", "indices"))
_REDUCES = ("sum", "prod", "mean", "amax", "amin")
_UFUNCS = {
    "sum": np.add,
    "prod": np.multiply,
    "mean": np.add,
    "amax": np.maximum,
    "amin": np.minimum,
}


def _targets(shape: tuple, index: np.ndarray, dim: int) -> tuple:
    """The output position each ``index`` element writes: index along ``dim``, its own
    coordinates along the others."""
    coords = list(np.indices(index.shape, sparse=False))
    coords[dim] = index
    return tuple(coords)


def scatter_reduce(
    input: Tensor,  # noqa: A002
    dim: int,
    index: Tensor,
    src: Tensor,
    reduce: str,
    *,
    include_self: bool = True,
) -> Tensor:
    """``input`` with ``src[j]`` reduced into position ``index[j]`` along ``dim``."""
    if reduce not in _REDUCES:
        raise RuntimeError(
            f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}"
        )
    d = dim % max(input.ndim, 1)
    idx = _int_index(index, SCATTER_INDEX)
    a, s = input._value, src._value[tuple(slice(0, n) for n in idx.shape)]
    where = _targets(a.shape, idx, d)
    ufunc = _UFUNCS[reduce]
    out = np.array(a, copy=True)
    hit = np.zeros(a.shape, np.int64)
    np.add.at(hit, where, 1)
    touched = hit > 0
    if not include_self:  # scattered positions start from the reduction's identity
        start = {"sum": 0, "mean": 0, "prod": 1}.get(reduce)
        if start is None:
            lim = np.finfo(a.dtype) if a.dtype.kind == "f" else np.iinfo(a.dtype)
            start = lim.min if reduce == "amax" else lim.max
        out[touched] = start
    ufunc.at(out, where, s)
    count = hit + (1 if include_self else 0)
    if reduce == "mean":
        safe = np.maximum(count, 1)
        if a.dtype.kind == "f":
            out = np.where(touched | include_self, out / safe, out).astype(a.dtype)
        else:
            out = np.where(touched | include_self, np.floor_divide(out, safe), out).astype(a.dtype)

    def backward(g: Tensor) -> tuple:
        return _grads(
            g, reduce, include_self, a, s, out, where, touched, count, d, idx, src._value.shape
        )

    return record("ScatterReduceBackward0", out, input._dtype, (input, src), backward)


def _grads(g, reduce, include_self, a, s, out, where, touched, count, d, idx, full_shape):
    """PyTorch's gradients of scatter_reduce for ``input`` and ``src`` (``src``'s padded to
    its full shape with zeros beyond the index's extent)."""
    dt = g._dtype
    gv = g._value
    keep_self = np.ones(a.shape, bool) if include_self else ~touched
    if reduce in ("sum", "mean"):
        scale = 1.0 / np.maximum(count, 1) if reduce == "mean" else np.ones(a.shape)
        g_self = g * _make(np.where(keep_self, scale, 0.0).astype(dt.np), dt)
        g_src = gather(g * _make(scale.astype(dt.np), dt), d, _make(idx, D.int64))
        return g_self, _pad(g_src, full_shape)
    if reduce in ("amax", "amin"):
        at_self = keep_self & (a == out)
        equal_src = s == out[where]
        n = (a == out).astype(np.int64)  # PyTorch counts self even without include_self
        np.add.at(n, where, equal_src.astype(np.int64))
        share = gv / np.maximum(n, 1)
        g_self = np.where(at_self, share, 0.0)
        g_src = np.where(equal_src, share[where], 0.0)
    else:  # prod: each element gets the product of the others at its position
        zeros = np.where(keep_self & (a == 0), 1, 0)
        np.add.at(zeros, where, (s == 0).astype(np.int64))
        nonzero = np.where(keep_self & (a != 0), a, 1).astype(np.float64)
        np.multiply.at(nonzero, where, np.where(s == 0, 1, s))

        def others(v: np.ndarray, z: np.ndarray, p: np.ndarray) -> np.ndarray:
            """The product of the others: p/v without zeros; p for the only zero."""
            by_v = np.where(z == 0, p / np.where(v == 0, 1, v), 0.0)
            return np.where(v == 0, np.where(z == 1, p, 0.0), by_v)

        g_self = np.where(keep_self, gv * others(a, zeros, nonzero), 0.0)
        g_src = gv[where] * others(s, zeros[where], nonzero[where])
    g_src_t = _make(np.asarray(g_src, dt.np), dt)
    return _make(np.asarray(g_self, dt.np), dt), _pad(g_src_t, full_shape)


def _pad(g_src: Tensor, shape: tuple) -> Tensor:
    """``src``'s gradient at its full shape (zero where the index does not reach)."""
    if tuple(g_src.shape) == shape:
        return g_src
    full = zeros(shape, dtype=g_src.dtype)
    full[tuple(slice(0, n) for n in g_src.shape)] = g_src
    return full


def _scatter_reduce_(
    self: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *, include_self: bool = True
) -> Tensor:
    res = scatter_reduce(_alias(self), dim, index, src, reduce, include_self=include_self)
    return rewrite(self, res)


def mode(input: Tensor, dim: int = -1, keepdim: bool = False) -> Any:  # noqa: A002
    """``(values, indices)``: the most frequent value along ``dim`` (the smallest among
    equally frequent ones) and the index of its last occurrence (``ModeBackward0``)."""
    x = input if input.ndim else input.reshape(1)
    d = dim % x.ndim
    rows = np.moveaxis(x._value, d, -1)
    flat = rows.reshape(-1, rows.shape[-1])
    if flat.shape[-1] == 0:
        raise IndexError(f"mode(): Expected reduction dim {d} to have non-zero size.")
    pos = np.empty(flat.shape[0], np.int64)
    for r, row in enumerate(flat):
        vals, counts = np.unique(row, return_counts=True)
        best = vals[np.argmax(counts)]  # unique sorts: the first maximum is the smallest value
        pos[r] = len(row) - 1 - int(np.flatnonzero(row[::-1] == best)[0])
    index = np.expand_dims(pos.reshape(rows.shape[:-1]), d)
    values = gather(x, d, _make(index, D.int64))
    indices = _make(index, D.int64)
    if not keepdim:
        values, indices = values.squeeze(d), indices.squeeze(d)
    if not input.ndim:
        values, indices = values.reshape(()), indices.reshape(())
    return ModeResult(_named(values, "ModeBackward0"), indices)


TOP_LEVEL: dict[str, Any] = {"scatter_reduce": scatter_reduce, "mode": mode}
METHODS: dict[str, Any] = {**TOP_LEVEL, "scatter_reduce_": _scatter_reduce_}
