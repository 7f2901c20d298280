"""Sorting along one axis, running extremes with their indices, and stream compaction.

Arrays are seen as ``(A, R, B)`` with the axis ``R`` in the middle, as in :mod:`.scan`.

* :func:`sort_lines`: a stable bottom-up merge sort of every line, all lines at once. Pass
  ``w`` (1, 2, 4, ...) merges sorted runs of ``w``: one thread per element finds its place in
  the merged run by a binary search in the other run (a left element goes after the right
  run's elements strictly before it, a right element after the left run's elements not after
  it), so equal keys keep their input order: PyTorch's ``stable=True`` order, NaN sorted as
  the largest value (first when descending, equal elements still in input order). ``log2 R``
  launches of ``A * R * B`` threads, each ``O(log R)`` reads; no shared memory, no atomics, the
  same result every run. The keys carry their position along the axis (the indices).
* :func:`cum_extreme`: cummax / cummin, one thread per line in order (as the CPU's loop): the
  later index on ties, a NaN once met stays (with the index of the latest NaN).
* :func:`compact`: the elements of a flat array where a mask is set, in order, and their
  positions: per-chunk counts (one thread per chunk of :data:`CHUNK`), their running sum
  (:func:`running_sum`: the same blocking again, down to one chunk, so no thread walks more
  than :data:`CHUNK` values), then each chunk writes its elements from its offset. The total
  is read back (the size of the result: one synchronization, as PyTorch's
  ``masked_select``).
* :func:`nonzero`: the row-major coordinates of a flat mask's set elements (int64), counted
  as :func:`compact` counts them, the total read back once (PyTorch's ``nonzero`` syncs
  there too: the result's size is the count), then each chunk writes its coordinates from
  its offset, so the rows come in row-major order as PyTorch's.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import cuda

from . import memory as M
from . import scan as S
from .common import contiguous, elementwise_grid, empty, view

__all__ = [
    "sort_lines",
    "cum_extreme",
    "compact",
    "nonzero",
    "running_sum",
    "mode_positions",
    "CHUNK",
]

#: Elements per chunk of :func:`compact` (the running sum is over ``n / CHUNK`` counts)
CHUNK = 256


@cuda.jit
def _merge_pass(src, sidx, dst, didx, R, B, w, desc):
    # src/sidx: (A, R, B) keys and their positions, sorted in runs of w along R; dst/didx:
    # the same sorted in runs of 2w. Order: a before b if a < b, or b is NaN and a not
    # (descending: the mirror), ties by run (left first).
    i = cuda.grid(1)
    stride = cuda.gridsize(1)
    while i < src.size:
        a = i // (R * B)
        r = (i - a * R * B) // B
        base = i - r * B  # the line's element 0
        lo = (r // (2 * w)) * (2 * w)
        mid = lo + w if lo + w < R else R
        hi = lo + 2 * w if lo + 2 * w < R else R
        x = src[i]
        if r < mid:  # left run: count the right run's elements strictly before x
            L, H = mid, hi
            while L < H:
                m = (L + H) // 2
                y = src[base + m * B]
                u, v = (x, y) if desc else (y, x)
                if u < v or (v != v and u == u):
                    L = m + 1
                else:
                    H = m
            pos = lo + (r - lo) + (L - mid)
        else:  # right run: count the left run's elements not after x
            L, H = lo, mid
            while L < H:
                m = (L + H) // 2
                y = src[base + m * B]
                u, v = (y, x) if desc else (x, y)
                if u < v or (v != v and u == u):
                    H = m
                else:
                    L = m + 1
            pos = lo + (r - mid) + (L - lo)
        q = base + pos * B
        dst[q] = x
        didx[q] = sidx[i]
        i += stride


@cuda.jit
def _positions(idx, R, B):
    # idx: (A, R, B) int64, each element set to its position along R
    i = cuda.grid(1)
    stride = cuda.gridsize(1)
    while i < idx.size:
        idx[i] = (i // B) % R
        i += stride


def sort_lines(x: Any, shape3: tuple[int, int, int], descending: bool = False) -> tuple:
    """``(values, indices)``: the contiguous device array ``x`` sorted stably along the middle
    axis of its ``(A, R, B)`` view ``shape3``; both of ``x``'s shape, indices int64."""
    contiguous(x, "sort_lines")
    a, r, b = (int(n) for n in shape3)
    n = a * r * b
    if n != x.size:
        raise ValueError(f"sort_lines: {tuple(x.shape)} is no view of {shape3}")
    shape = tuple(x.shape)
    keys = [M.copy(view(x, n)), empty((n,), x.dtype)]
    idx = [empty((n,), np.int64), empty((n,), np.int64)]
    if n:
        grid, threads = elementwise_grid(n)
        _positions[grid, threads](idx[0], r, b)
        w, k = 1, 0
        while w < r:
            _merge_pass[grid, threads](keys[k], idx[k], keys[1 - k], idx[1 - k], r, b, w,
                                       descending)  # fmt: skip
            w, k = 2 * w, 1 - k
        keys, idx = [keys[k]], [idx[k]]
    return view(keys[0], shape), view(idx[0], shape)


