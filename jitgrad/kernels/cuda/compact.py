"""Stream compaction with block-wide prefix sums: running sums, ``masked_select``'s
compaction and ``nonzero``'s coordinates.

The flat input is cut into chunks of :data:`CHUNK` elements, one block per chunk (blocks loop
over chunks with a grid stride). Thread ``t`` of a block of ``T`` threads owns the ``CHUNK /
T`` consecutive elements from ``t * CHUNK / T`` (one element each on a GPU, where ``T ==
CHUNK``: the reads are coalesced); a chunk's threads combine their counts with
:func:`~.common.block_fold` (a fixed tree) or :func:`~.common.block_scan` (Hillis-Steele in
shared memory), both synchronizing with barriers only (no warp votes), so a chunk's
elements are counted and written in parallel where session 17's kernels walked each chunk
with one thread. Three passes (no single-pass look-back scan):

1. per-chunk counts (:func:`_block_sums`);
2. their running sum (:func:`running_sum`: the same blocking again on the counts, recursively,
   so every level is parallel);
3. each block writes its chunk's selected elements, thread ``t`` from the chunk's offset plus
   the block's exclusive prefix of the counts before it: the output is in input order.

Integer sums: the results do not depend on the blocking. The total is read back once (the
size of the result: one synchronization, as PyTorch's ``masked_select`` and ``nonzero``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import cuda

from .common import (
    LAUNCH_BLOCKS,
    LAUNCH_THREADS,
    MAX_THREADS,
    SUM,
    block_fold,
    block_scan,
    empty,
    view,
)

__all__ = ["compact", "nonzero", "running_sum", "CHUNK"]

#: Elements per block (a power of two, at most ``MAX_THREADS`` threads work on one)
CHUNK = 256


@cuda.jit(device=True, inline=True)
def _span(c, chunk, n):
    # the [lo, hi) elements of chunk c this thread owns (empty past n)
    per = chunk // cuda.blockDim.x
    lo = c * chunk + cuda.threadIdx.x * per
    hi = lo + per if lo + per < n else n
    return lo, hi


@cuda.jit
def _block_sums(v, sums, chunk):
    # sums[c] = the sum of chunk c of v (a set bool counts 1)
    sm = cuda.shared.array(MAX_THREADS, np.int64)
    c = cuda.blockIdx.x
    while c < sums.size:
        lo, hi = _span(c, chunk, v.size)
        s = 0
        for i in range(lo, hi):
            s += v[i]
        s = block_fold(sm, s, SUM)
        if cuda.threadIdx.x == 0:
            sums[c] = s
        c += cuda.gridDim.x


@cuda.jit
def _block_scan_kernel(v, ends, chunks, chunk, out):
    # out: v's inclusive running sum (int64); chunk c starts after ends[c - 1] (the running
    # sum of the chunks' sums; not read when there is one chunk)
    sm = cuda.shared.array(MAX_THREADS, np.int64)
    c = cuda.blockIdx.x
    while c < chunks:
        lo, hi = _span(c, chunk, v.size)
        s = 0
        for i in range(lo, hi):
            s += v[i]
        acc = block_scan(sm, s) - s
        if c > 0:
            acc += ends[c - 1]
        for i in range(lo, hi):
            acc += v[i]
            out[i] = acc
        c += cuda.gridDim.x


@cuda.jit(device=True, inline=True)
def _first_slot(sm, mask, lo, hi, ends, c):
    """Where this thread's first set element of ``mask[lo:hi]`` goes: the set elements of
    the threads before it in chunk ``c`` (a block-wide scan, every thread of the block calls
    it), after the chunks before ``c`` (``ends[c - 1]``)."""
    s = 0
    for i in range(lo, hi):
        if mask[i]:
            s += 1
    k = block_scan(sm, s) - s
    if c > 0:
        k += ends[c - 1]
    return k


@cuda.jit
def _block_write(x, mask, ends, chunk, out, where):
    # chunk c writes x's elements where mask is set, and their positions, from ends[c - 1]
    sm = cuda.shared.array(MAX_THREADS, np.int64)
    c = cuda.blockIdx.x
    while c < ends.size:
        lo, hi = _span(c, chunk, mask.size)
        k = _first_slot(sm, mask, lo, hi, ends, c)
        for i in range(lo, hi):
            if mask[i]:
                out[k] = x[i]
                where[k] = i
                k += 1
        c += cuda.gridDim.x


@cuda.jit
def _block_coords(mask, ends, chunk, shape, out, by_dim):
    # out: (total, ndim) int64 (by_dim: (ndim, total)), the row-major coordinates of mask's
    # set elements, chunk c's from ends[c - 1]
    sm = cuda.shared.array(MAX_THREADS, np.int64)
    nd = len(shape)
    c = cuda.blockIdx.x
    while c < ends.size:
        lo, hi = _span(c, chunk, mask.size)
        k = _first_slot(sm, mask, lo, hi, ends, c)
        for i in range(lo, hi):
            if mask[i]:
                r = i
                for j in range(nd - 1, -1, -1):
                    if by_dim:
                        out[j, k] = r % shape[j]
                    else:
                        out[k, j] = r % shape[j]
                    r //= shape[j]
                k += 1
        c += cuda.gridDim.x


def _grid(chunks: int) -> tuple[int, int]:
    """(blocks, threads): a block per chunk (grid-strided), threads dividing :data:`CHUNK`."""
    return max(1, min(chunks, LAUNCH_BLOCKS)), min(LAUNCH_THREADS, CHUNK)


def _sums(v: Any, chunks: int) -> Any:
    sums = empty((chunks,), np.int64)
    grid, threads = _grid(chunks)
    _block_sums[grid, threads](v, sums, CHUNK)
    return sums


def running_sum(v: Any) -> Any:
    """The inclusive running sum of the 1-D int64 device array ``v``: per-chunk sums, their
    running sum (recursively), then each chunk's own from its offset, all blocks parallel."""
    n = v.size
    chunks = max(1, -(-n // CHUNK))
    ends = running_sum(_sums(v, chunks)) if chunks > 1 else v  # (one chunk: not read)
    out = empty((n,), np.int64)
    if n:
        grid, threads = _grid(chunks)
        _block_scan_kernel[grid, threads](v, ends, chunks, CHUNK, out)
    return out


def _counted(mask: Any) -> tuple:
    """``(flat mask, running sum of the per-chunk counts, total)`` for the bool device array
    ``mask``: the total read back (one synchronization)."""
    n = mask.size
    chunks = max(1, -(-n // CHUNK))
    ms = view(mask, n)
    ends = running_sum(_sums(ms, chunks))
    total = int(ends[chunks - 1 : chunks].copy_to_host()[0]) if n else 0
    return ms, ends, total


def compact(x: Any, mask: Any) -> tuple:
    """``(values, positions)``: the elements of flat contiguous ``x`` where the bool array
    ``mask`` (same size) is set, in order, and their flat positions (int64)."""
    ms, ends, total = _counted(mask)
    out = empty((total,), x.dtype)
    where = empty((total,), np.int64)
    if total:
        grid, threads = _grid(ends.size)
        _block_write[grid, threads](view(x, x.size), ms, ends, CHUNK, out, where)
    return out, where


def nonzero(mask: Any, shape: tuple, by_dim: bool = False) -> Any:
    """The int64 coordinates of the set elements of the flat contiguous bool device array
    ``mask`` seen at ``shape`` (1-D or more), one row each (``by_dim``: one row per dim), in
    row-major order. The count is read back once: the result's size."""
    ms, ends, total = _counted(mask)
    dims = tuple(int(s) for s in shape)
    out = empty((len(dims), total) if by_dim else (total, len(dims)), np.int64)
    if total:
        grid, threads = _grid(ends.size)
        _block_coords[grid, threads](ms, ends, CHUNK, dims, out, by_dim)
    return out
