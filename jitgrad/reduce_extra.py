"""``scatter_reduce`` (sum, prod, mean, amax, amin; ``include_self``) and ``mode``.

``scatter_reduce`` reduces with numpy's unbuffered ``ufunc.at`` (repeated indices combine)
and records ``ScatterReduceBackward0`` with PyTorch's gradients: sum and mean pass the
gradient (divided by the count for mean); amax/amin share it evenly among the elements equal
to the result; prod gives each element the product of the others at its position (exact when
some are zero). The gradients are Tensor ops (masks and counts constant, prod's products
recomputed by scatter_reduce itself), so they are differentiable again (issue 14); they live
in :mod:`jitgrad.frontend.scatter_reduce_grads`, shared with the CUDA backend's op.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import dtypes as D
from .frontend import checks
from .frontend import scatter_reduce_grads as SG
from .frontend.creation import zeros
from .frontend.gather_scatter import SCATTER_INDEX, _int_index
from .frontend.indexing import gather
from .frontend.out import write_out
from .frontend.recording import record
from .frontend.tensor import Tensor, _make
from .math_extra import _named
from .ops.return_types import ModeResult
from .tensor_inplace import _alias, rewrite

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

    index_t, part = _make(idx, D.int64), src[tuple(slice(0, n) for n in idx.shape)]
    out_t = _make(out, input._dtype)

    def backward(g: Tensor) -> tuple:
        g_self, g_src = SG.grads(g, reduce, input, part, out_t, d, index_t, include_self)
        return g_self, _pad(g_src, src._value.shape)

    return record("ScatterReduceBackward0", out, input._dtype, (input, src), backward)


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


def mode(input: Tensor, dim: int = -1, keepdim: bool = False, *, out: Any = None) -> Any:  # noqa: A002
    """``(values, indices)``: the most frequent value along ``dim`` (the smallest among
    equally frequent ones) and the index of its last occurrence (``ModeBackward0``);
    ``out=(values, indices)`` must have the input's dtype and int64 (PyTorch's check)."""
    if out is not None:
        for o, want, which in zip(out, (input._dtype, D.int64), ("values", "indices")):
            if isinstance(o, Tensor) and o._dtype is not want:
                raise RuntimeError(
                    f"expected scalar type '{D.scalar_name(want)}' but got "
                    f"'{D.scalar_name(o._dtype)}' for {which} output"
                )
        return write_out("mode", tuple(out), lambda: mode(input, dim, keepdim), (input,))
    x = input if input.ndim else input.reshape(1)
    d = dim % x.ndim
    checks.selected_dim("mode", tuple(x.shape), d)
    rows = np.moveaxis(x._value, d, -1)
    flat = rows.reshape(-1, rows.shape[-1])
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
