"""``kthvalue``'s selection as ATen's CPU kernel makes it (``quick_select_template`` of
SortingUtils.h): median-of-three quickselect that swaps values and indices together, NaN
ordered above every number. Which index it returns among equal values is an outcome of that
exact sequence of swaps, so it is followed step for step (tests/test_conformance13.py
records PyTorch's answers on tie-heavy rows)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .jit import cached_njit


@cached_njit(inline="always")
def _gt(x: Any, y: Any) -> bool:
    """ATen's ``gt_or_nan``: x after y in ascending order (NaN last)."""
    return (x != x and y == y) or x > y


@cached_njit(inline="always")
def _swap(a: Any, idx: Any, i: int, j: int) -> None:
    a[i], a[j] = a[j], a[i]
    idx[i], idx[j] = idx[j], idx[i]


@cached_njit(error_model="numpy")
def _select_row(a: Any, idx: Any, k: int) -> None:
    """Partially order ``a`` (with ``idx``) so that position ``k`` holds its rank-k value."""
    lo, hi = 0, a.size - 1
    while hi > lo:
        if hi == lo + 1:
            if _gt(a[lo], a[hi]):
                _swap(a, idx, lo, hi)
            return
        _swap(a, idx, lo + (hi - lo) // 2, lo + 1)
        if _gt(a[lo + 1], a[hi]):
            _swap(a, idx, lo + 1, hi)
        if _gt(a[lo], a[hi]):
            _swap(a, idx, lo, hi)
        if _gt(a[lo + 1], a[lo]):
            _swap(a, idx, lo + 1, lo)
        i, j, piv = lo + 1, hi, a[lo]
        while True:
            i += 1
            while _gt(piv, a[i]):
                i += 1
            j -= 1
            while _gt(a[j], piv):
                j -= 1
            if j < i:
                break
            _swap(a, idx, i, j)
        _swap(a, idx, lo, j)
        if j <= k:
            lo = i
        if j >= k:
            hi = j - 1


@cached_njit(error_model="numpy")
def kth_indices(rows: Any, k: int) -> Any:
    """For each row of ``rows`` (2-D), the index ATen's kthvalue returns for rank ``k``
    (0-based)."""
    out = np.empty(rows.shape[0], np.int64)
    for r in range(rows.shape[0]):
        a = rows[r].copy()
        idx = np.arange(a.size)
        _select_row(a, idx, k)
        out[r] = idx[k]
    return out
