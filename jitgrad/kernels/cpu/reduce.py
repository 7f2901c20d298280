"""Numba kernels for the non-elementwise reductions: sum, mean, var, prod, max/min, logsumexp,
softmax, log_softmax and cumsum, forward and backward.

Layout contract, shared by every kernel here: the caller reshapes a reduction over a contiguous
run of axes to a C-contiguous 3-D array ``x3`` of shape ``(A, R, B)`` reduced over ``R`` (``A`` =
product of the leading dims, ``B`` = product of the trailing ones) and preallocates the output,
``(A, B)`` for reductions and ``(A, R, B)`` for the shape-keeping ops. :func:`reduction_plan`
tells the caller whether a transpose is needed first. Kernels take no default arguments (they slow
Numba's dispatch) and allocate only scratch.

Accuracy: sums are pairwise like numpy's. A contiguous slice (``B == 1``) is cut into leaves of
:data:`BLOCK` elements, each summed by a loop that Numba may vectorise (``fastmath`` with only
``reassoc``, so NaN and inf still behave), and the leaf sums are combined by a binary counter,
which builds the same balanced tree as recursive pairwise summation without recursion. A strided
slice (``B > 1``) does the same over blocks of :data:`ROW_BLOCK` rows, vectorised across ``B``.
float32 stays float32 throughout; integer sums accumulate in the output's dtype (int64, as torch).

Parallel variants (``*_par``) split work over ``A`` (or over (A, column tile) tasks when
``B > 1``); a single huge contiguous slice is cut into fixed chunks of :data:`PAR_CHUNK`
elements, a power-of-two number of leaves, so each chunk is a whole subtree of the serial
pairwise tree. Parallel results therefore equal the serial kernel's bit for bit, whatever the
thread count or timing. Use :func:`pick` to choose by size.
"""

from __future__ import annotations

import numba
import numpy as np
from numba import njit, prange

#: Leaf length of the contiguous pairwise sum: small enough for a good error bound
#: (each SIMD lane adds ~32 values in sequence), large enough that the merge cost vanishes.
BLOCK = 1024
#: Leaf height (rows) of the strided pairwise sum used when ``B > 1``.
ROW_BLOCK = 64
#: Column tile of the strided kernels: bounds the scratch of the strided pairwise sum.
TILE = 256
#: Chunk of a single contiguous slice handed to one thread; must be BLOCK times a power of two
#: so that parallel and serial sums build the same tree.
PAR_CHUNK = 64 * BLOCK
#: Depth of the binary-counter stack: enough for 2**64 leaves.
_STACK = 64

#: Elements (A*R*B) from which the ``*_par`` variants of the memory-bound reductions
#: (sum, mean, var, prod, max/min, cumsum) pay on the 2-core development machine. Measured with
#: perf/reduce_threshold.py-style interleaved medians: at 64 Ki float32 elements the parallel sum
#: is ~1.0x the serial one (launch cost ~10 us eats the gain), at 256 Ki ~1.5x, at 1 Mi ~1.7x.
PARALLEL_MIN_REDUCE = 1 << 17
#: Same for the exp-heavy ops (logsumexp, softmax, log_softmax and their backwards), which do
#: ~10x more work per element, so the launch cost is repaid sooner: ~1.6x at 16 Ki elements.
PARALLEL_MIN_EXP = 1 << 14

# Every kernel: cached on disk, and numpy's error model, so float x/0 gives inf/NaN as in torch
# instead of raising ZeroDivisionError (it also drops the zero checks that block vectorising).
_JIT = {"cache": True, "error_model": "numpy"}
_REASSOC = {"reassoc"}
_REASSOC_FMA = {"reassoc", "contract"}


# --------------------------------------------------------------------------------------------
# Shape planning (pure Python)
# --------------------------------------------------------------------------------------------


def _norm_axes(ndim: int, axes) -> tuple[int, ...]:
    """Sorted, non-negative, de-duplicated axes; ``None`` means all (torch's ``dim=None``)."""
    if axes is None:
        return tuple(range(ndim))
    if isinstance(axes, (int, np.integer)):
        axes = (int(axes),)
    out = set()
    for ax in axes:
        a = int(ax)
        if not -max(ndim, 1) <= a < max(ndim, 1):
            raise ValueError(f"axis {ax} out of range for {ndim}-d input")
        out.add(a % ndim if ndim else 0)
    return tuple(sorted(out))


def _prod(dims) -> int:
    p = 1
    for d in dims:
        p *= int(d)
    return p


def as_3d(shape, axes) -> tuple[int, int, int] | None:
    """``(A, R, B)`` for reducing ``shape`` over ``axes`` if they form one contiguous run.

    Returns None when they do not: the data must then be transposed first (see
    :func:`reduction_plan`). No axes means an identity reduction, given as ``(size, 1, 1)``;
    a 0-d shape gives ``(1, 1, 1)``.
    """
    shape = tuple(int(d) for d in shape)
    ax = _norm_axes(len(shape), axes)
    if not shape:
        return (1, 1, 1)
    if not ax:
        return (_prod(shape), 1, 1)
    if ax[-1] - ax[0] + 1 != len(ax):
        return None
    lo, hi = ax[0], ax[-1] + 1
    return (_prod(shape[:lo]), _prod(shape[lo:hi]), _prod(shape[hi:]))


def reduction_plan(shape, axes) -> tuple[tuple[int, ...] | None, tuple[int, int, int]]:
    """``(perm, (A, R, B))``: the one call a caller needs before any kernel here.

    ``perm`` is None when ``x.reshape(A, R, B)`` already works; otherwise the caller does
    ``np.ascontiguousarray(x.transpose(perm)).reshape(A, R, B)``. The permutation keeps the
    trailing run of kept axes in place (as ``B``, so the copy streams along the innermost axis)
    and moves the reduced axes just before it, the other kept axes first. Kept axes stay in
    their original order, so an ``(A, B)`` result reshapes straight to the kept dims.
    """
    shape = tuple(int(d) for d in shape)
    ax = _norm_axes(len(shape), axes)
    abc = as_3d(shape, ax)
    if abc is not None:
        return None, abc
    red = set(ax)
    tail = []
    for i in range(len(shape) - 1, -1, -1):
        if i in red:
            break
        tail.append(i)
    tail.reverse()
    lead = [i for i in range(len(shape)) if i not in red and i not in tail]
    perm = tuple(lead) + ax + tuple(tail)
    return perm, (
        _prod(shape[i] for i in lead),
        _prod(shape[i] for i in ax),
        _prod(shape[i] for i in tail),
    )


def pick(kernel, size: int):
    """The ``*_par`` variant of ``kernel`` if ``size`` (A*R*B) is past its measured threshold."""
    par = _PARALLEL.get(kernel)
    if par is None:
        return kernel
    variant, threshold = par
    return variant if size >= threshold else kernel


