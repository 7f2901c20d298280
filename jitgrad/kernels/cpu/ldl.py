"""The Bunch-Kaufman ``L D L^T`` factorization of symmetric matrices (LAPACK's ``sytf2``,
lower triangle) and the solve with its factors (``sytrs``), as Numba loops: numpy exposes
neither and SciPy is not a jitgrad dependency.

Layout as LAPACK's (and ``torch.linalg.ldl_factor``'s): ``L`` unit-lower below the diagonal,
``D`` block-diagonal with 1x1 and 2x2 blocks on the diagonal (a 2x2 block's off-diagonal in
the lower triangle); ``piv[k] = p > 0`` (1-based): rows/columns ``k`` and ``p`` swapped and
a 1x1 block; ``piv[k] = piv[k + 1] = -p``: a 2x2 block, rows/columns ``k + 1`` and ``p``
swapped. The pivot test is Bunch and Kaufman's with ``alpha = (1 + sqrt(17)) / 8``; the
largest element of a column is the first of largest ``|re| + |im|`` (``i?amax``). LAPACK's
blocked ``sytrf`` makes the same pivot choices, so results agree to rounding.
"""

from __future__ import annotations

import math

from .jit import cached_njit

_ALPHA = (1.0 + math.sqrt(17.0)) / 8.0


@cached_njit(error_model="numpy", inline="always")
def _cabs1(v):
    return abs(v.real) + abs(v.imag)


@cached_njit(error_model="numpy")
def _swap(a, i0, j0, i1, j1):
    t = a[i0, j0]
    a[i0, j0] = a[i1, j1]
    a[i1, j1] = t


@cached_njit(error_model="numpy")
def _sytf2(a, piv):
    """Factor one symmetric ``a`` (its lower triangle) in place; LAPACK's ``info``."""
    n = a.shape[0]
    one = a.dtype.type(1.0)  # the updates in the matrix's precision, as LAPACK's
    info = 0
    k = 0
    while k < n:
        kstep = 1
        absakk = _cabs1(a[k, k])
        imax = k
        colmax = 0.0
        for i in range(k + 1, n):
            s = _cabs1(a[i, k])
            if s > colmax:
                colmax = s
                imax = i
        if max(absakk, colmax) == 0.0 or absakk != absakk:
            if info == 0:
                info = k + 1
            kp = k
        else:
            if absakk >= _ALPHA * colmax:
                kp = k
            else:
                rowmax = 0.0  # the largest off-diagonal element of row/column imax
                for j in range(k, imax):
                    rowmax = max(rowmax, _cabs1(a[imax, j]))
                for i in range(imax + 1, n):
                    rowmax = max(rowmax, _cabs1(a[i, imax]))
                if absakk >= _ALPHA * colmax * (colmax / rowmax):
                    kp = k
                elif _cabs1(a[imax, imax]) >= _ALPHA * rowmax:
                    kp = imax
                else:
                    kp = imax
                    kstep = 2
            kk = k + kstep - 1
            if kp != kk:  # interchange rows and columns kk and kp of the trailing matrix
                for i in range(kp + 1, n):
                    _swap(a, i, kk, i, kp)
                for j in range(kk + 1, kp):
                    _swap(a, j, kk, kp, j)
                _swap(a, kk, kk, kp, kp)
                if kstep == 2:
                    _swap(a, k + 1, k, kp, k)
            if kstep == 1:
                d11 = one / a[k, k]
                for j in range(k + 1, n):  # rank-1 update of the lower trailing matrix
                    f = d11 * a[j, k]
                    for i in range(j, n):
                        a[i, j] -= a[i, k] * f
                for i in range(k + 1, n):
                    a[i, k] *= d11
            elif k < n - 2:
                d21 = a[k + 1, k]
                d11 = a[k + 1, k + 1] / d21
                d22 = a[k, k] / d21
                t = one / (d11 * d22 - one)
                d21 = t / d21
                for j in range(k + 2, n):
                    wk = d21 * (d11 * a[j, k] - a[j, k + 1])
                    wkp1 = d21 * (d22 * a[j, k + 1] - a[j, k])
                    for i in range(j, n):
                        a[i, j] -= a[i, k] * wk + a[i, k + 1] * wkp1
                    a[j, k] = wk
                    a[j, k + 1] = wkp1
        if kstep == 1:
            piv[k] = kp + 1
        else:
            piv[k] = -(kp + 1)
            piv[k + 1] = -(kp + 1)
        k += kstep
    return info


@cached_njit(error_model="numpy")
def sytrf_batch(a, piv, info):
    """``_sytf2`` of each ``a[b]``; the strict upper triangle is zeroed, as PyTorch does."""
    for b in range(a.shape[0]):
        info[b] = _sytf2(a[b], piv[b])
        n = a.shape[1]
        for i in range(n):
            for j in range(i + 1, n):
                a[b, i, j] = 0


@cached_njit(error_model="numpy")
def _sytrs(a, piv, x):
    """Overwrite ``x`` (n x r) with ``A^-1 x`` from one ``_sytf2`` result."""
    n, r = x.shape
    one = x.dtype.type(1.0)
    k = 0
    while k < n:  # L D y = P x
        if piv[k] > 0:
            kp = piv[k] - 1
            if kp != k:
                for c in range(r):
                    _swap(x, k, c, kp, c)
            for i in range(k + 1, n):
                for c in range(r):
                    x[i, c] -= a[i, k] * x[k, c]
            for c in range(r):
                x[k, c] /= a[k, k]
            k += 1
        else:
            kp = -piv[k] - 1
            if kp != k + 1:
                for c in range(r):
                    _swap(x, k + 1, c, kp, c)
            for i in range(k + 2, n):
                for c in range(r):
                    x[i, c] -= a[i, k] * x[k, c] + a[i, k + 1] * x[k + 1, c]
            akm1k = a[k + 1, k]
            akm1 = a[k, k] / akm1k
            ak = a[k + 1, k + 1] / akm1k
            denom = akm1 * ak - one
            for c in range(r):
                bkm1 = x[k, c] / akm1k
                bk = x[k + 1, c] / akm1k
                x[k, c] = (ak * bkm1 - bk) / denom
                x[k + 1, c] = (akm1 * bk - bkm1) / denom
            k += 2
    k = n - 1
    while k >= 0:  # L^T then the interchanges back
        if piv[k] > 0:
            for c in range(r):
                s = x[k, c]
                for i in range(k + 1, n):
                    s -= a[i, k] * x[i, c]
                x[k, c] = s
            kp = piv[k] - 1
            if kp != k:
                for c in range(r):
                    _swap(x, k, c, kp, c)
            k -= 1
        else:
            for c in range(r):
                s0 = x[k, c]
                s1 = x[k - 1, c]
                for i in range(k + 1, n):
                    s0 -= a[i, k] * x[i, c]
                    s1 -= a[i, k - 1] * x[i, c]
                x[k, c] = s0
                x[k - 1, c] = s1
            kp = -piv[k] - 1
            if kp != k:
                for c in range(r):
                    _swap(x, k, c, kp, c)
            k -= 2


@cached_njit(error_model="numpy")
def sytrs_batch(a, piv, x):
    """``_sytrs`` of each matrix of a batch (``a``, ``piv``, ``x`` batched alike)."""
    for b in range(a.shape[0]):
        _sytrs(a[b], piv[b], x[b])
