"""The reduction kernels' building blocks: pairwise-sum leaves and drivers, extremes, scratch
layout helpers, and the constants they share (block sizes, jit options). See :mod:`.reduce`
for the layout contract and the accuracy argument."""

from __future__ import annotations

import numpy as np
from numba import njit

from .fastmath import fast_exp
from .jit import cached_njit

#: Leaf length of the contiguous pairwise sum: small enough for a good error bound
#: (each SIMD lane adds ~32 values in sequence), large enough that the merge cost vanishes.
BLOCK = 1024
#: Leaf height (rows) of the strided pairwise sum used when ``B > 1``.
ROW_BLOCK = 64
#: Column tile of the strided kernels: bounds the scratch of the strided pairwise sum.
TILE = 1024
#: Smallest parallel chunk of one long contiguous slice; BLOCK times a power of two (see
#: :mod:`.reduce`): serial kernels cut R at the same boundaries, so threads keep the sums.
PAR_CHUNK = 64 * BLOCK
#: Depth of the binary-counter stack: enough for 2**64 leaves.
_STACK = 64


# Every kernel: cached on disk; numpy's error model, so float x/0 gives inf/NaN as in torch
# instead of raising (and no zero checks blocking vectorisation); nogil for the thread pool.
_JIT = {"error_model": "numpy", "nogil": True}
#: Helpers without fastmath flags of their own: inlined into each caller's Numba IR, so they are
#: never compiled, cached and re-optimised as functions of their own (a cold ``sum_fwd`` was 9
#: compiles, ``_push``/``_flush`` twice each: once for a ``Literal[int](0)`` counter the type
#: inference met on its way). The ``reassoc`` leaves stay functions: inlined, their flag would
#: be lost (or spread to the caller). Same operations in the same order: bitwise the same.
_INLINE = {**_JIT, "inline": "always"}
_REASSOC = {"reassoc"}
# flags as numpy bools: Numba types them as plain booleans, not literals, so no re-specialising
_YES, _NO = np.True_, np.False_


@njit(**_INLINE)
def _push(stack, cnt, s):
    # binary counter: leaf number cnt merges with the equal-sized subtrees below it; older + newer.
    lvl = 0
    k = cnt
    while k & 1:
        s = stack[lvl] + s
        lvl += 1
        k >>= 1
    stack[lvl] = s


@njit(**_INLINE)
def _flush(stack, cnt, zero):
    # combine the remaining subtrees of a cnt-leaf counter, smallest (newest) first: older + newer.
    acc = zero
    first = True
    lvl = 0
    k = cnt
    while k:
        if k & 1:
            if first:
                acc = stack[lvl]
                first = False
            else:
                acc = stack[lvl] + acc
        k >>= 1
        lvl += 1
    return acc


@cached_njit(**_JIT, fastmath=_REASSOC)
def _leaf_sum(x, lo, n, zero):
    # sum(x[lo:lo+n]) in typeof(zero); reassoc lets LLVM keep several SIMD accumulators.
    s = zero
    xs = x[lo : lo + n]
    for i in range(n):
        s += xs[i]
    return s


@cached_njit(**_JIT, fastmath=_REASSOC)
def _leaf_sqdev(x, lo, n, c, zero):
    # sum((x[lo:lo+n] - c)**2): the second pass of the two-pass variance.
    s = zero
    xs = x[lo : lo + n]
    for i in range(n):
        d = xs[i] - c
        s += d * d
    return s


@cached_njit(**_JIT)
def _exp_shifted(xs, c, out):
    # out[i] = exp(xs[i] - c). A loop of its own, compiled without reassoc: fastmath's exp
    # vectorizes here (libm's scalar exp would not), and reassoc would break its rounding steps.
    for i in range(xs.shape[0]):
        out[i] = fast_exp(xs[i] - c)


@njit(**_INLINE)
def _leaf_sumexp(x, lo, n, c, zero, scratch):
    # sum(exp(x[lo:lo+n] - c)), c the slice max: logsumexp and log_softmax. scratch: >= n.
    _exp_shifted(x[lo : lo + n], c, scratch)
    return _leaf_sum(scratch, n - n, n, zero)  # (not 0: Literal[int](0), a compile of its own)


@njit(**_INLINE)
def _leaf_expstore(x, y, lo, n, c, zero):
    # y[lo:lo+n] = exp(x[lo:lo+n] - c) and their sum: softmax numerators and denominator.
    _exp_shifted(x[lo : lo + n], c, y[lo : lo + n])
    return _leaf_sum(y, lo, n, zero)


@cached_njit(**_JIT, fastmath=_REASSOC)
def _leaf_dot(x, y, lo, n, zero):
    # sum(x[lo:lo+n] * y[lo:lo+n]): softmax backward's sum(g*y).
    s = zero
    xs = x[lo : lo + n]
    ys = y[lo : lo + n]
    for i in range(n):
        s += xs[i] * ys[i]
    return s


