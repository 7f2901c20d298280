"""Shape planning for the reduction kernels (pure Python): which ``(A, R, B)`` view a
reduction over some axes is, and the transpose it needs first (see :mod:`.reduce`)."""

from __future__ import annotations

import numpy as np


def _norm_axes(ndim: int, axes) -> tuple[int, ...]:
    """Sorted, non-negative, de-duplicated axes; ``None`` means all (torch's ``dim=None``)."""
    if axes is None:
        return tuple(range(ndim))
    if isinstance(axes, (int, np.integer)):
        axes = (int(axes),)
    out = set()
    for ax in axes:
        a = int(ax)
        if not -max(ndim, 1) <= a < max(ndim, 1):
            raise ValueError(f"axis {ax} out of range for {ndim}-d input")
        out.add(a % ndim if ndim else 0)
    return tuple(sorted(out))


def _prod(dims) -> int:
    p = 1
    for d in dims:
        p *= int(d)
    return p


def as_3d(shape, axes) -> tuple[int, int, int] | None:
    """``(A, R, B)`` for reducing ``shape`` over ``axes`` if they form one contiguous run.

    Returns None when they do not: the data must then be transposed first (see
    :func:`reduction_plan`). No axes means an identity reduction, given as ``(size, 1, 1)``;
    a 0-d shape gives ``(1, 1, 1)``.
    """
    shape = tuple(int(d) for d in shape)
    ax = _norm_axes(len(shape), axes)
    if not shape:
        return (1, 1, 1)
    if not ax:
        return (_prod(shape), 1, 1)
    if ax[-1] - ax[0] + 1 != len(ax):
        return None
    lo, hi = ax[0], ax[-1] + 1
    return (_prod(shape[:lo]), _prod(shape[lo:hi]), _prod(shape[hi:]))


def reduction_plan(shape, axes) -> tuple[tuple[int, ...] | None, tuple[int, int, int]]:
    """``(perm, (A, R, B))``: the one call a caller needs before any kernel here.

    ``perm`` is None when ``x.reshape(A, R, B)`` already works; otherwise the caller does
    ``np.ascontiguousarray(x.transpose(perm)).reshape(A, R, B)``. The permutation keeps the
    trailing run of kept axes in place (as ``B``, so the copy streams along the innermost axis)
    and moves the reduced axes just before it, the other kept axes first. Kept axes stay in
    their original order, so an ``(A, B)`` result reshapes straight to the kept dims.
    """
    shape = tuple(int(d) for d in shape)
    ax = _norm_axes(len(shape), axes)
    abc = as_3d(shape, ax)
    if abc is not None:
        return None, abc
    red = set(ax)
    tail = []
    for i in range(len(shape) - 1, -1, -1):
        if i in red:
            break
        tail.append(i)
    tail.reverse()
    lead = [i for i in range(len(shape)) if i not in red and i not in tail]
    perm = tuple(lead) + ax + tuple(tail)
    return perm, (
        _prod(shape[i] for i in lead),
        _prod(shape[i] for i in ax),
        _prod(shape[i] for i in tail),
    )