def sum_to_shape(g: np.ndarray, shape) -> np.ndarray:
    """Sum a broadcast gradient ``g`` back to ``shape`` (numpy broadcasting rules), as the
    autograd engine needs for every broadcasting op. Returns ``g`` itself when nothing to do.

    Each contiguous run of summed axes is one ``sum_fwd`` call, innermost run first (it shrinks
    the data most); typical broadcasts need one or two calls and no transpose.
    """
    shape = tuple(int(d) for d in shape)
    lead = g.ndim - len(shape)
    if lead < 0:
        raise ValueError(f"cannot sum shape {g.shape} to {shape}")
    axes = list(range(lead))
    for i, d in enumerate(shape):
        if d == 1 and g.shape[lead + i] != 1:
            axes.append(lead + i)
        elif d != g.shape[lead + i]:
            raise ValueError(f"cannot sum shape {g.shape} to {shape}")
    if not axes:
        return g.reshape(shape)
    out_dtype = np.int64 if g.dtype.kind in "biu" else g.dtype
    cur = np.ascontiguousarray(g)
    cur_shape = list(g.shape)
    runs = []
    for a in axes:
        if runs and runs[-1][1] == a:
            runs[-1][1] = a + 1
        else:
            runs.append([a, a + 1])
    for lo, hi in reversed(runs):
        A = _prod(cur_shape[:lo])
        R = _prod(cur_shape[lo:hi])
        B = _prod(cur_shape[hi:])
        out = np.empty((A, B), dtype=out_dtype)
        pick(sum_fwd, A * R * B)(cur.reshape(A, R, B), out)
        cur = out
        cur_shape[lo:hi] = [1] * (hi - lo)
    return cur.reshape(shape)


# --------------------------------------------------------------------------------------------
# Pairwise machinery
# --------------------------------------------------------------------------------------------


@njit(**_JIT)
def _push(stack, cnt, s):
    # binary counter: leaf number cnt merges with the equal-sized subtrees below it; older + newer.
    lvl = 0
    k = cnt
    while k & 1:
        s = stack[lvl] + s
        lvl += 1
        k >>= 1
    stack[lvl] = s


@njit(**_JIT)
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


@njit(**_JIT, fastmath=_REASSOC)
def _leaf_sum(x, y, lo, n, c, zero):
    # sum(x[lo:lo+n]) accumulated in typeof(zero); reassoc lets LLVM use SIMD accumulators.
    s = zero
    xs = x[lo : lo + n]
    for i in range(n):
        s += xs[i]
    return s


@njit(**_JIT, fastmath=_REASSOC_FMA)
def _leaf_sqdev(x, y, lo, n, c, zero):
    # sum((x[lo:lo+n] - c)**2): the second pass of the two-pass variance.
    s = zero
    xs = x[lo : lo + n]
    for i in range(n):
        d = xs[i] - c
        s += d * d
    return s


@njit(**_JIT, fastmath=_REASSOC)
def _leaf_sumexp(x, y, lo, n, c, zero):
    # sum(exp(x[lo:lo+n] - c)), c the slice max: logsumexp and log_softmax.
    s = zero
    xs = x[lo : lo + n]
    for i in range(n):
        s += np.exp(xs[i] - c)
    return s


@njit(**_JIT, fastmath=_REASSOC)
def _leaf_expstore(x, y, lo, n, c, zero):
    # y[lo:lo+n] = exp(x[lo:lo+n] - c), returns their sum: softmax numerators and denominator.
    s = zero
    xs = x[lo : lo + n]
    ys = y[lo : lo + n]
    for i in range(n):
        e = np.exp(xs[i] - c)
        ys[i] = e
        s += e
    return s


@njit(**_JIT, fastmath=_REASSOC_FMA)
def _leaf_dot(x, y, lo, n, c, zero):
    # sum(x[lo:lo+n] * y[lo:lo+n]): softmax backward's sum(g*y).
    s = zero
    xs = x[lo : lo + n]
    ys = y[lo : lo + n]
    for i in range(n):
        s += xs[i] * ys[i]
    return s


@njit(**_JIT, inline="always")
def _pw(leaf, x, y, lo, n, c, zero, stack):
    # pairwise sum over leaves of BLOCK of leaf(x, y, ...) on [lo, lo+n); stack: _STACK scratch.
    if n <= BLOCK:
        return leaf(x, y, lo, n, c, zero)
    cnt = 0
    pos = lo
    end = lo + n
    while pos < end:
        m = min(BLOCK, end - pos)
        _push(stack, cnt, leaf(x, y, pos, m, c, zero))
        cnt += 1
        pos += m
    return _flush(stack, cnt, zero)


@njit(**_JIT)
def _chunk_slices(A, R):
    # parallel strategy for B == 1: chunk each slice when there are few, long slices (so a
    # single full reduction uses every thread), else one task per slice. Either way the bits are
    # the serial kernel's; numba.get_num_threads() is avoided because it blocks caching.
    return A < 16 and R >= 4 * PAR_CHUNK


# Wrappers that fix the leaf: Numba can cache neither a call that passes a function object to a
# non-inlined callee nor a prange body that captures one, so kernels only call these.


@njit(**_JIT)
def _pw_sum(x, lo, n, zero, stack):
    # pairwise sum(x[lo:lo+n]) in typeof(zero).
    return _pw(_leaf_sum, x, x, lo, n, zero, zero, stack)


@njit(**_JIT)
def _pw_sqdev(x, lo, n, c, zero, stack):
    # pairwise sum((x[lo:lo+n] - c)**2).
    return _pw(_leaf_sqdev, x, x, lo, n, c, zero, stack)


@njit(**_JIT)
def _pw_sumexp(x, lo, n, c, zero, stack):
    # pairwise sum(exp(x[lo:lo+n] - c)).
    return _pw(_leaf_sumexp, x, x, lo, n, c, zero, stack)


@njit(**_JIT)
def _pw_expstore(x, y, lo, n, c, zero, stack):
    # y[lo:lo+n] = exp(x[lo:lo+n] - c); returns their pairwise sum.
    return _pw(_leaf_expstore, x, y, lo, n, c, zero, stack)


@njit(**_JIT)
def _pw_dot(x, y, lo, n, zero, stack):
    # pairwise sum(x[lo:lo+n] * y[lo:lo+n]).
    return _pw(_leaf_dot, x, y, lo, n, zero, zero, stack)


@njit(**_JIT)
def _combine(part, zero):
    # pairwise combination of per-chunk sums, in chunk order: the top of _pw's tree.
    if part.size == 1:
        return part[0]
    stack = np.empty(_STACK, part.dtype)
    for k in range(part.size):
        _push(stack, k, part[k])
    return _flush(stack, part.size, zero)


@njit(**_JIT, parallel=True)
def _pw_sum_par(x, lo, n, zero):
    # _pw_sum split into PAR_CHUNK chunks (whole subtrees), one per task; bitwise equal to it.
    nch = (n + PAR_CHUNK - 1) // PAR_CHUNK
    part = np.full(nch, zero)
    for k in prange(nch):
        st = np.empty(_STACK, part.dtype)
        a = lo + k * PAR_CHUNK
        part[k] = _pw_sum(x, a, min(PAR_CHUNK, lo + n - a), zero, st)
    return _combine(part, zero)


