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

``herm`` (a complex Hermitian ``A = P L D L^H P^T``, LAPACK's ``hetf2``/``hetrs``): the same
sweeps with conjugates where ``L^H`` is read, the diagonal's real parts only (set real in the
result) and the 2x2 block update written over ``|d21|``, as ``hetf2`` does.
"""

from __future__ import annotations

import math

import numpy as np

from .jit import cached_njit

_ALPHA = (1.0 + math.sqrt(17.0)) / 8.0


@cached_njit(error_model="numpy", inline="always")
def _cabs1(v):
    return abs(v.real) + abs(v.imag)


@cached_njit(error_model="numpy", inline="always")
def _cj(v, herm):
    """``conj(v)`` in the Hermitian variant, ``v`` in the symmetric one."""
    return np.conj(v) if herm else v


@cached_njit(error_model="numpy", inline="always")
def _diag_abs(v, herm):
    """How a diagonal element counts in the pivot test: its real part's size when Hermitian."""
    return abs(v.real) if herm else _cabs1(v)


@cached_njit(error_model="numpy", inline="always")
def _set_real(a, i, herm):
    if herm:
        a[i, i] = a[i, i].real


@cached_njit(error_model="numpy")
def _swap(a, i0, j0, i1, j1):
    t = a[i0, j0]
    a[i0, j0] = a[i1, j1]
    a[i1, j1] = t


@cached_njit(error_model="numpy")
def _choose_pivot(a, k, herm):
    """Bunch-Kaufman's choice for column ``k``: ``(kp, kstep)``, or ``(-1, 1)`` for a zero
    (or NaN-headed) column, which LAPACK reports in ``info`` and leaves as it is."""
    n = a.shape[0]
    absakk = _diag_abs(a[k, k], herm)
    imax = k
    colmax = 0.0
    for i in range(k + 1, n):
        s = _cabs1(a[i, k])
        if s > colmax:
            colmax = s
            imax = i
    if max(absakk, colmax) == 0.0 or absakk != absakk:
        return -1, 1
    if absakk >= _ALPHA * colmax:
        return k, 1
    rowmax = 0.0  # the largest off-diagonal element of row/column imax
    for j in range(k, imax):
        rowmax = max(rowmax, _cabs1(a[imax, j]))
    for i in range(imax + 1, n):
        rowmax = max(rowmax, _cabs1(a[i, imax]))
    if absakk >= _ALPHA * colmax * (colmax / rowmax):
        return k, 1
    if _diag_abs(a[imax, imax], herm) >= _ALPHA * rowmax:
        return imax, 1
    return imax, 2


@cached_njit(error_model="numpy")
def _interchange(a, k, kk, kp, kstep, herm):
    """Swap rows and columns ``kk`` and ``kp`` of the trailing lower triangle (what crosses
    the diagonal is conjugated when Hermitian)."""
    n = a.shape[0]
    for i in range(kp + 1, n):
        _swap(a, i, kk, i, kp)
    for j in range(kk + 1, kp):
        t = _cj(a[j, kk], herm)
        a[j, kk] = _cj(a[kp, j], herm)
        a[kp, j] = t
    a[kp, kk] = _cj(a[kp, kk], herm)
    _swap(a, kk, kk, kp, kp)
    if kstep == 2:
        _swap(a, k + 1, k, kp, k)


@cached_njit(error_model="numpy")
def _eliminate(a, k, kstep, herm):
    """The trailing update by the 1x1 or 2x2 pivot block at ``k`` (``L`` into its columns)."""
    n = a.shape[0]
    one = a.dtype.type(1.0)  # in the matrix's precision, as LAPACK's
    if kstep == 1:
        d11 = one / a[k, k]
        for j in range(k + 1, n):  # rank-1 update of the lower trailing matrix
            f = d11 * _cj(a[j, k], herm)
            for i in range(j, n):
                a[i, j] -= a[i, k] * f
            _set_real(a, j, herm)
        for i in range(k + 1, n):
            a[i, k] *= d11
    elif herm:
        if k < n - 2:
            _eliminate_herm2(a, k)
    elif k < n - 2:
        d21 = a[k + 1, k]
        d11 = a[k + 1, k + 1] / d21
        d22 = a[k, k] / d21
        d21 = one / (d11 * d22 - one) / d21
        for j in range(k + 2, n):
            wk = d21 * (d11 * a[j, k] - a[j, k + 1])
            wkp1 = d21 * (d22 * a[j, k + 1] - a[j, k])
            for i in range(j, n):
                a[i, j] -= a[i, k] * wk + a[i, k + 1] * wkp1
            a[j, k] = wk
            a[j, k + 1] = wkp1


