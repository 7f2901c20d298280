"""max / min over the ``(A, R, B)`` layout of :mod:`.reduce`: values and first index
(argmax/argmin are the index output), and their backwards."""

from __future__ import annotations

import numpy as np

from .jit import cached_njit
from .reduce_leaves import _JIT, _NO, _YES, TILE, _ext_contig, _rows_ext


@cached_njit(**_JIT)
def extreme_fwd(x3, want_max, out2, idx2):
    # out2[a,b] = max_r (min_r if not want_max) x3[a,r,b], idx2 (int64) its first r; NaN wins
    # (the first NaN's r). R must be >= 1: an empty max raises ValueError (the caller should
    # raise first). One kernel for both (want_max a plain bool at run time, never a literal):
    # max and min were two compiles per dtype of the same code.
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


def max_fwd(x3, out2, idx2):
    """out2[a,b] = max_r x3[a,r,b], idx2 (int64) its first r (:func:`extreme_fwd`)."""
    if not _exact_extreme(x3, np.argmax, out2, idx2):
        extreme_fwd(x3, _YES, out2, idx2)


def min_fwd(x3, out2, idx2):
    """out2[a,b] = min_r x3[a,r,b], idx2 (int64) its first r (:func:`extreme_fwd`)."""
    if not _exact_extreme(x3, np.argmin, out2, idx2):
        extreme_fwd(x3, _NO, out2, idx2)


def _exact_extreme(x3, arg, out2, idx2) -> bool:
    """The extreme of integers and booleans by NumPy: no NaN, and ``argmax``/``argmin`` pick
    the first r of the extreme, as the kernel does, so the same values and indices without a
    compile of :func:`extreme_fwd` per integer dtype (~0.9 CPU s each, Run ttime18a). False
    (nothing done) for floats, and for R = 0 (the kernel's error)."""
    if x3.dtype.kind not in "iub" or x3.shape[1] == 0 or idx2.dtype != np.intp:
        return False
    arg(x3, axis=1, out=idx2)
    np.copyto(out2, np.take_along_axis(x3, idx2[:, None, :], axis=1)[:, 0, :])
    return True


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