@njit(**_JIT, parallel=True)
def _pw_sqdev_par(x, lo, n, c, zero):
    # _pw_sqdev split like _pw_sum_par; bitwise equal to it.
    nch = (n + PAR_CHUNK - 1) // PAR_CHUNK
    part = np.full(nch, zero)
    for k in prange(nch):
        st = np.empty(_STACK, part.dtype)
        a = lo + k * PAR_CHUNK
        part[k] = _pw_sqdev(x, a, min(PAR_CHUNK, lo + n - a), c, zero, st)
    return _combine(part, zero)


@njit(**_JIT)
def _racc_sum(x, y, c, co, p, acc, ao, bw):
    # acc[ao:ao+bw] += x[p:p+bw]: one row of a strided sum.
    a = acc[ao : ao + bw]
    xs = x[p : p + bw]
    for j in range(bw):
        a[j] += xs[j]


@njit(**_JIT, fastmath=_REASSOC_FMA)
def _racc_sqdev(x, y, c, co, p, acc, ao, bw):
    # acc[ao:ao+bw] += (x[p:p+bw] - c[co:co+bw])**2: one row of the strided variance.
    a = acc[ao : ao + bw]
    xs = x[p : p + bw]
    cs = c[co : co + bw]
    for j in range(bw):
        d = xs[j] - cs[j]
        a[j] += d * d


@njit(**_JIT)
def _racc_sumexp(x, y, c, co, p, acc, ao, bw):
    # acc[ao:ao+bw] += exp(x[p:p+bw] - c[co:co+bw]): strided logsumexp / log_softmax.
    a = acc[ao : ao + bw]
    xs = x[p : p + bw]
    cs = c[co : co + bw]
    for j in range(bw):
        a[j] += np.exp(xs[j] - cs[j])


@njit(**_JIT)
def _racc_expstore(x, y, c, co, p, acc, ao, bw):
    # y[p:p+bw] = exp(x[p:p+bw] - c[co:co+bw]); acc += that: strided softmax.
    a = acc[ao : ao + bw]
    xs = x[p : p + bw]
    ys = y[p : p + bw]
    cs = c[co : co + bw]
    for j in range(bw):
        e = np.exp(xs[j] - cs[j])
        ys[j] = e
        a[j] += e


@njit(**_JIT, fastmath={"contract"})
def _racc_dot(x, y, c, co, p, acc, ao, bw):
    # acc[ao:ao+bw] += x[p:p+bw] * y[p:p+bw]: strided softmax backward.
    a = acc[ao : ao + bw]
    xs = x[p : p + bw]
    ys = y[p : p + bw]
    for j in range(bw):
        a[j] += xs[j] * ys[j]


@njit(**_JIT)
def _levels(nrows):
    # stack rows needed by _rows_pw for nrows rows: bit length of the leaf count.
    nblk = (nrows + ROW_BLOCK - 1) // ROW_BLOCK
    lv = 1
    while (1 << lv) <= nblk:
        lv += 1
    return lv


@njit(**_JIT, inline="always")
def _rows_pw(racc, x, y, c, co, base, R, B, b0, bw, dst, doff, leaf, stack2, zero):
    # dst[doff+j] = pairwise sum over r<R of racc's term at x[base + r*B + b0 + j], j<bw;
    # leaves of ROW_BLOCK rows; leaf: (>=bw,) and stack2: (_levels(R), >=bw) scratch.
    if R <= ROW_BLOCK:
        d = dst[doff : doff + bw]
        for j in range(bw):
            d[j] = zero
        for r in range(R):
            racc(x, y, c, co, base + r * B + b0, dst, doff, bw)
        return
    lf = leaf[:bw]
    cnt = 0
    for r0 in range(0, R, ROW_BLOCK):
        for j in range(bw):
            lf[j] = zero
        for r in range(r0, min(R, r0 + ROW_BLOCK)):
            racc(x, y, c, co, base + r * B + b0, leaf, 0, bw)
        lvl = 0
        k = cnt
        while k & 1:
            st = stack2[lvl, :bw]
            for j in range(bw):
                lf[j] = st[j] + lf[j]
            lvl += 1
            k >>= 1
        st = stack2[lvl, :bw]
        for j in range(bw):
            st[j] = lf[j]
        cnt += 1
    d = dst[doff : doff + bw]
    first = True
    lvl = 0
    k = cnt
    while k:
        if k & 1:
            st = stack2[lvl, :bw]
            if first:
                for j in range(bw):
                    d[j] = st[j]
                first = False
            else:
                for j in range(bw):
                    d[j] = st[j] + d[j]
        k >>= 1
        lvl += 1


@njit(**_JIT)
def _ext_contig(x, lo, n, want_max):
    # (value, index) of the first max (or min) of x[lo:lo+n], n>=1; the first NaN wins.
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


@njit(**_JIT, parallel=True)
def _ext_contig_par(x, lo, n, want_max):
    # _ext_contig over PAR_CHUNK chunks; chunks combined in order, so the same first index wins.
    nch = (n + PAR_CHUNK - 1) // PAR_CHUNK
    vals = np.empty(nch, x.dtype)
    idxs = np.empty(nch, np.int64)
    for k in prange(nch):
        a = lo + k * PAR_CHUNK
        v, i = _ext_contig(x, a, min(PAR_CHUNK, lo + n - a), want_max)
        vals[k] = v
        idxs[k] = i + k * PAR_CHUNK
    m = vals[0]
    best = idxs[0]
    for k in range(1, nch):
        if m != m:
            break
        v = vals[k]
        if (v != v) or (want_max and v > m) or ((not want_max) and v < m):
            m = v
            best = idxs[k]
    return m, best


@njit(**_JIT)
def _rows_ext(x, base, R, B, b0, bw, val, vo, idx, io, want_max, track):
    # val[vo+j] (and idx[io+j] if track) = first max/min over r of x[base + r*B + b0 + j];
    # the first NaN wins; vectorised across j with selects.
    v0 = val[vo : vo + bw]
    x0 = x[base + b0 : base + b0 + bw]
    for j in range(bw):
        v0[j] = x0[j]
    if track:
        i0 = idx[io : io + bw]
        for j in range(bw):
            i0[j] = 0
    for r in range(1, R):
        xr = x[base + r * B + b0 : base + r * B + b0 + bw]
        if track:
            i0 = idx[io : io + bw]
            for j in range(bw):
                v = xr[j]
                m = v0[j]
                if want_max:
                    t = (v > m) | ((v != v) & (m == m))
                else:
                    t = (v < m) | ((v != v) & (m == m))
                v0[j] = v if t else m
                i0[j] = r if t else i0[j]
        elif want_max:
            for j in range(bw):
                v = xr[j]
                m = v0[j]
                v0[j] = v if (v > m) | ((v != v) & (m == m)) else m
        else:
            for j in range(bw):
                v = xr[j]
                m = v0[j]
                v0[j] = v if (v < m) | ((v != v) & (m == m)) else m


# --------------------------------------------------------------------------------------------
# sum / mean
# --------------------------------------------------------------------------------------------


@njit(**_JIT)
def _sum_tile(xf, of, a, R, B, b0, bw, leaf, stack2, zero):
    # of[a*B+b0 : +bw] = pairwise sum over R of the (a, :, b0:b0+bw) tile.
    _rows_pw(_racc_sum, xf, xf, of, 0, a * R * B, R, B, b0, bw, of, a * B + b0, leaf, stack2, zero)


