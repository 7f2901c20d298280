"""Numba kernels behind nn.functional's fused ops: linear's bias, cross-entropy, nll_loss,
embedding.

Layout contract: 2-D arrays are C-contiguous ``(rows, classes)``; outputs are preallocated by
the caller; every float constant is cast to the array's dtype so float32 stays float32.
``error_model="numpy"``: float division by zero gives inf/nan (PyTorch's result), and loops
vectorize.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange, types
from numba.extending import overload

from .. import helpers
from ..kernels.cpu.fastmath import exp32, exp64

_JIT = {"cache": True, "error_model": "numpy"}


@njit(**_JIT)
def bias_add_rows(out, b):
    # out[i, j] += b[j]   (out: (N, F) C-contiguous, b: (F,))
    n, f = out.shape
    for i in range(n):
        for j in range(f):
            out[i, j] += b[j]


@njit(**_JIT)
def col_sum(g, out):
    # out[j] = sum_i g[i, j]   (g: (N, F), out: (F,)); rows streamed, columns vectorized
    n, f = g.shape
    for j in range(f):
        out[j] = 0
    for i in range(n):
        for j in range(f):
            out[j] += g[i, j]


# ---- row kernels: cross-entropy -------------------------------------------------------
# Each op has a row function (rows lo..hi, serial), a serial driver and a ``*_par`` driver that
# runs the same row function on chunks of rows under ``prange``; :func:`pick` chooses by size.
# Per-row work only, so the two variants give the same bits whatever the thread count.


def fast_exp(x):  # pragma: no cover - Numba compiles the overload below instead
    """exp via fastmath's vectorizable exp32/exp64 (libm's scalar exp blocks vectorization)."""
    raise NotImplementedError


@overload(fast_exp, inline="always")
def _fast_exp_impl(x):
    if x == types.float32:
        return lambda x: exp32(x)
    if x == types.float64:
        return lambda x: exp64(x)
    return None


# Reductions over one row get their own functions so that only they carry ``reassoc`` (LLVM
# then keeps several SIMD accumulators); fastmath's exp must never be compiled with it.
@njit(**_JIT, fastmath={"reassoc"})
def _row_sum(xs):
    s = xs.dtype.type(0)
    for j in range(xs.shape[0]):
        s += xs[j]
    return s


@njit(**_JIT)
def _row_max(xs):
    # max of a non-empty row; a NaN may be skipped here but reaches the sum of exps anyway
    m = xs[0]
    for j in range(1, xs.shape[0]):
        v = xs[j]
        m = v if v > m else m
    return m


#: Rows per parallel chunk at most.
ROW_CHUNK = 64


@njit(**_JIT)
def _chunk_rows(n):
    # Rows per chunk: at least 8 chunks when n allows, to feed the threads.
    return max(1, min(ROW_CHUNK, (n + 7) // 8))


@njit(**_JIT)
def count_targets(target, ignore_index, c):
    # Rows whose target is not ignore_index, or -1-i if row i's target is outside [0, c).
    counted = 0
    for i in range(target.shape[0]):
        t = target[i]
        if t == ignore_index:
            continue
        if t < 0 or t >= c:
            return -1 - i
        counted += 1
    return counted


@njit(**_JIT)
def _ce_fwd_rows(x, target, ignore_index, smoothing, lse, loss, lo, hi):
    # lse[i] = logsumexp(x[i]); loss[i] = (1-s)(lse - x[i,t]) + s/C sum_j (lse - x[i,j]);
    # 0 where the target is ignore_index. Targets already checked by count_targets.
    c = x.shape[1]
    T = x.dtype.type
    keep = T(1) - T(smoothing)
    share = T(smoothing) / T(c)
    exps = np.empty(c, x.dtype)
    for i in range(lo, hi):
        xs = x[i]
        m = _row_max(xs)
        for j in range(c):
            exps[j] = fast_exp(xs[j] - m)
        lse[i] = m + np.log(_row_sum(exps))
        t = target[i]
        if t == ignore_index:
            loss[i] = 0
        elif smoothing == 0:
            loss[i] = lse[i] - xs[t]
        else:
            loss[i] = keep * (lse[i] - xs[t]) + share * (T(c) * lse[i] - _row_sum(xs))


@njit(**_JIT)
def cross_entropy_fwd(x, target, ignore_index, smoothing, lse, loss):
    # x: (N, C) C-contiguous logits; lse, loss: (N,) outputs (see _ce_fwd_rows)
    _ce_fwd_rows(x, target, ignore_index, smoothing, lse, loss, 0, x.shape[0])


@njit(**_JIT, parallel=True)
def cross_entropy_fwd_par(x, target, ignore_index, smoothing, lse, loss):
    n = x.shape[0]
    rows = _chunk_rows(n)
    for k in prange((n + rows - 1) // rows):
        lo = k * rows
        _ce_fwd_rows(x, target, ignore_index, smoothing, lse, loss, lo, min(n, lo + rows))


@njit(**_JIT)
def _ce_bwd_rows(x, target, ignore_index, smoothing, lse, scale, gx, lo, hi):
    # gx[i, j] = scale[i] * (softmax(x)[i, j] - (1-s)[j == t] - s/C); 0 on ignored rows
    c = x.shape[1]
    T = x.dtype.type
    keep = T(1) - T(smoothing)
    share = T(smoothing) / T(c)
    for i in range(lo, hi):
        t = target[i]
        gs = gx[i]
        if t == ignore_index:
            gs[:] = 0
            continue
        xs = x[i]
        s = scale[i]
        li = lse[i]
        for j in range(c):
            gs[j] = s * (fast_exp(xs[j] - li) - share)
        gs[t] -= s * keep


@njit(**_JIT)
def cross_entropy_bwd(x, target, ignore_index, smoothing, lse, scale, gx):
    # gx: (N, C) output; lse from cross_entropy_fwd; scale: (N,) incoming gradient per row
    _ce_bwd_rows(x, target, ignore_index, smoothing, lse, scale, gx, 0, x.shape[0])


@njit(**_JIT, parallel=True)
def cross_entropy_bwd_par(x, target, ignore_index, smoothing, lse, scale, gx):
    n = x.shape[0]
    rows = _chunk_rows(n)
    for k in prange((n + rows - 1) // rows):
        lo = k * rows
        _ce_bwd_rows(x, target, ignore_index, smoothing, lse, scale, gx, lo, min(n, lo + rows))


_PARALLEL = {
    cross_entropy_fwd: cross_entropy_fwd_par,
    cross_entropy_bwd: cross_entropy_bwd_par,
}


def pick(kernel, size: int):
    """``kernel``'s prange variant when ``size`` (elements) reaches ``PARALLEL_THRESHOLD``."""
    return _PARALLEL[kernel] if size >= helpers.PARALLEL_THRESHOLD else kernel


