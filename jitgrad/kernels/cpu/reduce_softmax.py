"""The reductions along ``R`` that keep or exponentiate: logsumexp, softmax, log_softmax
(contiguous slices; ``B > 1`` goes through ``(A, B, R)`` scratch) and cumsum, forward and
backward, over the layout of :mod:`.reduce`."""

from __future__ import annotations

import numpy as np
from numba import njit

from .fastmath import fast_exp
from .jit import cached_njit
from .reduce_leaves import (
    _INLINE,
    _JIT,
    _NO,
    _STACK,
    _YES,
    _ext_contig,
    _pw_dot,
    _pw_expstore,
    _pw_sum,
    _pw_sumexp,
    _swap_last,
    exact_in_numpy,
)


@njit(**_INLINE)
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


@cached_njit(**_JIT, inputs=1)  # (x read-only or not: one compile, Run ttime18a)
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


def _softmax_fwd(x3, out3, log) -> None:
    # shared body of softmax_fwd / log_softmax_fwd, run from Python: contiguous slices go
    # straight to _softmax_slices; B > 1 through (A*B, R) scratch and _swap_last.
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


def softmax_fwd(x3, out3) -> None:
    """``out3 = exp(x3 - max_r) / sum_r exp(x3 - max_r)`` over R (an all -inf slice gives NaN,
    as torch). Python, not ``@njit``: a compiled driver around the slice kernel cost a compile
    of its own on a program's first softmax."""
    _softmax_fwd(x3, out3, _NO)


def log_softmax_fwd(x3, out3) -> None:
    """``out3 = x3 - (max_r + log(sum_r exp(x3 - max_r)))`` over R, as :func:`softmax_fwd`."""
    _softmax_fwd(x3, out3, _YES)


@cached_njit(**_JIT, inputs=2)  # (a saved y is read-only, a fresh one not: one compile)
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


def _softmax_bwd(g3, y3, gx3, log) -> None:
    # shared body of softmax_bwd / log_softmax_bwd, run from Python as _softmax_fwd.
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


def softmax_bwd(g3, y3, gx3) -> None:
    """``gx3 = y3 * (g3 - sum_r(g3 * y3))``, y3 the softmax output; all (A, R, B)."""
    _softmax_bwd(g3, y3, gx3, _NO)


def log_softmax_bwd(g3, y3, gx3) -> None:
    """``gx3 = g3 - exp(y3) * sum_r g3``, y3 the log_softmax output; all (A, R, B)."""
    _softmax_bwd(g3, y3, gx3, _YES)


# --------------------------------------------------------------------------------------------
# cumsum
# --------------------------------------------------------------------------------------------


@cached_njit(**_JIT)
def cumsum_dir(x3, rev, out3):
    # running sum along R (from the end if rev), sequential, carried in out3.dtype. One kernel
    # for cumsum and its backward (rev a plain bool at run time): they were two compiles per
    # dtype of the same code.
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


def cumsum_fwd(x3, out3):
    """out3[a,r,b] = sum_{s<=r} x3[a,s,b], sequential, in out3.dtype (int64 for ints, as
    torch): :func:`cumsum_dir` forward; an integer scan of one dtype by NumPy's ``cumsum``
    (:func:`exact_in_numpy`: wrapping adds, the same bits, no compile per integer dtype)."""
    if exact_in_numpy(x3.dtype, out3.dtype):
        np.cumsum(x3, axis=1, dtype=out3.dtype, out=out3)
        return
    cumsum_dir(x3, _NO, out3)


def cumsum_bwd(g3, gx3):
    """gx3[a,r,b] = sum_{s>=r} g3[a,s,b]: the reverse cumsum (:func:`cumsum_dir`)."""
    cumsum_dir(g3, _YES, gx3)