@njit(**_JIT)
def _sum_serial(xf, of, A, R, B):
    # of[a*B+b] = sum_r xf[(a*R+r)*B+b], all slices in order on one thread.
    zero = of.dtype.type(0)
    if B == 1:
        stack = np.empty(_STACK, of.dtype)
        for a in range(A):
            of[a] = _pw_sum(xf, a * R, R, zero, stack)
    else:
        w = min(TILE, B)
        leaf = np.empty(w, of.dtype)
        stack2 = np.empty((_levels(R), w), of.dtype)
        for a in range(A):
            for b0 in range(0, B, TILE):
                _sum_tile(xf, of, a, R, B, b0, min(TILE, B - b0), leaf, stack2, zero)


@njit(**_JIT, parallel=True)
def _sum_parallel(xf, of, A, R, B):
    # _sum_serial with slices (or (slice, tile) tasks) spread over threads; same bits.
    zero = of.dtype.type(0)
    if B == 1:
        if _chunk_slices(A, R):
            for a in range(A):
                of[a] = _pw_sum_par(xf, a * R, R, zero)
        else:
            for a in prange(A):
                stack = np.empty(_STACK, of.dtype)
                of[a] = _pw_sum(xf, a * R, R, zero, stack)
    else:
        ntl = (B + TILE - 1) // TILE
        lv = _levels(R)
        for t in prange(A * ntl):
            a = t // ntl
            b0 = (t - a * ntl) * TILE
            bw = min(TILE, B - b0)
            leaf = np.empty(bw, of.dtype)
            stack2 = np.empty((lv if R > ROW_BLOCK else 0, bw), of.dtype)
            _sum_tile(xf, of, a, R, B, b0, bw, leaf, stack2, zero)


@njit(**_JIT)
def sum_fwd(x3, out2):
    # out2[a,b] = sum_r x3[a,r,b]; pairwise; accumulates in out2.dtype; R=0 gives 0.
    A, R, B = x3.shape
    _sum_serial(x3.reshape(A * R * B), out2.reshape(A * B), A, R, B)


@njit(**_JIT)
def sum_fwd_par(x3, out2):
    # sum_fwd spread over threads; bitwise equal to sum_fwd.
    A, R, B = x3.shape
    _sum_parallel(x3.reshape(A * R * B), out2.reshape(A * B), A, R, B)


@njit(**_JIT)
def sum_leading_fwd(x2, out1):
    # out1[b] = sum_r x2[r,b]: the (A=1) sum_to_shape case of a gradient broadcast over rows.
    R, B = x2.shape
    _sum_serial(x2.reshape(R * B), out1, 1, R, B)


@njit(**_JIT)
def _scale(of, n):
    # of[i] = of[i] / n (in of's dtype): mean from a sum.
    d = of.dtype.type(n)
    for i in range(of.size):
        of[i] = of[i] / d


@njit(**_JIT)
def mean_fwd(x3, out2):
    # out2[a,b] = sum_r x3[a,r,b] / R in one pass (float out2); R=0 gives NaN as torch.
    A, R, B = x3.shape
    of = out2.reshape(A * B)
    _sum_serial(x3.reshape(A * R * B), of, A, R, B)
    _scale(of, R)


@njit(**_JIT)
def mean_fwd_par(x3, out2):
    # mean_fwd spread over threads; bitwise equal to mean_fwd.
    A, R, B = x3.shape
    of = out2.reshape(A * B)
    _sum_parallel(x3.reshape(A * R * B), of, A, R, B)
    _scale(of, R)


# --------------------------------------------------------------------------------------------
# var
# --------------------------------------------------------------------------------------------


@njit(**_JIT)
def _var_den(R, correction, like):
    # torch's divisor max(0, R - correction), in like.dtype (no float64 detour for float32).
    d = R - correction
    if d < 0:
        d = 0
    return like.dtype.type(d)


@njit(**_JIT)
def _var_serial(xf, mf, vf, A, R, B, correction):
    # two-pass: mf = mean (pairwise), vf = pairwise sum (x - mean)^2 / max(0, R - correction).
    zero = vf.dtype.type(0)
    rn = vf.dtype.type(R)
    den = _var_den(R, correction, vf)
    if B == 1:
        stack = np.empty(_STACK, vf.dtype)
        for a in range(A):
            mu = _pw_sum(xf, a * R, R, zero, stack) / rn
            mf[a] = mu
            vf[a] = _pw_sqdev(xf, a * R, R, mu, zero, stack) / den
    else:
        w = min(TILE, B)
        leaf = np.empty(w, vf.dtype)
        stack2 = np.empty((_levels(R), w), vf.dtype)
        for a in range(A):
            for b0 in range(0, B, TILE):
                _var_tile(xf, mf, vf, a, R, B, b0, min(TILE, B - b0), leaf, stack2, rn, den)


@njit(**_JIT)
def _var_tile(xf, mf, vf, a, R, B, b0, bw, leaf, stack2, rn, den):
    # mean and variance of the (a, :, b0:b0+bw) tile, two strided pairwise passes.
    zero = vf.dtype.type(0)
    o = a * B + b0
    _rows_pw(_racc_sum, xf, xf, mf, o, a * R * B, R, B, b0, bw, mf, o, leaf, stack2, zero)
    m = mf[o : o + bw]
    for j in range(bw):
        m[j] = m[j] / rn
    _rows_pw(_racc_sqdev, xf, xf, mf, o, a * R * B, R, B, b0, bw, vf, o, leaf, stack2, zero)
    v = vf[o : o + bw]
    for j in range(bw):
        v[j] = v[j] / den


@njit(**_JIT, parallel=True)
def _var_parallel(xf, mf, vf, A, R, B, correction):
    # _var_serial spread over threads; same bits.
    zero = vf.dtype.type(0)
    rn = vf.dtype.type(R)
    den = _var_den(R, correction, vf)
    if B == 1:
        if _chunk_slices(A, R):
            for a in range(A):
                mu = _pw_sum_par(xf, a * R, R, zero) / rn
                mf[a] = mu
                vf[a] = _pw_sqdev_par(xf, a * R, R, mu, zero) / den
        else:
            for a in prange(A):
                stack = np.empty(_STACK, vf.dtype)
                mu = _pw_sum(xf, a * R, R, zero, stack) / rn
                mf[a] = mu
                vf[a] = _pw_sqdev(xf, a * R, R, mu, zero, stack) / den
    else:
        ntl = (B + TILE - 1) // TILE
        lv = _levels(R)
        for t in prange(A * ntl):
            a = t // ntl
            b0 = (t - a * ntl) * TILE
            bw = min(TILE, B - b0)
            leaf = np.empty(bw, vf.dtype)
            stack2 = np.empty((lv if R > ROW_BLOCK else 0, bw), vf.dtype)
            _var_tile(xf, mf, vf, a, R, B, b0, bw, leaf, stack2, rn, den)


@njit(**_JIT)
def mean_var_fwd(x3, correction, mean2, var2):
    # mean2 = mean_r x3, var2 = sum_r (x3 - mean)^2 / max(0, R - correction); two-pass, float.
    A, R, B = x3.shape
    _var_serial(
        x3.reshape(A * R * B), mean2.reshape(A * B), var2.reshape(A * B), A, R, B, correction
    )


