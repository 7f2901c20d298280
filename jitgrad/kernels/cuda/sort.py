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
* :func:`fold_runs`: ``index_put``'s write with index tensors (``accumulate`` or not), as
  PyTorch's CUDA ``index_put_with_sort_kernel``: the target rows sorted stably (their
  positions carried), then one thread per (run of equal rows, column) folds its run, so
  distinct rows and columns are parallel. The sums are PyTorch's order (see the kernel).
* :func:`fold_along`: ``index_add`` / ``scatter_add``'s add, parallel over every source
  element: the flat targets sorted, each run added in index order (the CPU's sums). PyTorch's
  CUDA uses ``atomicAdd`` there (documented nondeterministic); this keeps the project's rule
  of no float atomics (the same bits every run, the CPU's) at the cost of the sort.
  Stream compaction (``masked_select``, ``nonzero``) is :mod:`.compact`'s.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import cuda

from . import memory as M
from .common import contiguous, elementwise_grid, empty, view

__all__ = [
    "sort_lines",
    "cum_extreme",
    "fold_runs",
    "fold_along",
    "mode_positions",
]


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


#: PyTorch's warp width: a full index's run of this many duplicates or more is summed in the
#: order of its lanes (:func:`_lanes_sum`)
WARP = 32


@cuda.jit(device=True)
def _lanes_sum(g, pos, j, passes, zero):
    # PyTorch's indexing_backward_kernel_stride_1 for a run of >= 32 duplicates from sorted
    # position j: lane l sums the run's elements l, l + 32, ..., of its first passes * 32, from
    # zero; then the shuffle-down tree (offsets 16, 8, 4, 2, 1) into lane 0, whose value is
    # returned (the same adds in the same order, in one thread)
    lanes = cuda.local.array(WARP, g.dtype)
    for lane in range(WARP):
        s = zero
        for p in range(passes):
            s += g[pos[j + p * WARP + lane]]
        lanes[lane] = s
    off = WARP // 2
    while off > 0:
        for lane in range(off):
            lanes[lane] += lanes[lane + off]
        off //= 2
    return lanes[0]


@cuda.jit
def _fold_runs_kernel(keys, pos, g, n, inner, assign, serial, zero, out, flag):
    # keys: the target rows of g's (m, inner) rows, sorted stably; pos: the row of g each
    # came from. One thread per (j, i) whose j heads a run of equal keys r in [0, n) (the
    # others do nothing; a run of rows out of range sets flag[0]): out[r, i] = the run's
    # last g (assign: PyTorch's deterministic choice, the CPU's), else out[r, i] plus the
    # run: serial (the CPU's order, index_add's and scatter_add's) or inner > 32: one add
    # at a time into out (PyTorch's indexing_backward_kernel); else out + (0 + g_1 + ... +
    # g_k) (..._small_stride, ..._stride_1), a full index's run of 32 or more first folded
    # as its warp's lanes (_lanes_sum)
    m = keys.size
    start, step = cuda.grid(1), cuda.gridsize(1)
    for t in range(start, m * inner, step):
        j = t // inner
        i = t - j * inner
        r = keys[j]
        if j == 0 or keys[j - 1] != r:
            if r < 0 or r >= n:
                if i == 0:
                    flag[0] = 1
                continue
            e = j + 1
            while e < m and keys[e] == r:
                e += 1
            q = r * inner + i
            if assign:
                out[q] = g[pos[e - 1] * inner + i]
            elif serial or inner > WARP:
                acc = out[q]
                for k in range(j, e):
                    acc += g[pos[k] * inner + i]
                out[q] = acc
            else:
                s = zero
                k = j
                if inner == 1 and e - j >= WARP:
                    passes = (e - j) // WARP
                    s = _lanes_sum(g, pos, j, passes, zero)
                    k = j + passes * WARP
                while k < e:
                    s += g[pos[k] * inner + i]
                    k += 1
                out[q] = out[q] + s


def fold_runs(
    g: Any, rows: Any, n: int, out: Any, assign: bool = False, flag: Any = None,
    serial: bool = False,
) -> Any:  # fmt: skip
    """``out[rows[j], :] += g[j, :]`` (``assign``: ``=``, the last of equal rows winning) into
    the contiguous ``(n, inner)`` device array ``out`` for the contiguous ``(m, inner)`` ``g``
    and the int64 ``rows`` (``m``; rows outside ``[0, n)`` add nothing and set ``flag[0]``
    where a one-element int32 ``flag`` is given), as PyTorch's CUDA
    ``index_put_(..., accumulate=True)`` sums (module docstring), or ``serial``: each row's
    adds one at a time in ``j`` order (the CPU's). Returns ``out``."""
    contiguous(g, "fold_runs")
    contiguous(out, "fold_runs")
    m = rows.size
    inner = g.size // m if m else 0
    if m and inner:
        keys, pos = sort_lines(contiguous(rows, "fold_runs"), (1, m, 1))
        grid, threads = elementwise_grid(m * inner)
        zero = np.dtype(out.dtype).type(0)
        flag = empty((1,), np.int32) if flag is None else flag  # (written only when set)
        _fold_runs_kernel[grid, threads](view(keys, m), view(pos, m), view(g, g.size), n,
                                         inner, assign, serial, zero, view(out, out.size),
                                         flag)  # fmt: skip
    return out


@cuda.jit
def _targets_kernel(idx, n, m, inner, shared, out):
    # out[k] = the flat place (o, r, i) of the (outer, n, inner) array that the element k =
    # (o, j, i) of an (outer, m, inner) source goes to, r = idx[j] (shared) or idx[k],
    # negative from the end; r outside [-n, n): the size of that array (out of range)
    start, step = cuda.grid(1), cuda.gridsize(1)
    for k in range(start, out.size, step):
        o = k // (m * inner)
        i = k % inner
        r = idx[(k // inner) % m] if shared else idx[k]
        if r < 0:
            r += n
        size = (out.size // m) * n
        out[k] = (o * n + r) * inner + i if 0 <= r < n else size


def fold_along(g: Any, idx: Any, n: int, inner: int, out: Any, shared: bool, flag: Any) -> Any:
    """:func:`~.memory.add_along`'s add (``out[o, r, i] += g[o, j, i]``, ``r`` from the int64
    ``idx``, shared or per element, negative from the end) parallel over every source
    element: each element's flat target computed, those sorted stably and each run of equal
    targets added one at a time in ``j`` order (:func:`fold_runs`, ``serial``), so the sums
    are the CPU's, bitwise, the same every run, without atomics; an index outside ``[-n,
    n)`` adds nothing and sets ``flag[0]``. Returns ``out``."""
    contiguous(g, "fold_along")
    contiguous(out, "fold_along")
    outer = out.size // (n * inner) if n * inner else 0
    m = g.size // (outer * inner) if outer * inner else 0
    if m:
        targets = empty((g.size,), np.int64)
        grid, threads = elementwise_grid(g.size)
        _targets_kernel[grid, threads](view(idx, idx.size), n, m, inner, shared, targets)
        fold_runs(view(g, g.size), targets, out.size, view(out, out.size), flag=flag,
                  serial=True)  # fmt: skip
    return out
