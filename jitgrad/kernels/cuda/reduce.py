"""Deterministic parallel reductions on the device: sum, mean, amax, amin, sum_to_shape.

Two building blocks, both a fixed tree in shared memory with no atomics:

- :func:`_rows_kernel` reduces the last axis of an ``(M, N)`` array, one block per row (or per
  chunk of a long row). Thread ``t`` first folds elements ``t, t + T, t + 2T, ...`` in order,
  then the block folds the ``T`` per-thread values pairwise (``t`` with ``t + T/2``, halving).
- :func:`_cols_kernel` reduces the middle axis of an ``(A, R, B)`` array: a block is 32
  columns by up to 8 row lanes (a warp reads 32 neighbouring columns, so loads coalesce), each
  lane folds every 8th row of its chunk, then the lanes are folded pairwise.

When a reduction has too few outputs to fill the GPU, the reduced axis is cut into chunks whose
partial results go to a scratch array that a second launch reduces the same way. Chunk counts,
block sizes and tree shapes depend on the array's shape only, so a result is bitwise the same
run to run (PyTorch's GPU sum is too, except where it uses atomics). Any set of axes is reduced
as a sequence of such passes over contiguous runs of axes (:func:`plan`), last run first.

float32 accumulates in float32, as PyTorch's GPU sum does: the per-thread runs are short and the
rest is a balanced tree, so the error grows like ``log2(n)`` rather than ``n``, and keeping
float32 halves registers and shared memory. Max and min propagate NaN as PyTorch does: a NaN
wins every comparison. Integer and bool sums run in int64 (PyTorch's result dtype, exact);
the fold kernels carry no division, so they serve integers too, and ``mean`` divides the folded
output in place with one small elementwise launch.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numba import cuda

from .common import (
    FLOATS,
    LAUNCH_THREADS,
    MAX,
    MAX_BLOCKS,
    MAX_THREADS,
    MIN,
    SUM,
    block_fold,
    blocks,
    combine,
    contiguous,
    elementwise_grid,
    empty,
    pow2_threads,
    prod,
    view,
)
from .memory import cast, copy, fill

#: Column kernel block: COL_X columns (a warp's worth) by at most COL_Y row lanes.
COL_X, COL_Y = 32, 8
#: Below this many blocks a reduction splits its reduced axis into chunks (two passes).
TARGET_BLOCKS = 512
#: Shortest chunk of a row (elements) and of a column (rows) worth a block of its own.
ROW_CHUNK, COL_CHUNK = 4096, 256
_OPS = {"sum": (SUM, 0.0), "mean": (SUM, 0.0), "amax": (MAX, -math.inf), "amin": (MIN, math.inf)}

__all__ = ["reduce", "sum", "mean", "amax", "amin", "sum_to_shape", "norm_axes", "plan"]


@cuda.jit
def _rows_kernel(x, out, op, ident, chunks):
    # x (M, N); out (M * chunks,): out[r*chunks + c] = fold of x[r, c*L : (c+1)*L],
    # L = ceil(N / chunks). blockDim.x a power of two.
    sm = cuda.shared.array(MAX_THREADS, x.dtype)
    t = cuda.threadIdx.x
    nt = cuda.blockDim.x
    m, n = x.shape
    span = (n + chunks - 1) // chunks
    for b in range(cuda.blockIdx.x, m * chunks, cuda.gridDim.x):
        r = b // chunks
        lo = (b - r * chunks) * span
        hi = lo + span if lo + span < n else n  # no min(): see common.py
        acc = ident
        for j in range(lo + t, hi, nt):
            acc = combine(acc, x[r, j], op)
        v = block_fold(sm, acc, op)
        if t == 0:
            out[b] = v


@cuda.jit
def _cols_kernel(x, out, op, ident):
    # x (A, R, B); out (A, C, B): out[a, c, k] = fold of x[a, c*L : (c+1)*L, k], L = ceil(R/C).
    # Block (bx <= COL_X, by <= COL_Y), by a power of two; blockIdx.y is the chunk c.
    sm = cuda.shared.array((COL_Y, COL_X), x.dtype)
    tx = cuda.threadIdx.x
    ty = cuda.threadIdx.y
    nx = cuda.blockDim.x
    ny = cuda.blockDim.y
    na, nr, nb = x.shape
    chunks = out.shape[1]
    c = cuda.blockIdx.y
    span = (nr + chunks - 1) // chunks
    lo = c * span
    hi = lo + span if lo + span < nr else nr
    tiles = (nb + nx - 1) // nx
    for tile in range(cuda.blockIdx.x, na * tiles, cuda.gridDim.x):
        a = tile // tiles
        k = (tile - a * tiles) * nx + tx
        acc = ident
        if k < nb:
            for r in range(lo + ty, hi, ny):
                acc = combine(acc, x[a, r, k], op)
        sm[ty, tx] = acc
        cuda.syncthreads()
        s = ny // 2
        while s > 0:
            if ty < s:
                sm[ty, tx] = combine(sm[ty, tx], sm[ty + s, tx], op)
            cuda.syncthreads()
            s //= 2
        if ty == 0 and k < nb:
            out[a, c, k] = sm[0, tx]
        cuda.syncthreads()


@cuda.jit
def _div_kernel(out, div):
    # out[i] /= div (the mean's last step, over the small reduced output)
    start, step = cuda.grid(1), cuda.gridsize(1)
    for i in range(start, out.size, step):
        out[i] = out[i] / div


def _reduce_rows(x2: Any, op: int, ident: Any, chunk: int = ROW_CHUNK) -> Any:
    """Fold the last axis of the contiguous ``(M, N)`` device array ``x2`` -> ``(M,)``."""
    m, n = x2.shape
    chunks = 1
    if n > chunk and m < TARGET_BLOCKS:
        chunks = min(-(-n // chunk), max(1, TARGET_BLOCKS // m))
    out = empty((m * chunks,), x2.dtype)
    if m == 0:
        return out
    _rows_kernel[blocks(m * chunks), pow2_threads(min(n, chunk))](x2, out, op, ident, chunks)
    if chunks == 1:
        return out
    return _reduce_rows(view(out, m, chunks), op, ident, chunk)


def _reduce_cols(x3: Any, op: int, ident: Any, chunk: int = COL_CHUNK) -> Any:
    """Fold the middle axis of the contiguous ``(A, R, B)`` device array ``x3`` -> ``(A, B)``."""
    na, nr, nb = x3.shape
    by = pow2_threads(min(nr, chunk), COL_Y)
    bx = pow2_threads(nb, min(COL_X, LAUNCH_THREADS // by))  # (COL_X but in the simulator)
    tiles = na * (-(-nb // bx))
    chunks = 1
    if nr > chunk and tiles < TARGET_BLOCKS:
        chunks = min(-(-nr // chunk), max(1, TARGET_BLOCKS // tiles), MAX_BLOCKS)
    out = empty((na, chunks, nb), x3.dtype)
    if tiles == 0:
        return view(out, na, nb)
    grid = (blocks(tiles), chunks)
    _cols_kernel[grid, (bx, by)](x3, out, op, ident)
    if chunks == 1:
        return view(out, na, nb)
    return _reduce_cols(out, op, ident, chunk)


def norm_axes(ndim: int, axes: Any, op: str = "sum") -> tuple[int, ...]:
    """``axes`` (None, an int or a sequence; None or ``()`` mean every axis, as PyTorch's
    ``dim=()``) as sorted non-negative ints, with PyTorch's errors for bad ones."""
    if axes is None:
        return tuple(range(ndim))
    if isinstance(axes, (int, np.integer)):
        axes = (axes,)
    axes = tuple(int(a) for a in axes)
    if not axes:
        return tuple(range(ndim))
    lo, hi = (-ndim, ndim - 1) if ndim else (-1, 0)
    out: list[int] = []
    for a in axes:
        if not lo <= a <= hi:
            raise IndexError(
                f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got {a})"
            )
        a = a % max(ndim, 1)
        if a in out:
            raise RuntimeError(f"dim {a} appears multiple times in the list of dims")
        out.append(a)
    return tuple(sorted(out)) if ndim else ()