@cached_njit(error_model="numpy")
def _eliminate_herm2(a, k):
    """``hetf2``'s update by a Hermitian 2x2 block, scaled by ``|d21|``."""
    n = a.shape[0]
    one = a.dtype.type(1.0)
    d = abs(a[k + 1, k])
    d11 = a[k + 1, k + 1].real / d
    d22 = a[k, k].real / d
    tt = one / (d11 * d22 - one)
    d21 = a[k + 1, k] / d
    d = tt / d
    for j in range(k + 2, n):
        wk = d * (d11 * a[j, k] - d21 * a[j, k + 1])
        wkp1 = d * (d22 * a[j, k + 1] - np.conj(d21) * a[j, k])
        for i in range(j, n):
            a[i, j] -= a[i, k] * np.conj(wk) + a[i, k + 1] * np.conj(wkp1)
        a[j, k] = wk
        a[j, k + 1] = wkp1
        a[j, j] = a[j, j].real


@cached_njit(error_model="numpy")
def _sytf2(a, piv, herm):
    """Factor one symmetric (Hermitian) ``a`` (its lower triangle) in place; LAPACK's ``info``."""
    n = a.shape[0]
    info = 0
    k = n - n  # an int64 0: a literal 0 made Numba compile each helper twice (Literal[int](0))
    while k < n:
        kp, kstep = _choose_pivot(a, k, herm)
        if kp < 0:
            if info == 0:
                info = k + 1
            kp = k
            _set_real(a, k, herm)
        else:
            kk = k + kstep - 1
            if kp != kk:
                _interchange(a, k, kk, kp, kstep, herm)
            _set_real(a, k, herm)
            _set_real(a, kk, herm)
            _set_real(a, kp, herm)
            _eliminate(a, k, kstep, herm)
        if kstep == 1:
            piv[k] = kp + 1
        else:
            piv[k] = -(kp + 1)
            piv[k + 1] = -(kp + 1)
        k += kstep
    return info


@cached_njit(error_model="numpy")
def sytrf_batch(a, piv, info, herm):
    """``_sytf2`` of each ``a[b]``; the strict upper triangle is zeroed, as PyTorch does."""
    for b in range(a.shape[0]):
        info[b] = _sytf2(a[b], piv[b], herm)
        n = a.shape[1]
        for i in range(n):
            for j in range(i + 1, n):
                a[b, i, j] = 0


@cached_njit(error_model="numpy")
def _solve_ld(a, piv, x, herm):
    """``x <- (L D)^-1 P^T x`` (``sytrs``'s first sweep)."""
    n, r = x.shape
    one = x.dtype.type(1.0)
    k = n - n  # an int64 0, not Literal[int](0): see _sytf2
    while k < n:
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
            continue
        kp = -piv[k] - 1
        if kp != k + 1:
            for c in range(r):
                _swap(x, k + 1, c, kp, c)
        for i in range(k + 2, n):
            for c in range(r):
                x[i, c] -= a[i, k] * x[k, c] + a[i, k + 1] * x[k + 1, c]
        akm1k = a[k + 1, k]
        akm1 = a[k, k] / _cj(akm1k, herm)
        ak = a[k + 1, k + 1] / akm1k
        denom = akm1 * ak - one
        for c in range(r):
            bkm1 = x[k, c] / _cj(akm1k, herm)
            bk = x[k + 1, c] / akm1k
            x[k, c] = (ak * bkm1 - bk) / denom
            x[k + 1, c] = (akm1 * bk - bkm1) / denom
        k += 2


@cached_njit(error_model="numpy")
def _solve_lt(a, piv, x, herm):
    """``x <- P L^-T x`` (``L^-H`` when Hermitian; ``sytrs``'s second sweep, from the last
    row up)."""
    n, r = x.shape
    k = n - 1
    while k >= 0:
        step = 1 if piv[k] > 0 else 2
        for c in range(r):
            for col in range(k - step + 1, k + 1):
                s = x[col, c]
                for i in range(k + 1, n):
                    s -= _cj(a[i, col], herm) * x[i, c]
                x[col, c] = s
        kp = (piv[k] if step == 1 else -piv[k]) - 1
        if kp != k:
            for c in range(r):
                _swap(x, k, c, kp, c)
        k -= step


@cached_njit(error_model="numpy")
def sytrs_batch(a, piv, x, herm):
    """``sytrs`` (``hetrs`` when ``herm``) for each matrix of a batch (``a``, ``piv``, ``x``
    batched alike)."""
    for b in range(a.shape[0]):
        _solve_ld(a[b], piv[b], x[b], herm)
        _solve_lt(a[b], piv[b], x[b], herm)