@njit(**_JIT)
def mean_var_fwd_par(x3, correction, mean2, var2):
    # mean_var_fwd spread over threads; bitwise equal to it.
    A, R, B = x3.shape
    _var_parallel(
        x3.reshape(A * R * B), mean2.reshape(A * B), var2.reshape(A * B), A, R, B, correction
    )


@njit(**_JIT)
def var_fwd(x3, correction, out2):
    # out2 = var over R with torch's correction (1 = unbiased); mean kept in scratch.
    A, R, B = x3.shape
    mf = np.empty(A * B, out2.dtype)
    _var_serial(x3.reshape(A * R * B), mf, out2.reshape(A * B), A, R, B, correction)


@njit(**_JIT)
def var_fwd_par(x3, correction, out2):
    # var_fwd spread over threads; bitwise equal to it.
    A, R, B = x3.shape
    mf = np.empty(A * B, out2.dtype)
    _var_parallel(x3.reshape(A * R * B), mf, out2.reshape(A * B), A, R, B, correction)


@njit(**_JIT)
def var_bwd(g2, x3, mean2, correction, gx3):
    # gx3[a,r,b] = g2[a,b] * 2 * (x3[a,r,b] - mean2[a,b]) / max(0, R - correction).
    A, R, B = x3.shape
    one = gx3.dtype.type(1)
    k = (one + one) / _var_den(R, correction, gx3)
    for a in range(A):
        for r in range(R):
            xr = x3[a, r]
            gr = gx3[a, r]
            m = mean2[a]
            g = g2[a]
            for b in range(B):
                gr[b] = k * g[b] * (xr[b] - m[b])


# --------------------------------------------------------------------------------------------
# prod
# --------------------------------------------------------------------------------------------


@njit(**_JIT, fastmath=_REASSOC)
def _prod_contig(x, lo, n, one):
    # prod(x[lo:lo+n]) in typeof(one): product of BLOCK leaves, leaves multiplied in order.
    p = one
    pos = lo
    end = lo + n
    while pos < end:
        m = min(BLOCK, end - pos)
        q = one
        xs = x[pos : pos + m]
        for i in range(m):
            q *= xs[i]
        p = p * q
        pos += m
    return p


@njit(**_JIT)
def _prod_chunked(x, lo, n, one):
    # _prod_contig per PAR_CHUNK chunk, chunks multiplied in order (the parallel variant's order).
    p = one
    for a in range(lo, lo + n, PAR_CHUNK):
        p = p * _prod_contig(x, a, min(PAR_CHUNK, lo + n - a), one)
    return p


@njit(**_JIT, parallel=True)
def _prod_chunked_par(x, lo, n, one):
    # _prod_chunked with chunks on threads; same bits.
    nch = (n + PAR_CHUNK - 1) // PAR_CHUNK
    part = np.full(nch, one)
    for k in prange(nch):
        a = lo + k * PAR_CHUNK
        part[k] = _prod_contig(x, a, min(PAR_CHUNK, lo + n - a), one)
    p = one
    for k in range(nch):
        p = p * part[k]
    return p


@njit(**_JIT)
def _prod_tile(xf, of, a, R, B, b0, bw):
    # of[a*B+b0 : +bw] = product over r of the (a, :, b0:b0+bw) tile, rows in order.
    o = of[a * B + b0 : a * B + b0 + bw]
    one = of.dtype.type(1)
    for j in range(bw):
        o[j] = one
    for r in range(R):
        p = (a * R + r) * B + b0
        xr = xf[p : p + bw]
        for j in range(bw):
            o[j] *= xr[j]


@njit(**_JIT)
def prod_fwd(x3, out2):
    # out2[a,b] = prod_r x3[a,r,b] in out2.dtype (int64 for ints); R=0 gives 1.
    A, R, B = x3.shape
    xf = x3.reshape(A * R * B)
    of = out2.reshape(A * B)
    one = of.dtype.type(1)
    if B == 1:
        for a in range(A):
            of[a] = _prod_chunked(xf, a * R, R, one)
    else:
        for a in range(A):
            for b0 in range(0, B, TILE):
                _prod_tile(xf, of, a, R, B, b0, min(TILE, B - b0))


@njit(**_JIT, parallel=True)
def _prod_parallel(xf, of, A, R, B):
    # prod_fwd's loops spread over threads; same bits.
    one = of.dtype.type(1)
    if B == 1:
        if _chunk_slices(A, R):
            for a in range(A):
                of[a] = _prod_chunked_par(xf, a * R, R, one)
        else:
            for a in prange(A):
                of[a] = _prod_chunked(xf, a * R, R, one)
    else:
        ntl = (B + TILE - 1) // TILE
        for t in prange(A * ntl):
            a = t // ntl
            b0 = (t - a * ntl) * TILE
            _prod_tile(xf, of, a, R, B, b0, min(TILE, B - b0))


@njit(**_JIT)
def prod_fwd_par(x3, out2):
    # prod_fwd spread over threads; bitwise equal to it.
    A, R, B = x3.shape
    _prod_parallel(x3.reshape(A * R * B), out2.reshape(A * B), A, R, B)


@njit(**_JIT)
def prod_bwd(g2, x3, out2, gx3):
    # gx3 = g2 * prod of the other elements of the slice: g*out/x without zeros; with one zero
    # only its position gets g*prod(others); with two or more zeros all 0 (torch's rule).
    A, R, B = x3.shape
    zero = gx3.dtype.type(0)
    for a in range(A):
        for b in range(B):
            nz = 0
            zpos = 0
            for r in range(R):
                if x3[a, r, b] == 0:
                    if nz == 0:
                        zpos = r
                    nz += 1
            g = g2[a, b]
            if nz == 0:
                p = out2[a, b]
                for r in range(R):
                    gx3[a, r, b] = g * (p / x3[a, r, b])
            else:
                for r in range(R):
                    gx3[a, r, b] = zero
                if nz == 1:
                    p = gx3.dtype.type(1)
                    for r in range(R):
                        if r != zpos:
                            p = p * x3[a, r, b]
                    gx3[a, zpos, b] = g * p


# --------------------------------------------------------------------------------------------
# max / min (values + first index); argmax/argmin are the idx output
# --------------------------------------------------------------------------------------------


@njit(**_JIT)
def _ext_serial(xf, of, idxf, A, R, B, want_max):
    # of, idxf = first extreme over R per (a, b) and its r; R must be >= 1.
    if R == 0:
        if A * B > 0:
            raise ValueError("max/min of an empty slice")
        return
    if B == 1:
        for a in range(A):
            v, i = _ext_contig(xf, a * R, R, want_max)
            of[a] = v
            idxf[a] = i
    else:
        for a in range(A):
            for b0 in range(0, B, TILE):
                _rows_ext(
                    xf,
                    a * R * B,
                    R,
                    B,
                    b0,
                    min(TILE, B - b0),
                    of,
                    a * B + b0,
                    idxf,
                    a * B + b0,
                    want_max,
                    True,
                )


