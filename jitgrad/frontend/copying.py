"""Copies between arrays, and views made without a node: the pieces the shape ops share.

``copy_into`` is every movement op's copy (cat, stack, flip, the slice backward's embedding);
a small copy into an array the caller just allocated is numpy's assignment, because a Numba
launch costs 2-5 us of dispatch around a one-element copy (the scalar graphs of
``perf/rogozhnikov.py`` stack and embed 0-d tensors thousands of times per step).
"""

from __future__ import annotations

import numpy as np

from .. import dtypes as D
from ..fusion.layout import iteration_views
from ..kernels.cpu import indexing as K
from ..ops.registry import REGISTRY
from .pointwise import apply
from .tensor import Tensor, _make

#: Below this many elements a same-dtype copy into a fresh array is numpy's assignment: the
#: same bytes without a kernel launch (~0.1 us against 2-5 us for a 0-d or 1-element copy).
SMALL_COPY = 4096


def copy_into(dst: np.ndarray, src: np.ndarray, dt: D.dtype, fresh: bool = False) -> None:
    """``dst[...] = src`` (``src`` broadcast to ``dst``; both of dtype ``dt``, or cast).

    The iteration space is collapsed first, so most copies run a 1-D or 2-D strided kernel;
    casts and deeper layouts go through the generated elementwise ``copy`` kernel. ``fresh``:
    ``dst`` is (a view of) an array the caller just allocated, so it cannot overlap ``src``
    and a small copy may be numpy's (which would read overlapping memory differently).
    """
    n = dst.size
    if not n:
        return
    if src.dtype == dst.dtype:
        if fresh and n <= SMALL_COPY:
            dst[...] = src
            return
        views, nd = iteration_views(dst.shape, [src, dst])
        kernel = K.COPY.get(nd)
        if kernel is not None:
            kernel(views[0], views[1])
            return
    apply(REGISTRY["copy"], [_make(dst, dt), _make(src, dt)], out_dtype=dt, out=dst)


def contiguous_array(arr: np.ndarray, dt: D.dtype) -> np.ndarray:
    """``arr`` itself if C-contiguous, else a C-contiguous copy made by a Numba kernel."""
    if arr.flags.c_contiguous:
        return arr
    out = np.empty(arr.shape, arr.dtype)
    copy_into(out, arr, dt, fresh=True)
    return out


def plain_views(g: Tensor, d: int, n: int) -> tuple:
    """``select(g, d, i)`` for ``i < n`` where none records a node (grad mode off, or ``g``
    needs no gradient): views sharing ``g``'s buffer and version counter, ``_base`` the root,
    exactly what :func:`.movement.make_view` gives then, without its per-view checks."""
    arr, dt, vc = g._value, g._dtype, g._counter()
    base = g if g._base is None else g._base
    lead = (slice(None),) * d
    out = []
    for i in range(n):
        t = _make(arr[(*lead, i, ...)] if d else arr[i, ...], dt)  # (d 0: no key to build)
        t._vc = vc
        t._base = base
        out.append(t)
    return tuple(out)
