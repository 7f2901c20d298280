"""sum, mean, var and prod over the ``(A, R, B)`` layout of :mod:`.reduce`, forward and
backward (pairwise sums; prod in a fixed serial order)."""

from __future__ import annotations

import numpy as np

from .jit import cached_njit
from .reduce_leaves import (
    _JIT,
    _NO,
    _STACK,
    _YES,
    TILE,
    _chunk_rows,
    _leaf_prod,
    _levels,
    _pw_sqdev,
    _pw_sum,
    _rows_pw,
    _var_den,
    exact_in_numpy,
)


@cached_njit(**_JIT)
def sum_sq_fwd(x3, c2, sq, out2):
    # out2[a,b] = sum_r t(x3[a,r,b]), t the identity, or (v - c2[a,b])**2 when sq (variance's
    # pass 2); pairwise; accumulates in out2.dtype (int64 for ints); R=0 -> 0. c2 is read only
    # when sq. One kernel for both: the strided driver compiled both loops already (sq is a
    # run-time flag), so sum and variance of one dtype share one compile (~1.3 CPU s each
    # when they were two kernels).
    A, R, B = x3.shape
    xf = x3.reshape(A * R * B)
    cf = c2.reshape(A * B)
    of = out2.reshape(A * B)
    zero = of.dtype.type(0)
    if B == 1:
        stack = np.empty(_STACK, of.dtype)
        for a in range(A):
            if sq:
                of[a] = _pw_sqdev(xf, a * R, R, cf[a], zero, stack)
            else:
                of[a] = _pw_sum(xf, a * R, R, zero, stack)
    else:
        scr = np.empty((1 + _levels(R), min(TILE, B)), of.dtype)
        for a in range(A):
            for b0 in range(0, B, TILE):
                o = a * B + b0
                _rows_pw(xf, a * R * B, R, B, b0, min(TILE, B - b0), cf, o, sq, of, o, scr)


def sum_fwd(x3, out2):
    """out2[a,b] = sum_r x3[a,r,b] (:func:`sum_sq_fwd` without the square; out2 stands in
    for the unread c2, so sum and variance of one dtype call the same overload). A sum of
    integers or booleans into an integer they convert to exactly (wrapping) is the same number
    in any order of adds, so NumPy's ``add.reduce`` gives the kernel's bits without its compile
    (~2.3 CPU s per signature: perf/RESULTS.md, Runs ttime18a, porttime18)."""
    if exact_in_numpy(x3.dtype, out2.dtype):
        np.add.reduce(x3, axis=1, dtype=out2.dtype, out=out2)
        return
    sum_sq_fwd(x3, out2, _NO, out2)


def sqdev_fwd(x3, c2, out2):
    """out2[a,b] = sum_r (x3[a,r,b] - c2[a,b])**2 on sum_fwd's tree: variance's pass 2."""
    sum_sq_fwd(x3, c2, _YES, out2)


def divide_by(out2, n) -> None:
    """``out2 /= n`` in the 2-D ``out2``'s dtype, in place: the one division that makes a mean
    or a variance of a sum. numpy's division of two floats of one dtype (array or scalar) is
    IEEE's correctly rounded one, as a kernel's ``T(s / T(n))`` is, so the bits are the same;
    a kernel of its own for it cost a compile per dtype that nested (and re-optimised) the
    sum's. A single value is divided as a scalar (a ufunc call with ``out=`` costs ~1.5 us,
    which a small ``x.mean()`` would feel). ``n == 0`` gives NaN or inf quietly, as in torch."""
    den = out2.dtype.type(n)
    if den == 0:
        with np.errstate(divide="ignore", invalid="ignore"):
            np.divide(out2, den, out=out2, casting="unsafe")
    elif out2.size == 1:
        out2[0, 0] = out2[0, 0] / den
    else:
        np.divide(out2, den, out=out2, casting="unsafe")


def var_den(R: int, correction: float) -> float:
    """torch's variance divisor ``max(0, R - correction)`` (in float64, as the kernels had it
    before the cast to the result's dtype)."""
    return max(0.0, R - float(correction))


def mean_fwd(x3, out2):
    """out2[a,b] = sum_r x3[a,r,b] / R: ``sum_fwd``'s pairwise sums, then one division;
    R = 0 gives NaN. Not a kernel of its own: see :func:`divide_by`."""
    sum_fwd(x3, out2)
    divide_by(out2, x3.shape[1])


def mean_var_fwd(x3, correction, mean2, var2):
    """mean2 = mean over R; var2 = sum_r (x3 - mean)^2 / max(0, R - correction): two-pass
    (``mean_fwd``, then ``sqdev_fwd`` around it, then one division)."""
    mean_fwd(x3, mean2)
    sqdev_fwd(x3, mean2, var2)
    divide_by(var2, var_den(x3.shape[1], correction))


def var_fwd(x3, correction, out2):
    """out2 = variance over R with torch's correction (1 = unbiased); the mean goes to scratch."""
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


def prod_fwd(x3, out2):
    """out2[a,b] = prod_r x3[a,r,b] (:func:`_prod_rows`); an integer product of one dtype by
    NumPy's ``multiply.reduce`` (:func:`exact_in_numpy`: the same wrapped bits)."""
    if exact_in_numpy(x3.dtype, out2.dtype):
        np.multiply.reduce(x3, axis=1, dtype=out2.dtype, out=out2)
        return
    _prod_rows(x3, out2)


@cached_njit(**_JIT)
def _prod_rows(x3, out2):
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
