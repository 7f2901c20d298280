"""The tape interpreter's sums of a row: in the order of the eager kernel that made the value,
so a replay's bits are eager's (issue 16 §1).

Compiled functions of their own that every interpreter loop calls, not inlined into each loop
(``inline="always"`` made every loop of a dtype, small or full, type and lower its own three
copies of them: ~1.4 CPU s of each loop's compile; compiled once per dtype and cached on disk
now: perf/RESULTS.md, Run captime19)."""

from __future__ import annotations

import numpy as np

from ..kernels.cpu import scalar as _k
from ..kernels.cpu.jit import cached_njit
from ..kernels.cpu.reduce_leaves import _pw_sum


@cached_njit(error_model="numpy", nogil=True)
def _blocked_sum(parts, block):
    """The sum a generated backward kernel makes of a broadcast operand's gradient
    (:func:`jitgrad.fusion.codegen._blocked_reduction`): each block of ``block`` summands
    (its ``REDUCE_BLOCK``, which the row carries: a constant baked in here would outlive a
    change there in the disk cache), stored in a fresh array of their dtype, is summed by
    ``lanes_sum`` (its 64-lane order), and the block sums are added in order in float64."""
    acc = np.float64(0)
    n = parts.shape[0]
    for lo in range(0, n, block):
        hi = min(lo + block, n)
        blk = np.empty(hi - lo, parts.dtype)
        for i in range(hi - lo):
            blk[i] = parts[lo + i]
        acc += _k.lanes_sum(blk, np.empty(_k.LANES, parts.dtype), np.float64(0))
    return acc


@cached_njit(error_model="numpy", nogil=True)
def _row_sum(arena, x, n, block, zero, stack):
    """The reduction kernel's pairwise sum (block 0) or a chain kernel's epilogue's (narrowed)."""
    if block == 0:
        return _pw_sum(arena, x, n, zero, stack)
    return zero + arena.dtype.type(_blocked_sum(arena[x : x + n], block))


def blocked_total(values: np.ndarray, block: int) -> float:
    """:func:`_blocked_sum` in numpy (no compile at trace time), bit for bit: per block the
    64 lanes add its rows in order (one vector add per row, across all blocks), then
    ``fold_sum``'s halving; the blocks' sums (float64) are added in order."""
    x = np.ascontiguousarray(values).reshape(-1)
    full = x.size - x.size % block
    parts = _lane_sums(x[:full].reshape(-1, block // _k.LANES, _k.LANES))
    if full < x.size:
        tail = x[full:]
        rows = tail.size // _k.LANES
        lanes = _lane_sums(tail[: rows * _k.LANES].reshape(1, rows, _k.LANES), fold=False)[0]
        lanes[: tail.size - rows * _k.LANES] += tail[rows * _k.LANES :]
        parts = [*parts, _fold(lanes[None, : min(tail.size, _k.LANES)])[0]]
    acc = 0.0
    for p in parts:
        acc += float(p)
    return acc


def _lane_sums(blocks: np.ndarray, fold: bool = True) -> np.ndarray:
    lanes = np.zeros((blocks.shape[0], blocks.shape[2]), blocks.dtype)
    for j in range(blocks.shape[1]):
        lanes += blocks[:, j]
    return _fold(lanes) if fold else lanes


def _fold(lanes: np.ndarray) -> np.ndarray:
    n = lanes.shape[1]
    while n > 1:
        k = n - n // 2
        lanes[:, : n - k] += lanes[:, k:n]
        n = k
    return lanes[:, 0].astype(np.float64) if n else np.zeros(lanes.shape[0])