@cuda.jit
def _mode_kernel(v, R, B, out):
    # v: (A, R, B) lines sorted ascending (stably); out: (A, B) the position in each sorted
    # line of the last element of its longest run of equal values (NaNs one run), the first
    # such run on ties (the smallest value)
    lines = v.size // R
    i = cuda.grid(1)
    stride = cuda.gridsize(1)
    while i < lines:
        a = i // B
        p = a * R * B + (i - a * B)
        best, best_end, run = 0, 0, 0
        for r in range(R):
            x = v[p + r * B]
            if r > 0:
                y = v[p + (r - 1) * B]
                run = run + 1 if (x == y or (x != x and y != y)) else 1
            else:
                run = 1
            if run > best:  # (a later run as long as the best one: not taken)
                best = run
                best_end = r
        out[i] = best_end
        i += stride


def mode_positions(v: Any, shape3: tuple[int, int, int]) -> Any:
    """Per line of the sorted contiguous ``v`` (``(A, R, B)``), the sorted position of the last
    element of the most frequent value (the smallest on ties): an int64 ``(A, 1, B)`` array."""
    a, r, b = (int(n) for n in shape3)
    out = empty((a, 1, b), np.int64)
    if v.size:
        grid, threads = elementwise_grid(a * b)
        _mode_kernel[grid, threads](view(v, v.size), r, b, view(out, a * b))
    return out


@cuda.jit
def _cum_extreme_kernel(x, out, where, R, B, take_max):
    # one thread per (a, b) line, in order: x_r replaces the best when x_r >= best (cummin:
    # <=) or x_r is NaN, unless the best is NaN and x_r is not
    lines = x.size // R
    i = cuda.grid(1)
    stride = cuda.gridsize(1)
    while i < lines:
        a = i // B
        p = a * R * B + (i - a * B)
        best = x[p]
        at = 0
        for r in range(R):
            v = x[p + r * B]
            better = v >= best if take_max else v <= best
            if v != v or (better and best == best):
                best = v
                at = r
            out[p + r * B] = best
            where[p + r * B] = at
        i += stride


def cum_extreme(x: Any, shape3: tuple[int, int, int], take_max: bool) -> tuple:
    """``(values, indices)`` of cummax (``take_max``) or cummin of contiguous ``x`` along the
    middle axis of ``shape3``."""
    contiguous(x, "cum_extreme")
    a, r, b = (int(n) for n in shape3)
    out = empty(tuple(x.shape), x.dtype)
    where = empty(tuple(x.shape), np.int64)
    if x.size:
        grid, threads = elementwise_grid(a * b)
        n = x.size
        _cum_extreme_kernel[grid, threads](view(x, n), view(out, n), view(where, n), r, b,
                                           take_max)  # fmt: skip
    return out, where


@cuda.jit
def _chunk_write(x, mask, ends, counts, out, where, chunk):
    # chunk c writes its selected elements from ends[c] - counts[c] on, in order
    c = cuda.grid(1)
    stride = cuda.gridsize(1)
    while c < counts.size:
        k = ends[c] - counts[c]
        e = (c + 1) * chunk if (c + 1) * chunk < mask.size else mask.size
        for i in range(c * chunk, e):
            if mask[i]:
                out[k] = x[i]
                where[k] = i
                k += 1
        c += stride