@njit(**_JIT, parallel=True)
def _ext_parallel(xf, of, idxf, A, R, B, want_max):
    # _ext_serial spread over threads; same result (ties resolved to the first index).
    if R == 0:
        if A * B > 0:
            raise ValueError("max/min of an empty slice")
        return
    if B == 1:
        if _chunk_slices(A, R):
            for a in range(A):
                v, i = _ext_contig_par(xf, a * R, R, want_max)
                of[a] = v
                idxf[a] = i
        else:
            for a in prange(A):
                v, i = _ext_contig(xf, a * R, R, want_max)
                of[a] = v
                idxf[a] = i
    else:
        ntl = (B + TILE - 1) // TILE
        for t in prange(A * ntl):
            a = t // ntl
            b0 = (t - a * ntl) * TILE
            _rows_ext(
                xf,
                a * R * B,
                R,
                B,
                b0,
                min(TILE, B - b0),
                of,
                a * B + b0,
                idxf,
                a * B + b0,
                want_max,
                True,
            )


@njit(**_JIT)
def max_fwd(x3, out2, idx2):
    # out2[a,b] = max_r x3[a,r,b], idx2 (int64) = its first r; a NaN wins (first NaN's r).
    # R must be >= 1: the caller raises for an empty max; the kernel raises ValueError too.
    A, R, B = x3.shape
    _ext_serial(x3.reshape(A * R * B), out2.reshape(A * B), idx2.reshape(A * B), A, R, B, True)


@njit(**_JIT)
def max_fwd_par(x3, out2, idx2):
    # max_fwd spread over threads; same result.
    A, R, B = x3.shape
    _ext_parallel(x3.reshape(A * R * B), out2.reshape(A * B), idx2.reshape(A * B), A, R, B, True)


@njit(**_JIT)
def min_fwd(x3, out2, idx2):
    # out2[a,b] = min_r x3[a,r,b], idx2 (int64) = its first r; a NaN wins (first NaN's r).
    A, R, B = x3.shape
    _ext_serial(x3.reshape(A * R * B), out2.reshape(A * B), idx2.reshape(A * B), A, R, B, False)


@njit(**_JIT)
def min_fwd_par(x3, out2, idx2):
    # min_fwd spread over threads; same result.
    A, R, B = x3.shape
    _ext_parallel(x3.reshape(A * R * B), out2.reshape(A * B), idx2.reshape(A * B), A, R, B, False)


@njit(**_JIT)
def max_bwd(g2, idx2, gx3):
    # gx3[a, idx2[a,b], b] = g2[a,b], 0 elsewhere: backward of max/min(dim) (torch's indices rule).
    A, R, B = gx3.shape
    gf = gx3.reshape(A * R * B)
    zero = gx3.dtype.type(0)
    for i in range(gf.size):
        gf[i] = zero
    for a in range(A):
        for b in range(B):
            gx3[a, idx2[a, b], b] = g2[a, b]


@njit(**_JIT)
def amax_bwd(g2, x3, out2, gx3):
    # gx3 = g2 / count at every r where x3 equals the extreme out2 (NaN positions if out2 is
    # NaN), 0 elsewhere: torch's evenly-distributed rule for amax/amin and full max()/min().
    A, R, B = x3.shape
    zero = gx3.dtype.type(0)
    for a in range(A):
        for b in range(B):
            m = out2[a, b]
            mnan = m != m
            cnt = 0
            for r in range(R):
                v = x3[a, r, b]
                if (v == m) or (mnan and v != v):
                    cnt += 1
            share = g2[a, b] / gx3.dtype.type(cnt) if cnt > 0 else zero
            for r in range(R):
                v = x3[a, r, b]
                gx3[a, r, b] = share if (v == m) or (mnan and v != v) else zero


# --------------------------------------------------------------------------------------------
# logsumexp, softmax, log_softmax
# --------------------------------------------------------------------------------------------


@njit(**_JIT)
def _lse_slice(xf, lo, R, stack, zero, ninf):
    # max-shifted log(sum(exp)) of xf[lo:lo+R]; -inf if empty or all -inf, inf/NaN propagate.
    if R == 0:
        return ninf
    m, _ = _ext_contig(xf, lo, R, True)
    if not np.isfinite(m):
        return m
    return m + np.log(_pw_sumexp(xf, lo, R, m, zero, stack))


@njit(**_JIT)
def _lse_tile(xf, of, a, R, B, b0, bw, mbuf, sbuf, leaf, stack2, idum):
    # logsumexp of the (a, :, b0:b0+bw) tile into of[a*B+b0 : +bw].
    zero = of.dtype.type(0)
    o = of[a * B + b0 : a * B + b0 + bw]
    if R == 0:
        for j in range(bw):
            o[j] = -np.inf
        return
    _rows_ext(xf, a * R * B, R, B, b0, bw, mbuf, 0, idum, 0, True, False)
    _rows_pw(_racc_sumexp, xf, xf, mbuf, 0, a * R * B, R, B, b0, bw, sbuf, 0, leaf, stack2, zero)
    for j in range(bw):
        m = mbuf[j]
        o[j] = m + np.log(sbuf[j]) if np.isfinite(m) else m


@njit(**_JIT)
def logsumexp_fwd(x3, out2):
    # out2[a,b] = m + log(sum_r exp(x3[a,r,b] - m)), m the slice max; R=0 gives -inf.
    A, R, B = x3.shape
    xf = x3.reshape(A * R * B)
    of = out2.reshape(A * B)
    zero = of.dtype.type(0)
    ninf = of.dtype.type(-np.inf)
    if B == 1:
        stack = np.empty(_STACK, of.dtype)
        for a in range(A):
            of[a] = _lse_slice(xf, a * R, R, stack, zero, ninf)
    else:
        w = min(TILE, B)
        mbuf = np.empty(w, of.dtype)
        sbuf = np.empty(w, of.dtype)
        leaf = np.empty(w, of.dtype)
        stack2 = np.empty((_levels(R), w), of.dtype)
        idum = np.empty(0, np.int64)
        for a in range(A):
            for b0 in range(0, B, TILE):
                _lse_tile(xf, of, a, R, B, b0, min(TILE, B - b0), mbuf, sbuf, leaf, stack2, idum)


@njit(**_JIT, parallel=True)
def _lse_parallel(xf, of, A, R, B):
    # logsumexp_fwd's loops spread over threads; same bits.
    zero = of.dtype.type(0)
    ninf = of.dtype.type(-np.inf)
    if B == 1:
        for a in prange(A):
            stack = np.empty(_STACK, of.dtype)
            of[a] = _lse_slice(xf, a * R, R, stack, zero, ninf)
    else:
        ntl = (B + TILE - 1) // TILE
        lv = _levels(R)
        for t in prange(A * ntl):
            a = t // ntl
            b0 = (t - a * ntl) * TILE
            bw = min(TILE, B - b0)
            mbuf = np.empty(bw, of.dtype)
            sbuf = np.empty(bw, of.dtype)
            leaf = np.empty(bw, of.dtype)
            stack2 = np.empty((lv if R > ROW_BLOCK else 0, bw), of.dtype)
            idum = np.empty(0, np.int64)
            _lse_tile(xf, of, a, R, B, b0, bw, mbuf, sbuf, leaf, stack2, idum)


