"""LU factorization with partial pivoting (LAPACK's ``getrf``) as a Numba loop.

``numpy.linalg`` factors a matrix inside ``solve``/``inv``/``det`` but never returns the
factors, and SciPy (which has ``lu_factor``) is not a jitgrad dependency, so the
factorization ``torch.linalg.lu_factor`` returns is computed here. It follows LAPACK's
unblocked ``getf2``: the pivot of column ``j`` is the first row of largest ``|re| + |im|``
(``i?amax``; plain ``|x|`` for real input) at or below the diagonal; a zero pivot sets
``info`` (the first one, 1-based) and leaves the column unscaled; the multipliers are scaled
by the pivot's reciprocal as ``getf2`` does when the pivot is not tiny. LAPACK's blocked and
recursive variants (which PyTorch's build calls for large matrices) pick the same pivots in
exact arithmetic, so results agree to rounding, except where two candidates tie to rounding.
"""

from __future__ import annotations

import numpy as np

from .jit import cached_njit


@cached_njit(error_model="numpy")
def getrf_batch(a, piv, info):
    """Factor each ``a[b]`` (m x n) in place: unit-lower L below the diagonal, U on and above;
    ``piv[b, j]`` the 1-based row swapped with row ``j``; ``info[b]`` LAPACK's."""
    nb, m, n = a.shape
    k = min(m, n)
    one = a.dtype.type(1.0)
    tiny = np.finfo(a.real.dtype).tiny
    for b in range(nb):
        info[b] = 0
        for j in range(k):
            p = j
            v = a[b, j, j]
            best = abs(v.real) + abs(v.imag)
            for i in range(j + 1, m):  # a NaN never wins after the first row (reference i?amax)
                v = a[b, i, j]
                s = abs(v.real) + abs(v.imag)
                if s > best:
                    best = s
                    p = i
            piv[b, j] = p + 1
            if a[b, p, j] != 0:
                if p != j:
                    for c in range(n):
                        t = a[b, j, c]
                        a[b, j, c] = a[b, p, c]
                        a[b, p, c] = t
                pivot = a[b, j, j]
                if abs(pivot) >= tiny:
                    r = one / pivot
                    for i in range(j + 1, m):
                        a[b, i, j] *= r
                else:
                    for i in range(j + 1, m):
                        a[b, i, j] /= pivot
            elif info[b] == 0:
                info[b] = j + 1
            for i in range(j + 1, m):
                f = a[b, i, j]
                if f != 0:
                    for c in range(j + 1, n):
                        a[b, i, c] -= f * a[b, j, c]
