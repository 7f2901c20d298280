"""``sort(stable=False)`` and ``topk`` as PyTorch's CPU kernels make them: libstdc++'s
``std::sort`` (introsort: median-of-three pivot, unguarded partition, heapsort below the depth
limit, a final insertion sort over runs of 16), ``std::nth_element`` (introselect) and
``std::partial_sort`` (heap select, then sort_heap) over (value, index) pairs, compared by
value only with NaN ordered above every number (ATen's ``KeyValueCompAsc``/``Desc`` and
topk's lambdas). Which index comes first among equal values is an outcome of that exact
sequence of moves, so it is followed step for step, as :mod:`.quick_select` does for
``kthvalue`` (tests/test_conformance14.py replays PyTorch's answers on tie-heavy rows).

The kernels run on int64 keys that compare as the values do (:func:`sort_keys`), and a
descending order (``descending=True``, ``largest=True``: NaN first, then larger values) on
the keys complemented, so every helper compares with ``<`` and is compiled once.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .jit import cached_njit

_THRESHOLD = 16  # libstdc++'s _S_threshold
#: Constant arguments of the helpers, as numpy scalars: a Python ``0`` or ``True`` passed to
#: a jitted function is typed ``Literal[int](0)``, and Numba compiles the callee (and its
#: callees) again for each literal (the nest was compiled up to four times: ~10 CPU s)
_ZERO, _TRUE, _FALSE = np.int64(0), np.bool_(True), np.bool_(False)


@cached_njit(inline="always")
def _swap(k: Any, ix: Any, i: int, j: int) -> None:
    k[i], k[j] = k[j], k[i]
    ix[i], ix[j] = ix[j], ix[i]


@cached_njit(inline="always")
def _lg(n: int) -> int:
    """``std::__lg``: floor(log2(n)) for n >= 1."""
    r = -1
    while n:
        n >>= 1
        r += 1
    return r


@cached_njit
def _adjust_heap(k: Any, ix: Any, f: int, hole: int, n: int, vk: Any, vi: int) -> None:
    """``std::__adjust_heap`` of the heap [f, f + n), then its tail, ``std::__push_heap``
    (one function, not two: each level of jitted calls re-optimizes all below it)."""
    top = hole
    child = hole
    while child < (n - 1) // 2:
        child = 2 * (child + 1)
        if k[f + child] < k[f + child - 1]:
            child -= 1
        k[f + hole], ix[f + hole] = k[f + child], ix[f + child]
        hole = child
    if (n & 1) == 0 and child == (n - 2) // 2:
        child = 2 * (child + 1)
        k[f + hole], ix[f + hole] = k[f + child - 1], ix[f + child - 1]
        hole = child - 1
    parent = (hole - 1) // 2
    while hole > top and k[f + parent] < vk:
        k[f + hole], ix[f + hole] = k[f + parent], ix[f + parent]
        hole = parent
        parent = (hole - 1) // 2
    k[f + hole], ix[f + hole] = vk, vi


@cached_njit
def _heap_select(k: Any, ix: Any, f: int, m: int, last: int) -> None:
    """``std::__heap_select``: [f, m) becomes a heap of the m - f first elements in order
    (``std::__pop_heap`` of each later element before its top, written out)."""
    n = m - f
    if n >= 2:
        parent = (n - 2) // 2
        while True:
            _adjust_heap(k, ix, f, parent, n, k[f + parent], ix[f + parent])
            if parent == 0:
                break
            parent -= 1
    for i in range(m, last):
        if k[i] < k[f]:
            vk, vi = k[i], ix[i]
            k[i], ix[i] = k[f], ix[f]
            _adjust_heap(k, ix, f, _ZERO, n, vk, vi)


@cached_njit
def _partial_sort(k: Any, ix: Any, f: int, m: int, last: int) -> None:
    _heap_select(k, ix, f, m, last)
    while m - f > 1:  # std::__sort_heap: pop_heap(f, m, m)
        m -= 1
        vk, vi = k[m], ix[m]
        k[m], ix[m] = k[f], ix[f]
        _adjust_heap(k, ix, f, _ZERO, m - f, vk, vi)


@cached_njit
def _partition_pivot(k: Any, ix: Any, f: int, last: int) -> int:
    """``std::__unguarded_partition_pivot``: the median of (f+1, mid, last-1) moved to f, then
    [f+1, last) partitioned around it; returns the cut."""
    a, b, c = f + 1, f + (last - f) // 2, last - 1
    if k[a] < k[b]:
        if k[b] < k[c]:
            _swap(k, ix, f, b)
        elif k[a] < k[c]:
            _swap(k, ix, f, c)
        else:
            _swap(k, ix, f, a)
    elif k[a] < k[c]:
        _swap(k, ix, f, a)
    elif k[b] < k[c]:
        _swap(k, ix, f, c)
    else:
        _swap(k, ix, f, b)
    lo, hi = f + 1, last
    while True:
        while k[lo] < k[f]:
            lo += 1
        hi -= 1
        while k[f] < k[hi]:
            hi -= 1
        if not lo < hi:
            return lo
        _swap(k, ix, lo, hi)
        lo += 1


@cached_njit
def _insertion_sort(k: Any, ix: Any, f: int, last: int, guarded: bool) -> None:
    """``std::__insertion_sort`` (``guarded``) or ``__unguarded_insertion_sort`` over
    [f, last)."""
    start = f + 1 if guarded else f
    for i in range(start, last):
        vk, vi = k[i], ix[i]
        if guarded and vk < k[f]:
            for j in range(i, f, -1):
                k[j], ix[j] = k[j - 1], ix[j - 1]
            k[f], ix[f] = vk, vi
            continue
        j = i
        while vk < k[j - 1]:
            k[j], ix[j] = k[j - 1], ix[j - 1]
            j -= 1
        k[j], ix[j] = vk, vi


@cached_njit
def std_sort(k: Any, ix: Any, first: int, last: int) -> None:
    """``std::sort`` of [first, last): the introsort loop (the right part of each cut kept on
    a stack: the parts are disjoint, so the order they are done in changes nothing), then the
    final insertion sort."""
    if last - first < 2:
        return
    depth0 = 2 * _lg(last - first)
    stack = np.empty((depth0 + 2, 3), np.int64)
    stack[0, 0], stack[0, 1], stack[0, 2] = first, last, depth0
    top = 1
    while top:
        top -= 1
        f, lst, depth = stack[top, 0], stack[top, 1], stack[top, 2]
        while lst - f > _THRESHOLD:
            if depth == 0:
                _partial_sort(k, ix, f, lst, lst)
                break
            depth -= 1
            cut = _partition_pivot(k, ix, f, lst)
            stack[top, 0], stack[top, 1], stack[top, 2] = cut, lst, depth
            top += 1
            lst = cut
    if last - first > _THRESHOLD:
        _insertion_sort(k, ix, first, first + _THRESHOLD, _TRUE)
        _insertion_sort(k, ix, first + _THRESHOLD, last, _FALSE)
    else:
        _insertion_sort(k, ix, first, last, _TRUE)


@cached_njit
def _nth_element(k: Any, ix: Any, nth: int, last: int) -> None:
    """``std::nth_element`` over [0, last) (introselect)."""
    f = _ZERO
    if last == 0 or nth == last:
        return
    depth = 2 * _lg(last)
    while last - f > 3:
        if depth == 0:
            _heap_select(k, ix, f, nth + 1, last)
            _swap(k, ix, f, nth)
            return
        depth -= 1
        cut = _partition_pivot(k, ix, f, last)
        if cut <= nth:
            f = cut
        else:
            last = cut
    _insertion_sort(k, ix, f, last, _TRUE)


#: int64 with every bit but the sign: XOR flips a negative float's magnitude bits
_MAGNITUDE = np.int64(0x7FFFFFFFFFFFFFFF)


def sort_keys(rows: np.ndarray) -> np.ndarray:
    """``rows`` as C-contiguous int64 keys that compare as the kernels' comparator compares
    the values (NaN after every number and equal to every NaN, -0.0 equal to 0.0), so the
    selection and sorting kernels, which only compare keys, pick the indices of the values
    with one compiled signature for every dtype (each dtype or layout was a compile of its
    own: ~4-8 s for ``sort_rows``' nest of helpers, ~4 s ``topk_rows``, ~1.7 s
    ``kth_indices``). Integers and booleans widen exactly; a float widens exactly to
    float64, zeros become +0.0 and NaNs one positive NaN, and its bits are made monotonic
    (the magnitude bits of a negative one flipped: IEEE order as int64 order)."""
    if rows.dtype.kind != "f":  # (a read-only array would be a signature of its own)
        keys = np.ascontiguousarray(rows, dtype=np.int64)
        return keys if keys.flags.writeable else keys.copy()
    f = np.array(rows, dtype=np.float64, order="C")  # (a copy: changed below)
    f[f == 0] = 0.0
    f[np.isnan(f)] = np.nan
    bits = f.view(np.int64)
    np.bitwise_xor(bits, _MAGNITUDE, out=bits, where=bits < 0)
    return bits


@cached_njit
def _row_keys(rows: Any, r: int, desc: bool) -> Any:
    """A copy of row ``r`` of the keys, complemented for a descending order: ``~key``
    reverses int64 order exactly and keeps ties, so the helpers' one comparator, ``<``, is
    ATen's ``KeyValueCompDesc`` on it (one compiled nest for both orders, none with a flag
    tested at every comparison)."""
    k = np.empty(rows.shape[1], np.int64)
    if desc:
        for j in range(k.size):
            k[j] = ~rows[r, j]
    else:
        for j in range(k.size):
            k[j] = rows[r, j]
    return k


@cached_njit
def sort_rows(rows: Any, desc: bool) -> Any:
    """Each row of ``rows`` (2-D keys, :func:`sort_keys`) sorted as ATen's unstable CPU sort
    does: its indices."""
    out = np.empty(rows.shape, np.int64)
    for r in range(rows.shape[0]):
        k = _row_keys(rows, r, desc)
        ix = np.arange(k.size)
        std_sort(k, ix, _ZERO, k.size)
        for j in range(ix.size):  # (not ``out[r] = ix``: a slice store costs a 2.6 s compile)
            out[r, j] = ix[j]
    return out


@cached_njit
def topk_rows(rows: Any, kk: int, largest: bool, ordered: bool) -> Any:
    """ATen's ``topk_impl_loop`` on each row of ``rows`` (2-D keys): the indices of its ``kk``
    picks (partial_sort when kk * 64 <= n, else nth_element then std::sort of the first
    kk - 1)."""
    out = np.empty((rows.shape[0], kk), np.int64)
    n = rows.shape[1]
    for r in range(rows.shape[0]):
        if kk == 0:
            break
        k = _row_keys(rows, r, largest)
        ix = np.arange(n)
        if kk * 64 <= n:
            _partial_sort(k, ix, _ZERO, kk, n)
        else:
            _nth_element(k, ix, kk - 1, n)
            if ordered:
                std_sort(k, ix, _ZERO, kk - 1)
        for j in range(kk):
            out[r, j] = ix[j]
    return out