@njit(**_JIT)
def logsumexp_fwd_par(x3, out2):
    # logsumexp_fwd spread over threads (over A and column tiles only); same bits.
    A, R, B = x3.shape
    _lse_parallel(x3.reshape(A * R * B), out2.reshape(A * B), A, R, B)


# Softmax-family ops share one driver: `op` selects the per-slice / per-tile body.
_SOFTMAX, _LOG_SOFTMAX, _SOFTMAX_BWD, _LOG_SOFTMAX_BWD = 0, 1, 2, 3


@njit(**_JIT)
def _sm_slice(op, xf, yf, of, lo, R, stack):
    # one contiguous slice [lo, lo+R) of op: xf input (or g), yf saved output (bwd), of result.
    zero = of.dtype.type(0)
    one = of.dtype.type(1)
    xs = xf[lo : lo + R]
    os = of[lo : lo + R]
    if op == _SOFTMAX:
        m, _ = _ext_contig(xf, lo, R, True)
        inv = one / _pw_expstore(xf, of, lo, R, m, zero, stack)
        for i in range(R):
            os[i] *= inv
    elif op == _LOG_SOFTMAX:
        m, _ = _ext_contig(xf, lo, R, True)
        t = m + np.log(_pw_sumexp(xf, lo, R, m, zero, stack))
        for i in range(R):
            os[i] = xs[i] - t
    elif op == _SOFTMAX_BWD:
        d = _pw_dot(xf, yf, lo, R, zero, stack)
        ys = yf[lo : lo + R]
        for i in range(R):
            os[i] = ys[i] * (xs[i] - d)
    else:
        s = _pw_sum(xf, lo, R, zero, stack)
        ys = yf[lo : lo + R]
        for i in range(R):
            os[i] = xs[i] - np.exp(ys[i]) * s


@njit(**_JIT)
def _sm_tile(op, xf, yf, of, a, R, B, b0, bw, mbuf, sbuf, leaf, stack2, idum):
    # the (a, :, b0:b0+bw) tile of op, vectorised across the tile's columns.
    zero = of.dtype.type(0)
    one = of.dtype.type(1)
    base = a * R * B
    if op == _SOFTMAX:
        _rows_ext(xf, base, R, B, b0, bw, mbuf, 0, idum, 0, True, False)
        _rows_pw(_racc_expstore, xf, of, mbuf, 0, base, R, B, b0, bw, sbuf, 0, leaf, stack2, zero)
        for j in range(bw):
            sbuf[j] = one / sbuf[j]
        for r in range(R):
            p = base + r * B + b0
            orow = of[p : p + bw]
            for j in range(bw):
                orow[j] *= sbuf[j]
    elif op == _LOG_SOFTMAX:
        _rows_ext(xf, base, R, B, b0, bw, mbuf, 0, idum, 0, True, False)
        _rows_pw(_racc_sumexp, xf, xf, mbuf, 0, base, R, B, b0, bw, sbuf, 0, leaf, stack2, zero)
        for j in range(bw):
            sbuf[j] = mbuf[j] + np.log(sbuf[j])
        for r in range(R):
            p = base + r * B + b0
            orow = of[p : p + bw]
            xrow = xf[p : p + bw]
            for j in range(bw):
                orow[j] = xrow[j] - sbuf[j]
    elif op == _SOFTMAX_BWD:
        _rows_pw(_racc_dot, xf, yf, sbuf, 0, base, R, B, b0, bw, sbuf, 0, leaf, stack2, zero)
        for r in range(R):
            p = base + r * B + b0
            orow = of[p : p + bw]
            grow = xf[p : p + bw]
            yrow = yf[p : p + bw]
            for j in range(bw):
                orow[j] = yrow[j] * (grow[j] - sbuf[j])
    else:
        _rows_pw(_racc_sum, xf, xf, sbuf, 0, base, R, B, b0, bw, sbuf, 0, leaf, stack2, zero)
        for r in range(R):
            p = base + r * B + b0
            orow = of[p : p + bw]
            grow = xf[p : p + bw]
            yrow = yf[p : p + bw]
            for j in range(bw):
                orow[j] = grow[j] - np.exp(yrow[j]) * sbuf[j]


@njit(**_JIT)
def _sm_serial(op, x3, y3, o3):
    # op over every slice of (A, R, B) arrays on one thread; R=0 writes nothing.
    A, R, B = x3.shape
    if R == 0 or A * B == 0:
        return
    xf = x3.reshape(A * R * B)
    yf = y3.reshape(A * R * B)
    of = o3.reshape(A * R * B)
    if B == 1:
        stack = np.empty(_STACK, of.dtype)
        for a in range(A):
            _sm_slice(op, xf, yf, of, a * R, R, stack)
    else:
        w = min(TILE, B)
        mbuf = np.empty(w, of.dtype)
        sbuf = np.empty(w, of.dtype)
        leaf = np.empty(w, of.dtype)
        stack2 = np.empty((_levels(R), w), of.dtype)
        idum = np.empty(0, np.int64)
        for a in range(A):
            for b0 in range(0, B, TILE):
                _sm_tile(
                    op, xf, yf, of, a, R, B, b0, min(TILE, B - b0), mbuf, sbuf, leaf, stack2, idum
                )


@njit(**_JIT, parallel=True)
def _sm_parallel(op, x3, y3, o3):
    # _sm_serial with slices or (slice, tile) tasks spread over threads; same bits.
    A, R, B = x3.shape
    if R == 0 or A * B == 0:
        return
    xf = x3.reshape(A * R * B)
    yf = y3.reshape(A * R * B)
    of = o3.reshape(A * R * B)
    if B == 1:
        for a in prange(A):
            stack = np.empty(_STACK, of.dtype)
            _sm_slice(op, xf, yf, of, a * R, R, stack)
    else:
        ntl = (B + TILE - 1) // TILE
        lv = _levels(R)
        for t in prange(A * ntl):
            a = t // ntl
            b0 = (t - a * ntl) * TILE
            bw = min(TILE, B - b0)
            mbuf = np.empty(bw, of.dtype)
            sbuf = np.empty(bw, of.dtype)
            leaf = np.empty(bw, of.dtype)
            stack2 = np.empty((lv if R > ROW_BLOCK else 0, bw), of.dtype)
            idum = np.empty(0, np.int64)
            _sm_tile(op, xf, yf, of, a, R, B, b0, bw, mbuf, sbuf, leaf, stack2, idum)


@njit(**_JIT)
def softmax_fwd(x3, out3):
    # out3 = exp(x3 - max_r) / sum_r exp(x3 - max_r) over R; all -inf slice gives NaN (torch).
    _sm_serial(_SOFTMAX, x3, x3, out3)


@njit(**_JIT)
def softmax_fwd_par(x3, out3):
    # softmax_fwd spread over threads; same bits.
    _sm_parallel(_SOFTMAX, x3, x3, out3)


@njit(**_JIT)
def log_softmax_fwd(x3, out3):
    # out3 = x3 - (max_r + log(sum_r exp(x3 - max_r))) over R.
    _sm_serial(_LOG_SOFTMAX, x3, x3, out3)