def plan(shape: tuple[int, ...], axes: tuple[int, ...]) -> list[tuple[int, int, int]]:
    """The ``(A, R, B)`` passes that reduce ``axes`` of a contiguous array of ``shape``.

    Axes of size 1 are dropped and neighbouring axes of the same kind merged, so the shape
    alternates kept and reduced runs; each pass removes the last reduced run. ``(A, R, B)``
    with ``B == 1`` is a row reduction, otherwise a column reduction. For example a (2, 3, 4)
    array reduced over axes (0, 2) takes ``[(6, 4, 1), (1, 2, 3)]``.
    """
    runs: list[list[Any]] = []  # [size, reduced]
    for i, s in enumerate(shape):
        if s == 1:
            continue
        red = i in axes
        if runs and runs[-1][1] == red:
            runs[-1][0] *= s
        else:
            runs.append([s, red])
    passes = []
    while any(red for _, red in runs):
        g = max(i for i, (_, red) in enumerate(runs) if red)
        passes.append((prod(s for s, _ in runs[:g]), runs[g][0], prod(s for s, _ in runs[g + 1 :])))
        del runs[g]
        if 0 < g < len(runs) and not runs[g - 1][1] and not runs[g][1]:
            runs[g - 1][0] *= runs[g][0]
            del runs[g]
    return passes