@cached_njit(**_JIT, fastmath=_REASSOC)
def _leaf_prod(x, lo, n, one):
    # prod(x[lo:lo+n]) in typeof(one), vectorised; product error does not depend on order.
    p = one
    xs = x[lo : lo + n]
    for i in range(n):
        p *= xs[i]
    return p


@njit(**_INLINE)
def _pw_sum(x, lo, n, zero, stack):
    # pairwise sum of x[lo:lo+n]: BLOCK leaves merged by the binary counter (stack: scratch).
    if n <= BLOCK:
        return _leaf_sum(x, lo, n, zero)
    cnt = 0
    for pos in range(lo, lo + n, BLOCK):
        _push(stack, cnt, _leaf_sum(x, pos, min(BLOCK, lo + n - pos), zero))
        cnt += 1
    return _flush(stack, cnt, zero)


@njit(**_INLINE)
def _pw_sqdev(x, lo, n, c, zero, stack):
    # pairwise sum((x[lo:lo+n] - c)**2), same tree as _pw_sum.
    if n <= BLOCK:
        return _leaf_sqdev(x, lo, n, c, zero)
    cnt = 0
    for pos in range(lo, lo + n, BLOCK):
        _push(stack, cnt, _leaf_sqdev(x, pos, min(BLOCK, lo + n - pos), c, zero))
        cnt += 1
    return _flush(stack, cnt, zero)


@njit(**_INLINE)
def _pw_sumexp(x, lo, n, c, zero, stack):
    # pairwise sum(exp(x[lo:lo+n] - c)); the exps of one leaf at a time go to a scratch block.
    scratch = np.empty(min(n, BLOCK), x.dtype)
    if n <= BLOCK:
        return _leaf_sumexp(x, lo, n, c, zero, scratch)
    cnt = 0
    for pos in range(lo, lo + n, BLOCK):
        _push(stack, cnt, _leaf_sumexp(x, pos, min(BLOCK, lo + n - pos), c, zero, scratch))
        cnt += 1
    return _flush(stack, cnt, zero)


@njit(**_INLINE)
def _pw_expstore(x, y, lo, n, c, zero, stack):
    # y[lo:lo+n] = exp(x[lo:lo+n] - c); returns their pairwise sum.
    if n <= BLOCK:
        return _leaf_expstore(x, y, lo, n, c, zero)
    cnt = 0
    for pos in range(lo, lo + n, BLOCK):
        _push(stack, cnt, _leaf_expstore(x, y, pos, min(BLOCK, lo + n - pos), c, zero))
        cnt += 1
    return _flush(stack, cnt, zero)


@njit(**_INLINE)
def _pw_dot(x, y, lo, n, zero, stack):
    # pairwise sum(x[lo:lo+n] * y[lo:lo+n]).
    if n <= BLOCK:
        return _leaf_dot(x, y, lo, n, zero)
    cnt = 0
    for pos in range(lo, lo + n, BLOCK):
        _push(stack, cnt, _leaf_dot(x, y, pos, min(BLOCK, lo + n - pos), zero))
        cnt += 1
    return _flush(stack, cnt, zero)


@njit(**_INLINE)
def _levels(nrows):
    # stack rows _rows_pw needs for nrows rows: bit length of the ROW_BLOCK leaf count.
    nblk = (nrows + ROW_BLOCK - 1) // ROW_BLOCK
    lv = 1
    while (1 << lv) <= nblk:
        lv += 1
    return lv


@njit(**_INLINE)
def _row_leaf(x, p, n, B, bw, cs, sq, lf):
    # one leaf of _rows_pw: lf[j] = t(x[p + j]) + t(x[p + B + j]) + ... over n <= ROW_BLOCK rows,
    # in row order, each row's bw columns in one vectorised loop.
    for j in range(bw):
        lf[j] = lf.dtype.type(0)
    for r in range(n):
        xr = x[p + r * B : p + r * B + bw]
        if sq:
            for j in range(bw):
                d = xr[j] - cs[j]
                lf[j] += d * d
        else:
            for j in range(bw):
                lf[j] += xr[j]


@njit(**_INLINE)
def _push_row(scr, cnt, lf, bw):
    # _push for rows of bw sums: leaf cnt merges with the equal-sized subtrees (scr rows 1..).
    lvl = 0
    k = cnt
    while k & 1:
        st = scr[1 + lvl, :bw]
        for j in range(bw):
            lf[j] = st[j] + lf[j]
        lvl += 1
        k >>= 1
    st = scr[1 + lvl, :bw]
    for j in range(bw):
        st[j] = lf[j]


@njit(**_INLINE)
def _flush_row(scr, cnt, d, bw):
    # _flush for rows of bw sums: the remaining subtrees into d, smallest first: older + newer.
    first = True
    lvl = 0
    k = cnt
    while k:
        if k & 1:
            st = scr[1 + lvl, :bw]
            if first:
                for j in range(bw):
                    d[j] = st[j]
                first = False
            else:
                for j in range(bw):
                    d[j] = st[j] + d[j]
        k >>= 1
        lvl += 1