@njit(**_JIT)
def log_softmax_fwd_par(x3, out3):
    # log_softmax_fwd spread over threads; same bits.
    _sm_parallel(_LOG_SOFTMAX, x3, x3, out3)


@njit(**_JIT)
def softmax_bwd(g3, y3, gx3):
    # gx3 = y3 * (g3 - sum_r(g3 * y3)), y3 the softmax output; all (A, R, B).
    _sm_serial(_SOFTMAX_BWD, g3, y3, gx3)


@njit(**_JIT)
def softmax_bwd_par(g3, y3, gx3):
    # softmax_bwd spread over threads; same bits.
    _sm_parallel(_SOFTMAX_BWD, g3, y3, gx3)


@njit(**_JIT)
def log_softmax_bwd(g3, y3, gx3):
    # gx3 = g3 - exp(y3) * sum_r g3, y3 the log_softmax output; all (A, R, B).
    _sm_serial(_LOG_SOFTMAX_BWD, g3, y3, gx3)


@njit(**_JIT)
def log_softmax_bwd_par(g3, y3, gx3):
    # log_softmax_bwd spread over threads; same bits.
    _sm_parallel(_LOG_SOFTMAX_BWD, g3, y3, gx3)


# --------------------------------------------------------------------------------------------
# cumsum
# --------------------------------------------------------------------------------------------


@njit(**_JIT)
def _cumsum_slice(x3, o3, a, b0, bw, reverse):
    # running sum along R of the (a, :, b0:b0+bw) tile, in o3's dtype; reverse: from r = R-1.
    A, R, B = x3.shape
    if R == 0:
        return
    first = R - 1 if reverse else 0
    step = -1 if reverse else 1
    xr = x3[a, first, b0 : b0 + bw]
    prev = o3[a, first, b0 : b0 + bw]
    zero = o3.dtype.type(0)
    for j in range(bw):
        prev[j] = zero + xr[j]
    r = first + step
    for _ in range(R - 1):
        xr = x3[a, r, b0 : b0 + bw]
        cur = o3[a, r, b0 : b0 + bw]
        for j in range(bw):
            cur[j] = prev[j] + xr[j]
        prev = cur
        r += step


@njit(**_JIT)
def _cumsum_contig(x3, o3, a, reverse):
    # running sum of the contiguous slice x3[a, :, 0] (B == 1), scalar carry.
    A, R, B = x3.shape
    xs = x3[a, :, 0]
    os = o3[a, :, 0]
    s = o3.dtype.type(0)
    if reverse:
        for r in range(R - 1, -1, -1):
            s += xs[r]
            os[r] = s
    else:
        for r in range(R):
            s += xs[r]
            os[r] = s


@njit(**_JIT)
def _cumsum_serial(x3, o3, reverse):
    # cumsum along R of every slice on one thread.
    A, R, B = x3.shape
    if B == 1:
        for a in range(A):
            _cumsum_contig(x3, o3, a, reverse)
    else:
        for a in range(A):
            for b0 in range(0, B, TILE):
                _cumsum_slice(x3, o3, a, b0, min(TILE, B - b0), reverse)


@njit(**_JIT, parallel=True)
def _cumsum_parallel(x3, o3, reverse):
    # _cumsum_serial over threads (slices / column tiles; a single slice's scan stays serial).
    A, R, B = x3.shape
    if B == 1:
        for a in prange(A):
            _cumsum_contig(x3, o3, a, reverse)
    else:
        ntl = (B + TILE - 1) // TILE
        for t in prange(A * ntl):
            a = t // ntl
            b0 = (t - a * ntl) * TILE
            _cumsum_slice(x3, o3, a, b0, min(TILE, B - b0), reverse)


@njit(**_JIT)
def cumsum_fwd(x3, out3):
    # out3[a,r,b] = sum_{s<=r} x3[a,s,b], sequential, in out3.dtype (int64 for ints, as torch).
    _cumsum_serial(x3, out3, False)


@njit(**_JIT)
def cumsum_fwd_par(x3, out3):
    # cumsum_fwd spread over threads; same bits.
    _cumsum_parallel(x3, out3, False)


@njit(**_JIT)
def cumsum_bwd(g3, gx3):
    # gx3[a,r,b] = sum_{s>=r} g3[a,s,b]: the reverse cumsum.
    _cumsum_serial(g3, gx3, True)


@njit(**_JIT)
def cumsum_bwd_par(g3, gx3):
    # cumsum_bwd spread over threads; same bits.
    _cumsum_parallel(g3, gx3, True)


#: serial kernel -> (parallel variant, element threshold) for :func:`pick`.
_PARALLEL = {
    sum_fwd: (sum_fwd_par, PARALLEL_MIN_REDUCE),
    mean_fwd: (mean_fwd_par, PARALLEL_MIN_REDUCE),
    var_fwd: (var_fwd_par, PARALLEL_MIN_REDUCE),
    mean_var_fwd: (mean_var_fwd_par, PARALLEL_MIN_REDUCE),
    prod_fwd: (prod_fwd_par, PARALLEL_MIN_REDUCE),
    max_fwd: (max_fwd_par, PARALLEL_MIN_REDUCE),
    min_fwd: (min_fwd_par, PARALLEL_MIN_REDUCE),
    cumsum_fwd: (cumsum_fwd_par, PARALLEL_MIN_REDUCE),
    cumsum_bwd: (cumsum_bwd_par, PARALLEL_MIN_REDUCE),
    logsumexp_fwd: (logsumexp_fwd_par, PARALLEL_MIN_EXP),
    softmax_fwd: (softmax_fwd_par, PARALLEL_MIN_EXP),
    log_softmax_fwd: (log_softmax_fwd_par, PARALLEL_MIN_EXP),
    softmax_bwd: (softmax_bwd_par, PARALLEL_MIN_EXP),
    log_softmax_bwd: (log_softmax_bwd_par, PARALLEL_MIN_EXP),
}

__all__ = [
    "BLOCK",
    "PARALLEL_MIN_EXP",
    "PARALLEL_MIN_REDUCE",
    "amax_bwd",
    "as_3d",
    "cumsum_bwd",
    "cumsum_bwd_par",
    "cumsum_fwd",
    "cumsum_fwd_par",
    "log_softmax_bwd",
    "log_softmax_bwd_par",
    "log_softmax_fwd",
    "log_softmax_fwd_par",
    "logsumexp_fwd",
    "logsumexp_fwd_par",
    "max_bwd",
    "max_fwd",
    "max_fwd_par",
    "mean_fwd",
    "mean_fwd_par",
    "mean_var_fwd",
    "mean_var_fwd_par",
    "min_fwd",
    "min_fwd_par",
    "pick",
    "prod_bwd",
    "prod_fwd",
    "prod_fwd_par",
    "reduction_plan",
    "softmax_bwd",
    "softmax_bwd_par",
    "softmax_fwd",
    "softmax_fwd_par",
    "sum_fwd",
    "sum_fwd_par",
    "sum_leading_fwd",
    "sum_to_shape",
    "var_bwd",
    "var_fwd",
    "var_fwd_par",
]
