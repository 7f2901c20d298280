"""Numba kernels behind nn.functional's fused ops: linear's bias, cross-entropy, nll_loss,
layer norm, embedding.

Layout contract: 2-D arrays are C-contiguous ``(rows, classes)``; outputs are preallocated by
the caller; every float constant is cast to the array's dtype so float32 stays float32.
``error_model="numpy"``: float division by zero gives inf/nan (PyTorch's result), and loops
vectorize.
"""

from __future__ import annotations

import numpy as np

from .. import helpers
from ..kernels.cpu import workers
from ..kernels.cpu.fastmath import fast_exp
from ..kernels.cpu.jit import cached_njit

_JIT = {"error_model": "numpy", "nogil": True}  # nogil: the row kernels run on the thread pool


@cached_njit(**_JIT)
def bias_add_rows(out, b):
    # out[i, j] += b[j]   (out: (N, F) C-contiguous, b: (F,))
    n, f = out.shape
    for i in range(n):
        for j in range(f):
            out[i, j] += b[j]


@cached_njit(**_JIT)
def col_sum(g, out):
    # out[j] = sum_i g[i, j]   (g: (N, F), out: (F,)); rows streamed, columns vectorized
    n, f = g.shape
    for j in range(f):
        out[j] = 0
    for i in range(n):
        for j in range(f):
            out[j] += g[i, j]


# ---- row kernels: cross-entropy and layer norm -------------------------------------------
# Each op has a row function (rows lo..hi, serial, ``nogil``). Below ``PARALLEL_THRESHOLD``
# it is called over all rows from Python (:func:`cross_entropy_rows_fwd`,
# :func:`layer_norm_rows_fwd`); above, on row ranges run by the kernels' thread pool
# (:mod:`jitgrad.kernels.cpu.workers`), not by a ``prange`` driver: a ``parallel=True``
# compile cost ~0.6-0.8 CPU s per dtype, a compile the small sizes never needed.
# Per-row work only, so the two ways give the same bits whatever the thread count.


# Reductions over one row get their own functions so that only they carry ``reassoc`` (LLVM
# then keeps several SIMD accumulators); fastmath's exp must never be compiled with it.
@cached_njit(**_JIT, fastmath={"reassoc"})
def _row_sum(xs):
    s = xs.dtype.type(0)
    for j in range(xs.shape[0]):
        s += xs[j]
    return s


@cached_njit(**_JIT, fastmath={"reassoc"})
def _row_sqdev(xs, c):
    # sum((xs - c)**2): the second pass of a two-pass variance
    s = xs.dtype.type(0)
    for j in range(xs.shape[0]):
        d = xs[j] - c
        s += d * d
    return s


@cached_njit(**_JIT)
def _row_max(xs):
    # max of a non-empty row; a NaN may be skipped here but reaches the sum of exps anyway
    m = xs[0]
    for j in range(1, xs.shape[0]):
        v = xs[j]
        m = v if v > m else m
    return m


#: Rows per parallel chunk at most: layer_norm keeps one partial weight/bias gradient row per
#: chunk, so this bounds that scratch to 1/64 of the gradient.
ROW_CHUNK = 64