@njit(**_INLINE)
def _rows_pw(x, base, R, B, b0, bw, c, co, sq, dst, doff, scr):
    # dst[doff+j] = pairwise sum over r < R of t(x[base + r*B + b0 + j]), j < bw, where t is the
    # identity, or (v - c[co+j])**2 if sq; leaves of ROW_BLOCK rows vectorised across j;
    # scr: (1 + _levels(R), >= bw) scratch, row 0 the leaf, rows 1.. the counter's stack.
    T = dst.dtype.type
    if R == 0:
        for j in range(bw):
            dst[doff + j] = T(0)
        return
    if R <= ROW_BLOCK:  # one leaf: summed straight into dst
        lf = dst[doff : doff + bw]
    else:
        lf = scr[0, :bw]
    cs = c[co : co + bw]
    cnt = 0
    for r0 in range(0, R, ROW_BLOCK):
        _row_leaf(x, base + r0 * B + b0, min(R, r0 + ROW_BLOCK) - r0, B, bw, cs, sq, lf)
        if R <= ROW_BLOCK:
            return
        _push_row(scr, cnt, lf, bw)
        cnt += 1
    _flush_row(scr, cnt, dst[doff : doff + bw], bw)


@njit(**_INLINE)
def _ext_contig(x, lo, n, want_max):
    # (value, index) of the first max (or min) of x[lo:lo+n], n >= 1; the first NaN wins.
    xs = x[lo : lo + n]
    m = xs[0]
    k = 0
    if m != m:
        return m, k
    if want_max:
        for i in range(1, n):
            v = xs[i]
            if not v <= m:
                m = v
                k = i
                if v != v:
                    break
    else:
        for i in range(1, n):
            v = xs[i]
            if not v >= m:
                m = v
                k = i
                if v != v:
                    break
    return m, k


@njit(**_INLINE)
def _rows_ext(x, base, R, B, b0, bw, val, idx, o, want_max):
    # val[o+j], idx[o+j] = first max/min over r < R (R >= 1) of x[base + r*B + b0 + j] and its r;
    # the first NaN wins; branch-free selects, vectorised across j.
    v0 = val[o : o + bw]
    i0 = idx[o : o + bw]
    x0 = x[base + b0 : base + b0 + bw]
    for j in range(bw):
        v0[j] = x0[j]
        i0[j] = 0
    for r in range(1, R):
        p = base + r * B + b0
        xr = x[p : p + bw]
        for j in range(bw):
            v = xr[j]
            m = v0[j]
            if want_max:
                t = (v > m) | ((v != v) & (m == m))
            else:
                t = (v < m) | ((v != v) & (m == m))
            v0[j] = v if t else m
            i0[j] = r if t else i0[j]


@cached_njit(**_JIT)
def _swap_last(src, A, M, N, dst):
    # dst viewed (A, N, M) = src viewed (A, M, N) with its last two axes swapped (flat arrays).
    for a in range(A):
        s0 = a * M * N
        for m in range(M):
            row = src[s0 + m * N : s0 + m * N + N]
            for n in range(N):
                dst[s0 + n * M + m] = row[n]


@njit(**_INLINE)
def _var_den(R, correction, like):
    # torch's variance divisor max(0, R - correction), in like.dtype (no float64 detour).
    d = R - correction
    if d < 0:
        d = 0.0
    return like.dtype.type(d)


@njit(**_INLINE)
def _chunk_rows(B):
    # rows per parallel chunk of an R-split: PAR_CHUNK elements as a power-of-two number of
    # pairwise leaves (BLOCK elements when B == 1, ROW_BLOCK rows otherwise). Serial prod uses
    # it too, so its rounding order matches the parallel one.
    if B == 1:
        return PAR_CHUNK
    if B == 0:  # no columns: any size serves, and the doubling below would never stop
        return ROW_BLOCK
    rows = ROW_BLOCK
    while rows * 2 * B <= PAR_CHUNK:
        rows *= 2
    return rows


def exact_in_numpy(x_dtype: np.dtype, out_dtype: np.dtype) -> bool:
    """True when adding or multiplying ``x_dtype`` elements into ``out_dtype`` is integer
    arithmetic: each element converted exactly (a safe cast, as the kernels' ``T(x)``), then
    signed or unsigned adds/multiplies wrapping modulo 2**bits, a ring, so every order gives
    the same bits and NumPy's ufuncs give the kernels' bits without their compile (one per
    integer dtype: ~0.4-2 CPU s each, e.g. ``sum(dtype=torch.uint8)``,
    ``prod(dtype=torch.int16)``: perf/RESULTS.md, Runs ttime18a and porttime18)."""
    return out_dtype.kind in "iu" and np.can_cast(x_dtype, out_dtype, "safe")
