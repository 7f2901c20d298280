"""Memory kernels: fill, contiguous copy, strided gather (a view made contiguous) and cast.

All are grid-stride loops over the output's flat index with 64-bit indices, so one launch of
at most :data:`~.common.MAX_BLOCKS` blocks covers any size.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import cuda

from .common import check_out, contiguous, elementwise_grid, prod, view

__all__ = [
    "fill", "copy", "gather", "scatter", "cast", "one_hot", "gather_rows", "add_rows",
    "take_along", "add_along", "triangle", "one_hot_checked",
]  # fmt: skip


@cuda.jit
def _fill_kernel(out, value):
    # out[i] = value for every i of the flat array out
    start, step = cuda.grid(1), cuda.gridsize(1)
    for i in range(start, out.size, step):
        out[i] = value


@cuda.jit
def _copy_kernel(x, out):
    # out[i] = x[i] over flat arrays, converting to out's dtype (C casts, like a.to(dtype))
    start, step = cuda.grid(1), cuda.gridsize(1)
    for i in range(start, out.size, step):
        out[i] = x[i]


@cuda.jit
def _nonzero_kernel(x, out):
    # out[i] = x[i] != 0 (a cast to bool)
    start, step = cuda.grid(1), cuda.gridsize(1)
    for i in range(start, out.size, step):
        out[i] = x[i] != 0


@cuda.jit(device=True)
def _strided(i, shape, strides, offset):
    # the element index of flat (C-order) position i of the view (shape, strides, offset)
    k = offset
    for d in range(len(shape) - 1, -1, -1):
        q = i // shape[d]
        k += (i - q * shape[d]) * strides[d]
        i = q
    return k


@cuda.jit
def _gather_kernel(base, shape, strides, offset, out):
    # out.flat[i] = base[view index of i]; shape/strides are tuples in elements (strides may be
    # 0 or negative)
    start, step = cuda.grid(1), cuda.gridsize(1)
    for i in range(start, out.size, step):
        out[i] = base[_strided(i, shape, strides, offset)]


@cuda.jit
def _scatter_kernel(src, shape, strides, offset, base):
    # base[view index of i] = src.flat[i]: gather's inverse (the view must not overlap itself,
    # or two threads would write one element)
    start, step = cuda.grid(1), cuda.gridsize(1)
    for i in range(start, src.size, step):
        base[_strided(i, shape, strides, offset)] = src[i]


@cuda.jit
def _onehot_kernel(t, ignore, c, out):
    # out[i * c + t[i]] = 1 for each row i whose target t[i] is not ignore (out zeroed)
    start, step = cuda.grid(1), cuda.gridsize(1)
    for i in range(start, t.size, step):
        if t[i] != ignore:
            out[i * c + t[i]] = 1


@cuda.jit
def _onehot_checked_kernel(t, c, out, flag):
    # out[i * c + t[i]] = 1 (out zeroed); a class outside [0, c) sets flag[0] instead
    start, step = cuda.grid(1), cuda.gridsize(1)
    for i in range(start, t.size, step):
        r = t[i]
        if 0 <= r < c:
            out[i * c + r] = 1
        else:
            flag[0] = 1


def _launch(kernel: Any, n: int, *args: Any) -> None:
    if n:
        grid, threads = elementwise_grid(n)
        kernel[grid, threads](*args)


def fill(out: Any, value: Any) -> Any:
    """Set every element of the contiguous device array ``out`` to ``value``; returns ``out``."""
    contiguous(out, "fill")
    _launch(_fill_kernel, out.size, view(out, out.size), np.dtype(out.dtype).type(value))
    return out


def copy(x: Any, out: Any = None) -> Any:
    """A contiguous copy of the contiguous device array ``x`` (or written into ``out``)."""
    contiguous(x, "copy")
    out = check_out(out, tuple(x.shape), x.dtype, "copy")
    _launch(_copy_kernel, x.size, view(x, x.size), view(out, x.size))
    return out


def gather(
    base: Any, shape: tuple[int, ...], strides: tuple[int, ...], offset: int = 0, out: Any = None
) -> Any:
    """The view ``(shape, strides, offset)`` (in elements) of the 1-D device buffer ``base``
    as a new C-contiguous device array (or written into ``out``): ``x.contiguous()``.

    Offsets are 64-bit; the caller guarantees the view lies inside ``base``.
    """
    shape = tuple(int(s) for s in shape)
    strides = tuple(int(s) for s in strides)
    if len(shape) != len(strides):
        raise ValueError(f"gather: shape {shape} and strides {strides} differ in length")
    out = check_out(out, shape, base.dtype, "gather")
    n = prod(shape)
    # a 0-d view is a 1-element 1-D one (a kernel cannot index an empty tuple)
    sh, st = (shape, strides) if shape else ((1,), (0,))
    _launch(_gather_kernel, n, base, sh, st, int(offset), view(out, n))
    return out


def scatter(
    src: Any, base: Any, shape: tuple[int, ...], strides: tuple[int, ...], offset: int = 0
) -> Any:
    """Write the contiguous device array ``src`` (of ``shape``) into the view ``(shape,
    strides, offset)`` of the 1-D device buffer ``base``; returns ``base``. The inverse of
    :func:`gather` (a view's gradient written back into its base); the view must not overlap
    itself (no stride 0 over a dimension longer than 1)."""
    shape = tuple(int(s) for s in shape)
    strides = tuple(int(s) for s in strides)
    if len(shape) != len(strides) or src.size != prod(shape):
        raise ValueError(f"scatter: src {tuple(src.shape)}, shape {shape}, strides {strides}")
    if any(st == 0 and n > 1 for n, st in zip(shape, strides, strict=True)):
        raise ValueError("scatter: the view overlaps itself (a stride 0 dimension)")
    contiguous(src, "scatter")
    n = prod(shape)
    sh, st = (shape, strides) if shape else ((1,), (0,))
    _launch(_scatter_kernel, n, view(src, n), sh, st, int(offset), base)
    return base


def cast(x: Any, dtype: Any, out: Any = None) -> Any:
    """``x.to(dtype)`` for a contiguous device array: C conversions (floats to ints truncate
    toward zero), ``x != 0`` for bool."""
    contiguous(x, "cast")
    dt = np.dtype(dtype)
    out = check_out(out, tuple(x.shape), dt, "cast")
    kernel = _nonzero_kernel if dt == np.bool_ else _copy_kernel
    _launch(kernel, x.size, view(x, x.size), view(out, x.size))
    return out


def one_hot_checked(t: Any, c: int, out: Any, flag: Any) -> Any:
    """``F.one_hot(t, c)`` into the zeroed contiguous ``(t.size, c)`` ``out`` (flat int64
    ``t``); a class out of range sets ``flag[0]``. Returns ``out``."""
    contiguous(out, "one_hot")
    _launch(_onehot_checked_kernel, t.size, t, c, view(out, out.size), flag)
    return out


def one_hot(t: Any, c: int, ignore: int, out: Any) -> Any:
    """Set ``out[i, t[i]] = 1`` in the zeroed, contiguous ``(len(t), c)`` device array ``out``
    for every row whose target is not ``ignore`` (targets already checked in range); returns
    ``out``."""
    contiguous(out, "one_hot")
    _launch(_onehot_kernel, t.size, t, ignore, c, view(out, out.size))
    return out


@cuda.jit
def _gather_rows_kernel(w, idx, n, d, out, flag):
    # out[i, j] = w[idx[i], j] over the flat (len(idx) * d) output, a negative index counted
    # from the end; one outside [-n, n) sets flag[0] (read at the next synchronization)
    start, step = cuda.grid(1), cuda.gridsize(1)
    for k in range(start, out.size, step):
        i = k // d
        r = idx[i]
        if r < 0:
            r += n
        if r < 0 or r >= n:
            flag[0] = 1
            r = 0
        out[k] = w[r * d + (k - i * d)]


@cuda.jit
def _add_rows_kernel(g, idx, n, d, pad, out):
    # out[idx[i], j] += g[i, j] for i in order, one thread per column j: no atomics, and the
    # sums are added in the CPU's order (bitwise its result); row pad gets nothing
    start, step = cuda.grid(1), cuda.gridsize(1)
    for j in range(start, d, step):
        for i in range(idx.size):
            r = idx[i]
            if r < 0:
                r += n
            if r != pad and 0 <= r < n:
                out[r * d + j] += g[i * d + j]


def gather_rows(w: Any, idx: Any, out: Any, flag: Any) -> Any:
    """``out[i] = w[idx[i]]`` for the contiguous ``(n, d)`` device array ``w``, the flat
    int64 ``idx`` and the contiguous ``(len(idx), d)`` ``out`` (an embedding lookup); an
    index out of range sets ``flag[0]``. Returns ``out``."""
    contiguous(w, "gather_rows")
    contiguous(out, "gather_rows")
    n, d = w.shape
    _launch(_gather_rows_kernel, out.size, view(w, w.size), idx, n, d, view(out, out.size), flag)
    return out


def add_rows(g: Any, idx: Any, pad: int, out: Any) -> Any:
    """``out[idx[i]] += g[i]`` for every ``i`` except rows ``pad`` (an embedding's weight
    gradient) into the zeroed contiguous ``(n, d)`` ``out``; returns ``out``."""
    contiguous(g, "add_rows")
    contiguous(out, "add_rows")
    n, d = out.shape
    _launch(_add_rows_kernel, d, view(g, g.size), idx, n, d, pad, view(out, out.size))
    return out


@cuda.jit
def _take_along_kernel(x, idx, n, m, inner, shared, wrap, out, flag):
    # out[o, j, i] = x[o, r, i] over the flat (outer, m, inner) out and the flat (outer, n,
    # inner) x, with r = idx[j] (shared: one index per j) or idx[o, j, i]; a negative r counts
    # from the end where wrap; one outside [0, n) then sets flag[0] (read at the next
    # synchronization) and reads position 0
    start, step = cuda.grid(1), cuda.gridsize(1)
    for k in range(start, out.size, step):
        o = k // (m * inner)
        r = idx[(k // inner) % m] if shared else idx[k]
        if wrap and r < 0:
            r += n
        if r < 0 or r >= n:
            flag[0] = 1
            r = 0
        out[k] = x[(o * n + r) * inner + k % inner]


@cuda.jit
def _add_along_kernel(g, idx, n, m, inner, shared, op, out):
    # out[o, r, i] += g[o, j, i] for j in order (op: ADD; ASSIGN =, MUL *=, AMAX/AMIN the
    # larger/smaller, NaN winning), r as in _take_along_kernel (negative: from the end), one
    # thread per (o, i): no atomics, the CPU's order of the sums (assign: the last write
    # wins, as the CPU's); indices outside [-n, n) add nothing
    start, step = cuda.grid(1), cuda.gridsize(1)
    for t in range(start, g.size // m if m else 0, step):
        o = t // inner
        i = t - o * inner
        for j in range(m):
            k = (o * m + j) * inner + i
            r = idx[j] if shared else idx[k]
            if r < 0:
                r += n
            if 0 <= r < n:
                q = (o * n + r) * inner + i
                v = g[k]
                if op == 0:
                    out[q] += v
                elif op == 1:
                    out[q] = v
                elif op == 2:
                    out[q] *= v
                elif op == 3:
                    if v > out[q] or v != v:
                        out[q] = v
                elif v < out[q] or v != v:
                    out[q] = v


def take_along(
    x: Any, idx: Any, n: int, inner: int, out: Any, flag: Any, shared: bool, wrap: bool
) -> Any:
    """``out[o, j, i] = x[o, r, i]`` for contiguous device arrays ``x`` of ``(outer, n,
    inner)`` elements and ``out`` of ``(outer, m, inner)``, with ``r`` the int64 ``idx[o, j,
    i]`` (``torch.gather`` along the middle axis) or, ``shared``, ``idx[j]``
    (``index_select``, ``x[idx]``; negative indices from the end where ``wrap``). An index
    out of range sets ``flag[0]``."""
    contiguous(x, "take_along")
    contiguous(out, "take_along")
    m = _middle(out.size, x.size, n, inner)
    _launch(_take_along_kernel, out.size, view(x, x.size), view(idx, idx.size), n, m, inner,
            shared, wrap, view(out, out.size), flag)  # fmt: skip
    return out


#: :func:`add_along`'s folds (plain ints: the kernel branches on them)
ADD, ASSIGN, MUL, AMAX, AMIN = 0, 1, 2, 3, 4


def add_along(
    g: Any, idx: Any, n: int, inner: int, out: Any, shared: bool = False, assign: bool = False,
    op: int = ADD,
) -> Any:  # fmt: skip
    """``out[o, r, i] += g[o, j, i]`` into the contiguous ``(outer, n, inner)`` ``out``
    (``g`` contiguous, ``(outer, m, inner)``; ``r`` from the int64 ``idx`` as in
    :func:`take_along`): the gradient of those reads, and with ``m == 1`` a value selected
    along a dim put back (``max(x, dim)``'s); ``assign``: ``=`` (``scatter``'s); ``op``:
    another fold (``MUL``, ``AMAX``, ``AMIN``: ``scatter_reduce``'s). Returns ``out``."""
    contiguous(g, "add_along")
    contiguous(out, "add_along")
    m = _middle(g.size, out.size, n, inner)
    _launch(_add_along_kernel, g.size // m if m else 0, view(g, g.size), view(idx, idx.size),
            n, m, inner, shared, ASSIGN if assign else op, view(out, out.size))  # fmt: skip
    return out


def _middle(size: int, full: int, n: int, inner: int) -> int:
    """The middle extent ``m`` of an ``(outer, m, inner)`` array of ``size`` elements beside
    an ``(outer, n, inner)`` one of ``full`` elements."""
    outer = full // (n * inner) if n * inner else 0
    return size // (outer * inner) if outer * inner else 0


@cuda.jit
def _triangle_kernel(x, rows, cols, k, upper, out):
    # out[..., r, c] = x[..., r, c] where c - r >= k (upper) or c - r <= k (lower), else 0
    start, step = cuda.grid(1), cuda.gridsize(1)
    for i in range(start, out.size, step):
        c = i % cols
        r = (i // cols) % rows
        if c - r >= k if upper else c - r <= k:
            out[i] = x[i]
        else:
            out[i] = 0  # (a store of 0, no mixed-type select: float32 stays float32)


def triangle(x: Any, k: int, upper: bool, out: Any = None) -> Any:
    """``triu(x, k)`` / ``tril(x, k)`` of the contiguous device array ``x`` (at least 2-D,
    over its last two axes) as a new contiguous array (or written into ``out``)."""
    contiguous(x, "triangle")
    out = check_out(out, tuple(x.shape), x.dtype, "triangle")
    rows, cols = x.shape[x.ndim - 2], x.shape[x.ndim - 1]  # (the simulator: no negative index)
    _launch(_triangle_kernel, x.size, view(x, x.size), rows, cols, k, upper, view(out, x.size))
    return out