@cached_njit(**_JIT)
def _chunk_rows(n):
    # Rows per chunk: depends on n only, so the serial and parallel layer_norm backward add the
    # same partial sums in the same order; at least 8 chunks when n allows, to feed the threads.
    return max(1, min(ROW_CHUNK, (n + 7) // 8))


@cached_njit(**_JIT)
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


@cached_njit(**_JIT)
def cross_entropy_fwd(x, target, ignore_index, smoothing, lse, loss, lo, hi, exps):
    # Rows lo..hi of x: (N, C) C-contiguous logits; lse, loss: (N,) outputs; exps: (C,) scratch
    # from the caller (an np.empty in here cost 0.13 s of compile on a first step).
    # lse[i] = logsumexp(x[i]); loss[i] = (1-s)(lse - x[i,t]) + s/C sum_j (lse - x[i,j]);
    # 0 where the target is ignore_index. Targets already checked by count_targets.
    c = x.shape[1]
    T = x.dtype.type
    keep = T(1) - T(smoothing)
    share = T(smoothing) / T(c)
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


@cached_njit(**_JIT)
def cross_entropy_bwd(x, target, ignore_index, smoothing, lse, scale, gx, lo, hi):
    # Rows lo..hi of gx: (N, C); lse from cross_entropy_fwd; scale: (N,) incoming gradient.
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


@cached_njit(**_JIT)
def _ln_fwd_rows(x, w, b, eps, y, mean, rstd, lo, hi):
    # mean[i], rstd[i] = 1/sqrt(biased var + eps) of row i; y = (x - mean) * rstd * w + b
    d = x.shape[1]
    T = x.dtype.type
    for i in range(lo, hi):
        xs = x[i]
        ys = y[i]
        mu = _row_sum(xs) / T(d)
        r = T(1) / np.sqrt(_row_sqdev(xs, mu) / T(d) + eps)
        for j in range(d):
            ys[j] = (xs[j] - mu) * r * w[j] + b[j]
        mean[i] = mu
        rstd[i] = r


@cached_njit(**_JIT, fastmath={"reassoc"})
def _ln_row_dots(gs, xs, w, mu, r):
    # (sum g*w, sum g*w*xhat) over one row, xhat = (x - mu) * r
    s1 = gs.dtype.type(0)
    s2 = gs.dtype.type(0)
    for j in range(gs.shape[0]):
        gw = gs[j] * w[j]
        s1 += gw
        s2 += gw * ((xs[j] - mu) * r)
    return s1, s2


@cached_njit(**_JIT)
def _ln_bwd_chunks(g, x, w, mean, rstd, gx, pw, pb, k0, k1):
    # Row chunks k0..k1 (chunk k = rows k*_chunk_rows(N) onwards): gx[i] = rstd * (g*w -
    # mean(g*w) - xhat * mean(g*w*xhat)); pw[k] = sum g*xhat and pb[k] = sum g over chunk k's
    # rows (partials: (chunks, D), summed by col_sum in a fixed order, so the result does not
    # depend on threads)
    n, d = x.shape
    T = x.dtype.type
    rows = _chunk_rows(n)
    for k in range(k0, k1):
        pwk = pw[k]
        pbk = pb[k]
        pwk[:] = 0
        pbk[:] = 0
        for i in range(k * rows, min(n, k * rows + rows)):
            gs = g[i]
            xs = x[i]
            gxs = gx[i]
            mu = mean[i]
            r = rstd[i]
            s1, s2 = _ln_row_dots(gs, xs, w, mu, r)
            a = s1 / T(d)
            c = s2 / T(d)
            for j in range(d):
                xh = (xs[j] - mu) * r
                gxs[j] = r * (gs[j] * w[j] - a - xh * c)
                pwk[j] += gs[j] * xh
                pbk[j] += gs[j]


def chunks(n: int) -> int:
    """Number of row chunks (rows of layer_norm_bwd's partials) for an ``n``-row input."""
    rows = _chunk_rows(n)
    return -(-n // rows)


def cross_entropy_rows_fwd(x, target, ignore_index, smoothing, lse, loss) -> None:
    """:func:`cross_entropy_fwd` over every row: the row kernel called from Python over all
    rows, or at ``PARALLEL_THRESHOLD`` elements over row ranges on the thread pool (each range
    its own ``exps`` scratch)."""
    n = x.shape[0]
    if x.size < helpers.PARALLEL_THRESHOLD:
        exps = np.empty(x.shape[1], x.dtype)
        cross_entropy_fwd(x, target, ignore_index, smoothing, lse, loss, 0, n, exps)
        return
    workers.run(
        cross_entropy_fwd,
        [
            (x, target, ignore_index, smoothing, lse, loss, lo, hi, np.empty(x.shape[1], x.dtype))
            for lo, hi in workers.ranges(n, True)
        ],
    )


def cross_entropy_rows_bwd(x, target, ignore_index, smoothing, lse, scale, gx) -> None:
    """:func:`cross_entropy_bwd` over every row, as :func:`cross_entropy_rows_fwd`."""
    parallel = x.size >= helpers.PARALLEL_THRESHOLD
    if not parallel:
        cross_entropy_bwd(x, target, ignore_index, smoothing, lse, scale, gx, 0, x.shape[0])
        return
    args = (x, target, ignore_index, smoothing, lse, scale, gx)
    workers.run(cross_entropy_bwd, [(*args, lo, hi) for lo, hi in workers.ranges(x.shape[0], True)])


def layer_norm_rows_fwd(x, w, b, eps, y, mean, rstd) -> None:
    """Layer norm's forward over every row of ``x`` (N, D) C-contiguous; w, b: (D,); eps: x's
    dtype; mean, rstd: (N,) saved for backward. As :func:`cross_entropy_rows_fwd`: the row
    kernel over all rows, or over row ranges on the thread pool at ``PARALLEL_THRESHOLD``."""
    parallel = x.size >= helpers.PARALLEL_THRESHOLD
    args = (x, w, b, eps, y, mean, rstd)
    workers.run(_ln_fwd_rows, [(*args, lo, hi) for lo, hi in workers.ranges(x.shape[0], parallel)])


def layer_norm_rows_bwd(g, x, w, mean, rstd, gx, pw, pb) -> None:
    """Layer norm's backward: ``gx`` (N, D) and the per-chunk partials ``pw``, ``pb``
    (``chunks(N)``, D): the chunks in one call, or at ``PARALLEL_THRESHOLD`` elements ranges
    of chunks on the thread pool. Each chunk adds its rows in the same order either way, so
    the bits do not depend on which ran."""
    parallel = x.size >= helpers.PARALLEL_THRESHOLD
    args = (g, x, w, mean, rstd, gx, pw, pb)
    ks = workers.ranges(pw.shape[0], parallel)
    workers.run(_ln_bwd_chunks, [(*args, k0, k1) for k0, k1 in ks])


@cached_njit(**_JIT)
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


@cached_njit(**_JIT)
def nll_bwd(target, ignore_index, scale, gx):
    # gx[i, target[i]] = -scale[i]; every other entry 0
    n, c = gx.shape
    for i in range(n):
        for j in range(c):
            gx[i, j] = 0
        t = target[i]
        if t != ignore_index:
            gx[i, t] = -scale[i]


@cached_njit(**_JIT)
def gather_rows(w, idx, out):
    # out[k, :] = w[idx[k], :]   (embedding lookup). Element loops, not row slices assigned:
    # Numba's array-to-array slice assignment compiles a shape-mismatch error path that formats
    # the shapes into a string (str, repr, unicode concatenation): 2.1 s of CPU for this kernel's
    # first compile in a process, 0.1 s for the loops (perf/kernel_compile.py).
    d = out.shape[1]
    for k in range(idx.shape[0]):
        src = w[idx[k]]
        dst = out[k]
        for j in range(d):
            dst[j] = src[j]


@cached_njit(**_JIT)
def scatter_add_rows(g, idx, skip, gw):
    # gw[idx[k], :] += g[k, :] for idx[k] != skip (repeated indices accumulate)
    # (element loops for the reason gather_rows gives)
    d = gw.shape[1]
    for k in range(idx.shape[0]):
        r = idx[k]
        if r != skip:
            src = g[k]
            dst = gw[r]
            for j in range(d):
                dst[j] += src[j]