@njit(**_JIT)
def nll_fwd(x, target, ignore_index, loss):
    # loss[i] = -x[i, target[i]] (0 where ignored). Returns count_targets' result.
    counted = count_targets(target, ignore_index, x.shape[1])
    if counted < 0:
        return counted
    for i in range(x.shape[0]):
        t = target[i]
        if t == ignore_index:
            loss[i] = 0
        else:
            loss[i] = -x[i, t]
    return counted


@njit(**_JIT)
def nll_bwd(target, ignore_index, scale, gx):
    # gx[i, target[i]] = -scale[i]; every other entry 0
    n, c = gx.shape
    for i in range(n):
        for j in range(c):
            gx[i, j] = 0
        t = target[i]
        if t != ignore_index:
            gx[i, t] = -scale[i]


@njit(**_JIT)
def gather_rows(w, idx, out):
    # out[k, :] = w[idx[k], :]   (embedding lookup)
    for k in range(idx.shape[0]):
        out[k, :] = w[idx[k], :]


@njit(**_JIT)
def scatter_add_rows(g, idx, skip, gw):
    # gw[idx[k], :] += g[k, :] for idx[k] != skip (repeated indices accumulate)
    for k in range(idx.shape[0]):
        r = idx[k]
        if r != skip:
            gw[r, :] += g[k, :]