def reduce(x: Any, axes: Any = None, op: str = "sum", keepdim: bool = False) -> Any:
    """Reduce ``axes`` of the contiguous device array ``x`` with ``op`` (``"sum"``,
    ``"mean"``, ``"amax"`` or ``"amin"``); a new device array of the reduced shape.

    ``axes=None`` or ``()`` reduces every axis (PyTorch's ``dim=()``). Dtypes as PyTorch:
    float32/float64 keep theirs; integer and bool sums are int64; amax/amin keep an integer
    dtype; mean needs a float. An empty reduction gives 0 for sum, NaN for mean and PyTorch's
    IndexError for amax/amin.
    """
    contiguous(x, op)
    x, final_dtype = _operand(x, op)
    dt = np.dtype(x.dtype)
    code, ident_f = _OPS[op]
    shape = tuple(x.shape)
    red = norm_axes(len(shape), axes, op)
    out_shape = tuple(1 if i in red else s for i, s in enumerate(shape))
    final = out_shape if keepdim else tuple(s for i, s in enumerate(shape) if i not in red)
    count = prod(shape[i] for i in red)
    if count == 0 and code != SUM:
        raise IndexError(
            f"{op}(): Expected reduction dim {red[0]} to have non-zero size."
            if red
            else f"{op}(): Expected reduction dim to be specified for input.numel() == 0."
        )
    if x.size == 0 or count == 0:
        out = fill(empty(final, dt), math.nan if op == "mean" and count == 0 else 0)
        return cast(out, final_dtype) if final_dtype != dt else out
    if dt.kind == "f":
        ident = dt.type(ident_f)
    else:
        info = np.iinfo(dt)
        ident = dt.type({SUM: 0, MAX: info.min, MIN: info.max}[code])
    cur = view(x, x.size)
    passes = plan(shape, red)
    if not passes:  # only size-1 axes reduced: a copy (the mean of one element is itself)
        cur = copy(cur)
    for a, r, b in passes:
        if b == 1:
            cur = _reduce_rows(view(cur, a, r), code, ident)
        else:
            cur = _reduce_cols(view(cur, a, r, b), code, ident)
    if op == "mean" and passes:
        grid, threads = elementwise_grid(cur.size)
        _div_kernel[grid, threads](view(cur, cur.size), dt.type(count))
    if final_dtype != dt:
        cur = cast(view(cur, cur.size), final_dtype)
    return view(cur, final) if final else view(cur, ())


_TORCH_NAMES = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char",
                "uint8": "Byte", "bool": "Bool"}  # fmt: skip


def _operand(x: Any, op: str) -> tuple[Any, np.dtype]:
    """What the kernels reduce (float, or an integer dtype) and the result's dtype."""
    dt = np.dtype(x.dtype)
    if dt in FLOATS:
        return x, dt
    if dt.kind not in "biu":
        raise TypeError(f"{op}: CUDA kernel does not support dtype {dt}")
    if op == "mean":
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating "
            f"point or complex dtype. Got: {_TORCH_NAMES.get(dt.name, dt.name)}"
        )
    if op == "sum":  # PyTorch sums integers and bools in int64
        return (x if dt == np.int64 else cast(x, np.int64)), np.dtype(np.int64)
    if dt == np.bool_:  # amax/amin of bools: any/all, via uint8
        return cast(x, np.uint8), dt
    return x, dt


def sum(x: Any, axes: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    """``x.sum(axes, keepdim)`` on the device (deterministic; see the module docstring)."""
    return reduce(x, axes, "sum", keepdim)


def mean(x: Any, axes: Any = None, keepdim: bool = False) -> Any:
    """``x.mean(axes, keepdim)``: the sum, divided by the reduced element count in place."""
    return reduce(x, axes, "mean", keepdim)


def amax(x: Any, axes: Any = None, keepdim: bool = False) -> Any:
    """``x.amax(axes, keepdim)`` with NaN propagation."""
    return reduce(x, axes, "amax", keepdim)


def amin(x: Any, axes: Any = None, keepdim: bool = False) -> Any:
    """``x.amin(axes, keepdim)`` with NaN propagation."""
    return reduce(x, axes, "amin", keepdim)


def sum_to_shape(grad: Any, shape: tuple[int, ...]) -> Any:
    """Sum a broadcast gradient down to an operand's ``shape`` (leading axes and axes where
    ``shape`` has 1 are summed); ``grad`` itself when the shapes already match."""
    gshape = tuple(grad.shape)
    shape = tuple(int(s) for s in shape)
    if gshape == shape:
        return grad
    lead = len(gshape) - len(shape)
    if lead < 0 or any(s not in (1, g) for s, g in zip(shape, gshape[lead:], strict=True)):
        raise RuntimeError(f"sum_to_shape: shape {gshape} cannot be summed to {shape}")
    axes = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(shape) if s == 1 and gshape[lead + i] != 1
    )
    if not axes:
        return view(grad, shape) if shape else view(grad, ())
    if np.dtype(grad.dtype).kind == "c":  # complex: each part summed as a real array
        out = _sum_parts(grad, axes)
    else:
        out = reduce(grad, axes, "sum", keepdim=True)
    return view(out, shape) if shape else view(out, ())


def _sum_parts(grad: Any, axes: tuple) -> Any:
    """The keepdim sum over ``axes`` of a C-contiguous complex array: its real and imaginary
    parts side by side, an (..., 2) real array reduced by the real kernels (the same tree,
    so the same bits as a real gradient's), viewed back as complex."""
    cdt = np.dtype(grad.dtype)
    parts = grad.view(np.float32 if cdt == np.complex64 else np.float64)
    parts = parts.reshape((*tuple(grad.shape), 2))
    out = reduce(parts, axes, "sum", keepdim=True)  # (..., 2), contiguous
    return out.view(cdt).reshape(tuple(out.shape[:-1]))
