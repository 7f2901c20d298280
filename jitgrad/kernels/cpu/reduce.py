"""Numba kernels for the non-elementwise reductions: sum, mean, var, prod, max/min, logsumexp,
softmax, log_softmax and cumsum, forward and backward.

Layout contract, shared by every kernel here: the caller reshapes a reduction over a contiguous
run of axes to a C-contiguous 3-D array ``x3`` of shape ``(A, R, B)`` reduced over ``R`` (``A`` =
product of the leading dims, ``B`` = product of the trailing ones) and preallocates the output,
``(A, B)`` for reductions and ``(A, R, B)`` for the shape-keeping ops. :func:`reduction_plan`
tells the caller whether a transpose is needed first. Kernels take no default arguments (they slow
Numba's dispatch) and allocate only scratch.

Accuracy: sums are pairwise like numpy's. A contiguous slice (``B == 1``) is cut into leaves of
:data:`BLOCK` elements, each summed by a loop that LLVM vectorises (``fastmath`` with only
``reassoc``, so NaN and inf still behave), and the leaf sums are combined by a binary counter,
which builds the same balanced tree as recursive pairwise summation without recursion. A strided
slice (``B > 1``) does the same over blocks of :data:`ROW_BLOCK` rows, vectorised across ``B``.
float32 stays float32 throughout; integer sums accumulate in the output's dtype (int64, as torch).
The softmax family handles ``B > 1`` by transposing to ``(A, B, R)`` scratch, which is rare
enough in practice not to deserve its own strided code.

Parallel variants (``*_par``, same arguments) run the serial kernels, which release the GIL, on
contiguous views from a thread pool: groups of ``A`` slices, or, for the reductions when there
are few long slices, chunks of ``R`` whose size is a power-of-two number of pairwise leaves, so
that every chunk is a whole subtree of the serial tree and the partials are combined by the same
binary counter. Results are therefore the serial kernel's bit for bit, whatever the thread count
or timing. Not split: a single slice of the softmax family or of cumsum, and ``A == 1`` with an
``R`` too short to chunk (a wide sum over few rows); those run on one thread. ``prange`` drivers
were tried first and dropped for compile time: with them a cold run of this module's tests took
~190 s of CPU on an idle 16-core machine, against ~45 s now, and threads cost no compile at all.
Use :func:`pick` to choose serial or parallel by size.

Compile time drives the structure: Numba re-optimises every callee's code inside each caller, so
kernels are one level deep over small helpers, and op codes are never passed as literals.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np

from .fastmath import fast_exp
from .jit import cached_njit

#: Leaf length of the contiguous pairwise sum: small enough for a good error bound
#: (each SIMD lane adds ~32 values in sequence), large enough that the merge cost vanishes.
BLOCK = 1024
#: Leaf height (rows) of the strided pairwise sum used when ``B > 1``.
ROW_BLOCK = 64
#: Column tile of the strided kernels: bounds the scratch of the strided pairwise sum.
TILE = 1024
#: Smallest parallel chunk of one long contiguous slice; BLOCK times a power of two (see above).
PAR_CHUNK = 64 * BLOCK
#: Depth of the binary-counter stack: enough for 2**64 leaves.
_STACK = 64
#: Elements one parallel task should at least get, so tiny slices are batched.
_TASK = 1 << 15

#: Elements (A*R*B) from which the ``*_par`` variants of the memory-bound ops (sum, mean, var,
#: prod, max/min, cumsum) beat the serial kernels with two threads. Measured on two otherwise idle
#: cores (the shared 2-core dev box was saturated by other jobs), float32, interleaved medians:
#: full sum serial/parallel 0.45x at 1 Mi, 0.81x at 2 Mi, 1.45x at 4 Mi, 1.72x at 8 Mi;
#: sum of 1024-long rows 1.10x at 4 Mi, 1.26x at 8 Mi; max with index 1.11x at 4 Mi. Below,
#: the pool hand-off (~50-100 us) and memory bandwidth eat the gain.
PARALLEL_MIN_REDUCE = 1 << 22
#: Same for the exp-heavy ops (logsumexp, softmax, log_softmax and their backwards), ~20x more
#: work per element: softmax / logsumexp over 1024-long rows 1.05-1.17x at 128-256 Ki elements,
#: 1.3-1.47x from 512 Ki on; 0.96x at 32 Ki.
PARALLEL_MIN_EXP = 1 << 17

# Every kernel: cached on disk; numpy's error model, so float x/0 gives inf/NaN as in torch
# instead of raising (and no zero checks blocking vectorisation); nogil for the thread pool.
_JIT = {"error_model": "numpy", "nogil": True}
_REASSOC = {"reassoc"}
# flags as numpy bools: Numba types them as plain booleans, not literals, so no re-specialising
_YES, _NO = np.True_, np.False_


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
# Helpers: leaves (own functions, for their fastmath flags), pairwise drivers, extremes
# --------------------------------------------------------------------------------------------


@cached_njit(**_JIT)
def _push(stack, cnt, s):
    # binary counter: leaf number cnt merges with the equal-sized subtrees below it; older + newer.
    lvl = 0
    k = cnt
    while k & 1:
        s = stack[lvl] + s
        lvl += 1
        k >>= 1
    stack[lvl] = s


@cached_njit(**_JIT)
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


@cached_njit(**_JIT)
def _leaf_sumexp(x, lo, n, c, zero, scratch):
    # sum(exp(x[lo:lo+n] - c)), c the slice max: logsumexp and log_softmax. scratch: >= n.
    _exp_shifted(x[lo : lo + n], c, scratch)
    return _leaf_sum(scratch, 0, n, zero)


@cached_njit(**_JIT)
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


@cached_njit(**_JIT)
def _pw_sum(x, lo, n, zero, stack):
    # pairwise sum of x[lo:lo+n]: BLOCK leaves merged by the binary counter (stack: scratch).
    if n <= BLOCK:
        return _leaf_sum(x, lo, n, zero)
    cnt = 0
    for pos in range(lo, lo + n, BLOCK):
        _push(stack, cnt, _leaf_sum(x, pos, min(BLOCK, lo + n - pos), zero))
        cnt += 1
    return _flush(stack, cnt, zero)


@cached_njit(**_JIT)
def _pw_sqdev(x, lo, n, c, zero, stack):
    # pairwise sum((x[lo:lo+n] - c)**2), same tree as _pw_sum.
    if n <= BLOCK:
        return _leaf_sqdev(x, lo, n, c, zero)
    cnt = 0
    for pos in range(lo, lo + n, BLOCK):
        _push(stack, cnt, _leaf_sqdev(x, pos, min(BLOCK, lo + n - pos), c, zero))
        cnt += 1
    return _flush(stack, cnt, zero)


@cached_njit(**_JIT)
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


@cached_njit(**_JIT)
def _pw_expstore(x, y, lo, n, c, zero, stack):
    # y[lo:lo+n] = exp(x[lo:lo+n] - c); returns their pairwise sum.
    if n <= BLOCK:
        return _leaf_expstore(x, y, lo, n, c, zero)
    cnt = 0
    for pos in range(lo, lo + n, BLOCK):
        _push(stack, cnt, _leaf_expstore(x, y, pos, min(BLOCK, lo + n - pos), c, zero))
        cnt += 1
    return _flush(stack, cnt, zero)


@cached_njit(**_JIT)
def _pw_dot(x, y, lo, n, zero, stack):
    # pairwise sum(x[lo:lo+n] * y[lo:lo+n]).
    if n <= BLOCK:
        return _leaf_dot(x, y, lo, n, zero)
    cnt = 0
    for pos in range(lo, lo + n, BLOCK):
        _push(stack, cnt, _leaf_dot(x, y, pos, min(BLOCK, lo + n - pos), zero))
        cnt += 1
    return _flush(stack, cnt, zero)


@cached_njit(**_JIT)
def _levels(nrows):
    # stack rows _rows_pw needs for nrows rows: bit length of the ROW_BLOCK leaf count.
    nblk = (nrows + ROW_BLOCK - 1) // ROW_BLOCK
    lv = 1
    while (1 << lv) <= nblk:
        lv += 1
    return lv


@cached_njit(**_JIT)
def _rows_pw(x, base, R, B, b0, bw, c, co, sq, dst, doff, scr):
    # dst[doff+j] = pairwise sum over r < R of t(x[base + r*B + b0 + j]), j < bw, where t is the
    # identity, or (v - c[co+j])**2 if sq; leaves of ROW_BLOCK rows vectorised across j;
    # scr: (1 + _levels(R), >= bw) scratch, row 0 the leaf, rows 1.. the counter's stack.
    T = dst.dtype.type
    if R == 0:
        for j in range(bw):
            dst[doff + j] = T(0)
        return
    if R <= ROW_BLOCK:
        lf = dst[doff : doff + bw]
    else:
        lf = scr[0, :bw]
    cs = c[co : co + bw]
    cnt = 0
    for r0 in range(0, R, ROW_BLOCK):
        for j in range(bw):
            lf[j] = T(0)
        for r in range(r0, min(R, r0 + ROW_BLOCK)):
            p = base + r * B + b0
            xr = x[p : p + bw]
            if sq:
                for j in range(bw):
                    d = xr[j] - cs[j]
                    lf[j] += d * d
            else:
                for j in range(bw):
                    lf[j] += xr[j]
        if R <= ROW_BLOCK:
            return
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
        cnt += 1
    d = dst[doff : doff + bw]
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


@cached_njit(**_JIT)
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


@cached_njit(**_JIT)
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


@cached_njit(**_JIT)
def _var_den(R, correction, like):
    # torch's variance divisor max(0, R - correction), in like.dtype (no float64 detour).
    d = R - correction
    if d < 0:
        d = 0.0
    return like.dtype.type(d)


@cached_njit(**_JIT)
def _chunk_rows(B):
    # rows per parallel chunk of an R-split: PAR_CHUNK elements as a power-of-two number of
    # pairwise leaves (BLOCK elements when B == 1, ROW_BLOCK rows otherwise). Serial prod uses
    # it too, so its rounding order matches the parallel one.
    if B == 1:
        return PAR_CHUNK
    rows = ROW_BLOCK
    while rows * 2 * B <= PAR_CHUNK:
        rows *= 2
    return rows


# --------------------------------------------------------------------------------------------
# sum / mean / var
# --------------------------------------------------------------------------------------------


@cached_njit(**_JIT)
def sum_fwd(x3, out2):
    # out2[a,b] = sum_r x3[a,r,b]; pairwise; accumulates in out2.dtype (int64 for ints); R=0 -> 0.
    A, R, B = x3.shape
    xf = x3.reshape(A * R * B)
    of = out2.reshape(A * B)
    zero = of.dtype.type(0)
    if B == 1:
        stack = np.empty(_STACK, of.dtype)
        for a in range(A):
            of[a] = _pw_sum(xf, a * R, R, zero, stack)
    else:
        scr = np.empty((1 + _levels(R), min(TILE, B)), of.dtype)
        for a in range(A):
            for b0 in range(0, B, TILE):
                _rows_pw(
                    xf, a * R * B, R, B, b0, min(TILE, B - b0), of, 0, _NO, of, a * B + b0, scr
                )


@cached_njit(**_JIT)
def sqdev_fwd(x3, c2, out2):
    # out2[a,b] = sum_r (x3[a,r,b] - c2[a,b])**2, pairwise on sum_fwd's tree: variance's pass 2.
    A, R, B = x3.shape
    xf = x3.reshape(A * R * B)
    cf = c2.reshape(A * B)
    of = out2.reshape(A * B)
    zero = of.dtype.type(0)
    if B == 1:
        stack = np.empty(_STACK, of.dtype)
        for a in range(A):
            of[a] = _pw_sqdev(xf, a * R, R, cf[a], zero, stack)
    else:
        scr = np.empty((1 + _levels(R), min(TILE, B)), of.dtype)
        for a in range(A):
            for b0 in range(0, B, TILE):
                o = a * B + b0
                _rows_pw(xf, a * R * B, R, B, b0, min(TILE, B - b0), cf, o, _YES, of, o, scr)


@cached_njit(**_JIT)
def mean_fwd(x3, out2):
    # out2[a,b] = sum_r x3[a,r,b] / R, the pairwise sum then one division; R=0 gives NaN.
    A, R, B = x3.shape
    sum_fwd(x3, out2)
    of = out2.reshape(A * B)
    T = of.dtype.type
    rn = T(R)
    for i in range(A * B):
        of[i] = T(of[i] / rn)


@cached_njit(**_JIT)
def mean_var_fwd(x3, correction, mean2, var2):
    # mean2 = mean over R; var2 = sum_r (x3 - mean)^2 / max(0, R - correction): two-pass.
    A, R, B = x3.shape
    mean_fwd(x3, mean2)
    sqdev_fwd(x3, mean2, var2)
    vf = var2.reshape(A * B)
    T = vf.dtype.type
    den = _var_den(R, correction, vf)
    for i in range(A * B):
        vf[i] = T(vf[i] / den)


@cached_njit(**_JIT)
def var_fwd(x3, correction, out2):
    # out2 = variance over R with torch's correction (1 = unbiased); the mean goes to scratch.
    mean_var_fwd(x3, correction, np.empty_like(out2), out2)


@cached_njit(**_JIT)
def var_bwd(g2, x3, mean2, correction, gx3):
    # gx3[a,r,b] = g2[a,b] * 2 * (x3[a,r,b] - mean2[a,b]) / max(0, R - correction).
    A, R, B = x3.shape
    T = gx3.dtype.type
    k = T(2) / _var_den(R, correction, gx3)
    for a in range(A):
        m = mean2[a]
        g = g2[a]
        for r in range(R):
            xr = x3[a, r]
            gr = gx3[a, r]
            for b in range(B):
                gr[b] = k * g[b] * (xr[b] - m[b])


# --------------------------------------------------------------------------------------------
# prod
# --------------------------------------------------------------------------------------------


@cached_njit(**_JIT)
def prod_fwd(x3, out2):
    # out2[a,b] = prod_r x3[a,r,b] in out2.dtype (int64 for ints, wrapping); R=0 gives 1.
    # Rows are multiplied in chunks of _chunk_rows(B), chunk products in order (= parallel).
    A, R, B = x3.shape
    xf = x3.reshape(A * R * B)
    of = out2.reshape(A * B)
    T = of.dtype.type
    rows = _chunk_rows(B)
    if B == 1:
        for a in range(A):
            p = T(1)
            for r0 in range(0, R, rows):
                p = p * _leaf_prod(xf, a * R + r0, min(rows, R - r0), T(1))
            of[a] = p
        return
    q = np.empty(min(TILE, B), of.dtype)
    for a in range(A):
        for b0 in range(0, B, TILE):
            bw = min(TILE, B - b0)
            ov = of[a * B + b0 : a * B + b0 + bw]
            for j in range(bw):
                ov[j] = T(1)
            for r0 in range(0, R, rows):
                for j in range(bw):
                    q[j] = T(1)
                for r in range(r0, min(R, r0 + rows)):
                    p = (a * R + r) * B + b0
                    xr = xf[p : p + bw]
                    for j in range(bw):
                        q[j] *= xr[j]
                for j in range(bw):
                    ov[j] = ov[j] * q[j]


@cached_njit(**_JIT)
def prod_bwd(g2, x3, out2, gx3):
    # gx3 = g2 * product of the slice's other elements: g*out/x when the slice has no zero; with
    # one zero only its position gets g*prod(others); two or more zeros give 0 (torch's rule).
    A, R, B = x3.shape
    T = gx3.dtype.type
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
                    gx3[a, r, b] = T(0)
                if nz == 1:
                    p = T(1)
                    for r in range(R):
                        if r != zpos:
                            p = p * x3[a, r, b]
                    gx3[a, zpos, b] = g * p


# --------------------------------------------------------------------------------------------
# max / min (values + first index; argmax/argmin are the index output)
# --------------------------------------------------------------------------------------------


@cached_njit(**_JIT)
def _ext_fwd(x3, out2, idx2, want_max):
    # shared body of max_fwd / min_fwd.
    A, R, B = x3.shape
    if R == 0:
        if A * B > 0:
            raise ValueError("max/min of an empty slice")
        return
    xf = x3.reshape(A * R * B)
    of = out2.reshape(A * B)
    jf = idx2.reshape(A * B)
    for a in range(A):
        if B == 1:
            v, i = _ext_contig(xf, a * R, R, want_max)
            of[a] = v
            jf[a] = i
        else:
            for b0 in range(0, B, TILE):
                _rows_ext(xf, a * R * B, R, B, b0, min(TILE, B - b0), of, jf, a * B + b0, want_max)


@cached_njit(**_JIT)
def max_fwd(x3, out2, idx2):
    # out2[a,b] = max_r x3[a,r,b], idx2 (int64) its first r; NaN wins (the first NaN's r).
    # R must be >= 1: an empty max raises ValueError (the caller should raise first).
    _ext_fwd(x3, out2, idx2, _YES)


@cached_njit(**_JIT)
def min_fwd(x3, out2, idx2):
    # out2[a,b] = min_r x3[a,r,b], idx2 (int64) its first r; NaN wins (the first NaN's r).
    _ext_fwd(x3, out2, idx2, _NO)


@cached_njit(**_JIT)
def max_bwd(g2, idx2, gx3):
    # gx3[a, idx2[a,b], b] = g2[a,b], 0 elsewhere: backward of max/min(dim) (the index rule).
    A, R, B = gx3.shape
    gf = gx3.reshape(A * R * B)
    for i in range(gf.size):
        gf[i] = 0
    for a in range(A):
        for b in range(B):
            gx3[a, idx2[a, b], b] = g2[a, b]


@cached_njit(**_JIT)
def amax_bwd(g2, x3, out2, gx3):
    # gx3 = g2 / count where x3 equals the extreme out2 (the NaN positions if out2 is NaN), else
    # 0: torch's evenly-distributed rule for amax/amin and the full max()/min().
    A, R, B = x3.shape
    T = gx3.dtype.type
    for a in range(A):
        for b in range(B):
            m = out2[a, b]
            mnan = m != m
            cnt = 0
            for r in range(R):
                v = x3[a, r, b]
                if (v == m) or (mnan and v != v):
                    cnt += 1
            share = T(g2[a, b] / T(cnt)) if cnt > 0 else T(0)
            for r in range(R):
                v = x3[a, r, b]
                gx3[a, r, b] = share if (v == m) or (mnan and v != v) else T(0)


# --------------------------------------------------------------------------------------------
# logsumexp, softmax, log_softmax: contiguous slices; B > 1 goes through (A, B, R) scratch
# --------------------------------------------------------------------------------------------


@cached_njit(**_JIT)
def _lse_slice(xf, lo, R, stack, zero):
    # max-shifted log(sum(exp(xf[lo:lo+R]))), R >= 1; all -inf gives -inf, +inf gives inf.
    m = _ext_contig(xf, lo, R, _YES)[0]
    if not np.isfinite(m):
        return m
    return m + np.log(_pw_sumexp(xf, lo, R, m, zero, stack))


@cached_njit(**_JIT)
def logsumexp_fwd(x3, out2):
    # out2[a,b] = m + log(sum_r exp(x3[a,r,b] - m)), m the slice max; R=0 or all -inf gives
    # -inf, a +inf gives inf, NaN propagates.
    A, R, B = x3.shape
    of = out2.reshape(A * B)
    T = of.dtype.type
    if R == 0:
        for i in range(A * B):
            of[i] = T(-np.inf)
        return
    xf = x3.reshape(A * R * B)
    if B > 1:
        xt = np.empty(A * R * B, x3.dtype)
        _swap_last(xf, A, R, B, xt)
        xf = xt
    stack = np.empty(_STACK, of.dtype)
    for s in range(A * B):
        of[s] = _lse_slice(xf, s * R, R, stack, T(0))


@cached_njit(**_JIT)
def _softmax_slices(xf, of, S, R, log):
    # softmax (or log_softmax) of S contiguous slices of length R >= 1, in place in of.
    T = of.dtype.type
    stack = np.empty(_STACK, of.dtype)
    for s in range(S):
        lo = s * R
        m = _ext_contig(xf, lo, R, _YES)[0]
        os = of[lo : lo + R]
        if log:
            t = m + np.log(_pw_sumexp(xf, lo, R, m, T(0), stack))
            xs = xf[lo : lo + R]
            for i in range(R):
                os[i] = xs[i] - t
        else:
            inv = T(1) / _pw_expstore(xf, of, lo, R, m, T(0), stack)
            for i in range(R):
                os[i] *= inv


@cached_njit(**_JIT)
def _softmax_fwd(x3, out3, log):
    # shared body of softmax_fwd / log_softmax_fwd.
    A, R, B = x3.shape
    n = A * R * B
    if n == 0:
        return
    if B == 1:
        _softmax_slices(x3.reshape(n), out3.reshape(n), A, R, log)
        return
    xt = np.empty(n, x3.dtype)
    ot = np.empty(n, out3.dtype)
    _swap_last(x3.reshape(n), A, R, B, xt)
    _softmax_slices(xt, ot, A * B, R, log)
    _swap_last(ot, A, B, R, out3.reshape(n))


@cached_njit(**_JIT)
def softmax_fwd(x3, out3):
    # out3 = exp(x3 - max_r) / sum_r exp(x3 - max_r) over R; an all -inf slice gives NaN (torch).
    _softmax_fwd(x3, out3, _NO)


@cached_njit(**_JIT)
def log_softmax_fwd(x3, out3):
    # out3 = x3 - (max_r + log(sum_r exp(x3 - max_r))) over R.
    _softmax_fwd(x3, out3, _YES)


@cached_njit(**_JIT)
def _softmax_bwd_slices(gf, yf, of, S, R, log):
    # backward of S contiguous slices: y*(g - sum(g*y)), or for log_softmax g - exp(y)*sum(g).
    T = of.dtype.type
    stack = np.empty(_STACK, of.dtype)
    for s in range(S):
        lo = s * R
        gs = gf[lo : lo + R]
        ys = yf[lo : lo + R]
        os = of[lo : lo + R]
        if log:
            t = _pw_sum(gf, lo, R, T(0), stack)
            for i in range(R):
                os[i] = gs[i] - fast_exp(ys[i]) * t
        else:
            t = _pw_dot(gf, yf, lo, R, T(0), stack)
            for i in range(R):
                os[i] = ys[i] * (gs[i] - t)


@cached_njit(**_JIT)
def _softmax_bwd(g3, y3, gx3, log):
    # shared body of softmax_bwd / log_softmax_bwd.
    A, R, B = g3.shape
    n = A * R * B
    if n == 0:
        return
    if B == 1:
        _softmax_bwd_slices(g3.reshape(n), y3.reshape(n), gx3.reshape(n), A, R, log)
        return
    gt = np.empty(n, g3.dtype)
    yt = np.empty(n, y3.dtype)
    ot = np.empty(n, gx3.dtype)
    _swap_last(g3.reshape(n), A, R, B, gt)
    _swap_last(y3.reshape(n), A, R, B, yt)
    _softmax_bwd_slices(gt, yt, ot, A * B, R, log)
    _swap_last(ot, A, B, R, gx3.reshape(n))


@cached_njit(**_JIT)
def softmax_bwd(g3, y3, gx3):
    # gx3 = y3 * (g3 - sum_r(g3 * y3)), y3 the softmax output; all (A, R, B).
    _softmax_bwd(g3, y3, gx3, _NO)


@cached_njit(**_JIT)
def log_softmax_bwd(g3, y3, gx3):
    # gx3 = g3 - exp(y3) * sum_r g3, y3 the log_softmax output; all (A, R, B).
    _softmax_bwd(g3, y3, gx3, _YES)


# --------------------------------------------------------------------------------------------
# cumsum
# --------------------------------------------------------------------------------------------


@cached_njit(**_JIT)
def _cumsum(x3, out3, rev):
    # running sum along R (from the end if rev), sequential, carried in out3.dtype.
    A, R, B = x3.shape
    xf = x3.reshape(A * R * B)
    of = out3.reshape(A * R * B)
    T = of.dtype.type
    for a in range(A):
        if B == 1:
            xs = xf[a * R : a * R + R]
            os = of[a * R : a * R + R]
            s = T(0)
            for k in range(R):
                r = R - 1 - k if rev else k
                s += xs[r]
                os[r] = s
            continue
        for k in range(R):
            r = R - 1 - k if rev else k
            p = (a * R + r) * B
            xr = xf[p : p + B]
            cur = of[p : p + B]
            if k == 0:
                for j in range(B):
                    cur[j] = T(0) + xr[j]
            else:
                q = p + B if rev else p - B
                prev = of[q : q + B]
                for j in range(B):
                    cur[j] = prev[j] + xr[j]


@cached_njit(**_JIT)
def cumsum_fwd(x3, out3):
    # out3[a,r,b] = sum_{s<=r} x3[a,s,b], sequential, in out3.dtype (int64 for ints, as torch).
    _cumsum(x3, out3, _NO)


@cached_njit(**_JIT)
def cumsum_bwd(g3, gx3):
    # gx3[a,r,b] = sum_{s>=r} g3[a,s,b]: the reverse cumsum.
    _cumsum(g3, gx3, _YES)


# --------------------------------------------------------------------------------------------
# Combining the partials of an R-split (parallel glue)
# --------------------------------------------------------------------------------------------


@cached_njit(**_JIT)
def _combine_sum(part, out2):
    # out2[a,b] = binary-counter combination over k of part[a,k,b]: the top of the serial tree.
    A, K, B = part.shape
    stack = np.empty(_STACK, part.dtype)
    zero = part.dtype.type(0)
    for a in range(A):
        for b in range(B):
            for k in range(K):
                _push(stack, k, part[a, k, b])
            out2[a, b] = _flush(stack, K, zero)


@cached_njit(**_JIT)
def _combine_prod(part, out2):
    # out2[a,b] = product over k of part[a,k,b] in order, as prod_fwd multiplies its chunks.
    A, K, B = part.shape
    for a in range(A):
        for b in range(B):
            p = part.dtype.type(1)
            for k in range(K):
                p = p * part[a, k, b]
            out2[a, b] = p


@cached_njit(**_JIT)
def _combine_ext(pv, pi, rows, want_max, out2, idx2):
    # first extreme over chunks k (chunk k starts at row k*rows); the first NaN wins.
    A, K, B = pv.shape
    for a in range(A):
        for b in range(B):
            m = pv[a, 0, b]
            best = pi[a, 0, b]
            for k in range(1, K):
                if m != m:
                    break
                v = pv[a, k, b]
                if (v != v) or (want_max and v > m) or ((not want_max) and v < m):
                    m = v
                    best = pi[a, k, b] + k * rows
            out2[a, b] = m
            idx2[a, b] = best


# --------------------------------------------------------------------------------------------
# Parallel variants: the serial kernels on contiguous views, from a thread pool
# --------------------------------------------------------------------------------------------

_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()  # two threads' first parallel reductions make one pool


def _threads() -> int:
    return max(1, min(numba.config.NUMBA_NUM_THREADS, os.cpu_count() or 1))


def _run(fn, tasks) -> None:
    """Run ``fn(*args)`` for every args tuple in ``tasks``, on the pool when there are several."""
    global _POOL
    if not tasks:
        return
    if len(tasks) == 1:
        fn(*tasks[0])
        return
    if _POOL is None:
        with _POOL_LOCK:
            if _POOL is None:
                _POOL = ThreadPoolExecutor(_threads(), thread_name_prefix="jitgrad-reduce")
    futures = [_POOL.submit(fn, *t) for t in tasks[1:]]
    fn(*tasks[0])  # the calling thread works too instead of only waiting
    for f in futures:
        f.result()


def _a_groups(A: int, per_a: int) -> list[tuple[int, int]]:
    """Groups of consecutive slices: about two per thread, each with at least _TASK elements.
    Slices are independent, so the grouping never changes a result."""
    g = max(1, -(-_TASK // max(per_a, 1)), -(-A // (2 * _threads())))
    return [(a0, min(A, a0 + g)) for a0 in range(0, A, g)]


def _split_a(fn, arrays) -> None:
    """``fn`` over groups of the leading axis of every array (all have A first)."""
    A, R, B = arrays[0].shape
    groups = _a_groups(A, R * B)
    _run(fn, [tuple(arr[a0:a1] for arr in arrays) for a0, a1 in groups])


def _use_rsplit(x3) -> bool:
    """R-split when slices are too few to feed every thread but long enough to chunk."""
    A, R, B = x3.shape
    return len(_a_groups(A, R * B)) < _threads() and R >= 2 * int(_chunk_rows(B))


def _rsplit(fn, x3, extra, out_dtype, nout, fixed):
    """Run reduction ``fn(x_chunk, *extra_a, *outs)`` on every (slice, R-chunk); returns the
    chunk height and the partial outputs, each (A, K, B), chunk k covering rows
    [k*rows, (k+1)*rows). Chunks are ``_chunk_rows(B)`` times a power of two, grown until there
    are about two per thread: every such chunk is a whole subtree of the serial pairwise tree,
    so the size never changes a sum. ``fixed`` keeps ``_chunk_rows(B)`` (prod's serial order)."""
    A, R, B = x3.shape
    rows = int(_chunk_rows(B))
    if not fixed:
        while A * -(-R // rows) > 2 * _threads():
            rows *= 2
    K = -(-R // rows)
    outs = [np.empty((A, K, B), dt) for dt in out_dtype[:nout]]
    tasks = []
    for a in range(A):
        for k in range(K):
            xc = x3[a, k * rows : min(R, (k + 1) * rows)].reshape(1, -1, B)
            ea = tuple(e[a : a + 1] for e in extra)
            tasks.append((xc, *ea, *(o[a, k].reshape(1, B) for o in outs)))
    _run(fn, tasks)
    return rows, outs


def _check(*arrays) -> None:
    for arr in arrays:
        if not arr.flags.c_contiguous:
            raise ValueError("reduce kernels need C-contiguous arrays")


def sum_fwd_par(x3, out2):
    """``sum_fwd`` on the thread pool; bitwise equal to it."""
    _check(x3, out2)
    if _use_rsplit(x3):
        _, (part,) = _rsplit(sum_fwd, x3, (), (out2.dtype,), 1, False)
        _combine_sum(part, out2)
    else:
        _split_a(sum_fwd, (x3, out2))


def mean_fwd_par(x3, out2):
    """``mean_fwd`` on the thread pool; bitwise equal to it."""
    _check(x3, out2)
    if _use_rsplit(x3):
        sum_fwd_par(x3, out2)
        np.divide(out2, out2.dtype.type(x3.shape[1]), out=out2)
    else:
        _split_a(mean_fwd, (x3, out2))


def mean_var_fwd_par(x3, correction, mean2, var2):
    """``mean_var_fwd`` on the thread pool; bitwise equal to it."""
    _check(x3, mean2, var2)
    if not _use_rsplit(x3):
        A, R, B = x3.shape
        groups = _a_groups(A, R * B)
        _run(
            mean_var_fwd, [(x3[a0:a1], correction, mean2[a0:a1], var2[a0:a1]) for a0, a1 in groups]
        )
        return
    mean_fwd_par(x3, mean2)
    _, (part,) = _rsplit(sqdev_fwd, x3, (mean2,), (var2.dtype,), 1, False)
    _combine_sum(part, var2)
    den = var2.dtype.type(max(0.0, x3.shape[1] - float(correction)))
    np.divide(var2, den, out=var2)


def var_fwd_par(x3, correction, out2):
    """``var_fwd`` on the thread pool; bitwise equal to it."""
    mean_var_fwd_par(x3, correction, np.empty_like(out2), out2)


def prod_fwd_par(x3, out2):
    """``prod_fwd`` on the thread pool; bitwise equal to it."""
    _check(x3, out2)
    if _use_rsplit(x3):
        _, (part,) = _rsplit(prod_fwd, x3, (), (out2.dtype,), 1, True)
        _combine_prod(part, out2)
    else:
        _split_a(prod_fwd, (x3, out2))


def _ext_par(kernel, want_max, x3, out2, idx2):
    _check(x3, out2, idx2)
    if _use_rsplit(x3):
        rows, (pv, pi) = _rsplit(kernel, x3, (), (out2.dtype, np.int64), 2, False)
        _combine_ext(pv, pi, rows, want_max, out2, idx2)
    else:
        _split_a(kernel, (x3, out2, idx2))


def max_fwd_par(x3, out2, idx2):
    """``max_fwd`` on the thread pool; same result."""
    _ext_par(max_fwd, True, x3, out2, idx2)


def min_fwd_par(x3, out2, idx2):
    """``min_fwd`` on the thread pool; same result."""
    _ext_par(min_fwd, False, x3, out2, idx2)


def logsumexp_fwd_par(x3, out2):
    """``logsumexp_fwd`` on the thread pool (over groups of slices); bitwise equal to it."""
    _check(x3, out2)
    _split_a(logsumexp_fwd, (x3, out2))


def softmax_fwd_par(x3, out3):
    """``softmax_fwd`` on the thread pool (over groups of slices); bitwise equal to it."""
    _check(x3, out3)
    _split_a(softmax_fwd, (x3, out3))


def log_softmax_fwd_par(x3, out3):
    """``log_softmax_fwd`` on the thread pool; bitwise equal to it."""
    _check(x3, out3)
    _split_a(log_softmax_fwd, (x3, out3))


def softmax_bwd_par(g3, y3, gx3):
    """``softmax_bwd`` on the thread pool; bitwise equal to it."""
    _check(g3, y3, gx3)
    _split_a(softmax_bwd, (g3, y3, gx3))


def log_softmax_bwd_par(g3, y3, gx3):
    """``log_softmax_bwd`` on the thread pool; bitwise equal to it."""
    _check(g3, y3, gx3)
    _split_a(log_softmax_bwd, (g3, y3, gx3))


def cumsum_fwd_par(x3, out3):
    """``cumsum_fwd`` on the thread pool (groups of slices; one slice's scan stays serial)."""
    _check(x3, out3)
    _split_a(cumsum_fwd, (x3, out3))


def cumsum_bwd_par(g3, gx3):
    """``cumsum_bwd`` on the thread pool; bitwise equal to it."""
    _check(g3, gx3)
    _split_a(cumsum_bwd, (g3, gx3))


def sum_leading_fwd(x2, out1):
    """``out1[b] = sum_r x2[r, b]``: ``sum_fwd`` on the ``(1, R, B)`` view, the common
    ``sum_to_shape`` case of a gradient broadcast over rows."""
    R, B = x2.shape
    pick(sum_fwd, R * B)(x2.reshape(1, R, B), out1.reshape(1, B))


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
    "sqdev_fwd",
    "sum_fwd",
    "sum_fwd_par",
    "sum_leading_fwd",
    "sum_to_shape",
    "var_bwd",
    "var_fwd",
    "var_fwd_par",
]