@cuda.jit
def _chunk_sums(v, sums, chunk):
    c = cuda.grid(1)
    stride = cuda.gridsize(1)
    while c < sums.size:
        s = 0
        e = (c + 1) * chunk if (c + 1) * chunk < v.size else v.size
        for i in range(c * chunk, e):
            s += v[i]
        sums[c] = s
        c += stride


@cuda.jit
def _chunk_scan(v, ends, out, chunk):
    # out: v's running sum, chunk c starting after ends[c - 1] (the chunks before it)
    c = cuda.grid(1)
    stride = cuda.gridsize(1)
    while c < ends.size:
        s = ends[c - 1] if c > 0 else 0
        e = (c + 1) * chunk if (c + 1) * chunk < v.size else v.size
        for i in range(c * chunk, e):
            s += v[i]
            out[i] = s
        c += stride


def running_sum(v: Any) -> Any:
    """The inclusive running sum of the 1-D int64 device array ``v``: per-chunk sums, their
    running sum (recursively), then each chunk's own from its offset."""
    n = v.size
    if n <= CHUNK:
        return S.scan(v, (1, n, 1), S.SUM)
    chunks = -(-n // CHUNK)
    sums = empty((chunks,), np.int64)
    grid, threads = elementwise_grid(chunks)
    _chunk_sums[grid, threads](v, sums, CHUNK)
    ends = running_sum(sums)
    out = empty((n,), np.int64)
    _chunk_scan[grid, threads](v, ends, out, CHUNK)
    return out


def _counted(mask: Any) -> tuple:
    """``(flat mask, per-chunk counts, their running sum, total, grid, threads)`` for the
    bool device array ``mask``: the total read back (one synchronization)."""
    n = mask.size
    chunks = max(1, -(-n // CHUNK))
    counts = empty((chunks,), np.int64)
    grid, threads = elementwise_grid(chunks)
    ms = view(mask, n)
    _chunk_sums[grid, threads](ms, counts, CHUNK)  # (a set element counts 1)
    ends = running_sum(counts)
    total = int(ends[chunks - 1 : chunks].copy_to_host()[0]) if n else 0
    return ms, counts, ends, total, grid, threads


def compact(x: Any, mask: Any) -> tuple:
    """``(values, positions)``: the elements of flat contiguous ``x`` where the bool array
    ``mask`` (same size) is set, in order, and their flat positions (int64)."""
    ms, counts, ends, total, grid, threads = _counted(mask)
    out = empty((total,), x.dtype)
    where = empty((total,), np.int64)
    if total:
        _chunk_write[grid, threads](view(x, x.size), ms, ends, counts, out, where, CHUNK)
    return out, where


@cuda.jit
def _chunk_coords(mask, ends, counts, shape, out, by_dim):
    # out: (total, ndim) int64 (by_dim: (ndim, total)), the coordinates in row-major order of
    # mask's set elements, chunk c from its offset ends[c] - counts[c]
    c = cuda.grid(1)
    stride = cuda.gridsize(1)
    nd = len(shape)
    while c < counts.size:
        k = ends[c] - counts[c]
        e = (c + 1) * CHUNK if (c + 1) * CHUNK < mask.size else mask.size
        for i in range(c * CHUNK, e):
            if mask[i]:
                r = i
                for j in range(nd - 1, -1, -1):
                    if by_dim:
                        out[j, k] = r % shape[j]
                    else:
                        out[k, j] = r % shape[j]
                    r //= shape[j]
                k += 1
        c += stride


def nonzero(mask: Any, shape: tuple, by_dim: bool = False) -> Any:
    """The int64 coordinates of the set elements of the flat contiguous bool device array
    ``mask`` seen at ``shape`` (1-D or more), one row each (``by_dim``: one row per dim), in
    row-major order. The count is read back once: the result's size."""
    ms, counts, ends, total, grid, threads = _counted(mask)
    dims = tuple(int(s) for s in shape)
    out = empty((len(dims), total) if by_dim else (total, len(dims)), np.int64)
    if total:
        _chunk_coords[grid, threads](ms, ends, counts, dims, out, by_dim)
    return out
