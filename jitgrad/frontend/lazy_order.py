"""The order eager sums a full float ``sum``/``mean`` of a tensor in, asked before it runs
(capture's tape adds in the same order, :mod:`jitgrad.capture.record`): a deferred chain's
kernel sums it in its epilogue, the reduction kernel sums a stored array pairwise."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..fusion.layout import iteration_views
from .lazy import LazyTensor
from .pending import _SLOT, Pending, PendingReduction


def epilogue_sum(t: Any) -> bool | None:
    """How eager sums all of ``t`` for a full float ``sum``/``mean`` (no dim, keepdim or
    dtype), asked before it runs (capture's tape must add in the same order): True where it
    is the epilogue of ``t``'s chain's kernel over a 1-D loop (``codegen._blocked_reduction``:
    blocks in ``lanes_sum``'s order, the block sums added in float64), False where the
    reduction kernel sums a stored array (pairwise), None where the kernel's loop has more
    dims (operands broadcast or strided in 2-D: one running sum, neither order)."""
    if type(t) is not LazyTensor:
        return False
    p = _SLOT.__get__(t)
    if type(p) is not Pending or p.array is not None or not p.odt.is_floating_point:
        return False
    todo, seen, arrays = [p], {id(p)}, []
    while todo:
        n = todo.pop()
        for x, m in zip(n.args, n.smask, strict=True):
            v = _SLOT.__get__(x) if m == "t" else None
            if type(v) is Pending and v.array is None:
                if id(v) not in seen:
                    seen.add(id(v))
                    todo.append(v)
                v = _stored_layout(v.shape, v.odt.np)
            elif type(v) is Pending:
                v = v.array
            elif type(v) is PendingReduction:
                v = np.empty((), v.odt.np)
            if v is not None:
                arrays.append(v)
    return True if iteration_views(p.shape, arrays)[1] < 2 else None


def _stored_layout(shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """A C-contiguous array of ``shape`` (the layout a chain stores a value in) over one
    element: its strides are what a loop's layout depends on; nothing reads it."""
    strides, step = [], np.dtype(dtype).itemsize
    for d in reversed(shape):
        strides.append(step)
        step *= max(d, 1)
    return np.lib.stride_tricks.as_strided(np.empty(1, dtype), shape, strides[::-1])
