"""Reduction kernels that :mod:`jitgrad.kernels.cpu.reduce` does not provide: vector norms and
the boolean ``all``/``any``.

Same layout contract as ``reduce.py``: a C-contiguous ``(A, R, B)`` input reduced over ``R``
into a preallocated ``(A, B)`` output (use its :func:`reduction_plan`). Sums are blocked: each
:data:`CHUNK` run of ``R`` is accumulated on its own and the partial sums are added, which keeps
float32 norms of millions of elements accurate without a float64 accumulator.
"""

from __future__ import annotations

import numpy as np

from .jit import cached_njit

#: Rows accumulated before a partial sum is folded into the total.
CHUNK = 256

#: ``norm_fwd`` modes (``p`` values with their own loop).
P_GENERAL = 0
P_TWO = 1
P_ONE = 2
P_INF = 3
P_NEG_INF = 4
P_ZERO = 5


@cached_njit(inline="always")
def _term(v, mode, p, zero, one):
    # one element's share of the p-norm's sum (modes P_GENERAL, P_TWO, P_ONE, P_ZERO).
    a = abs(v)
    if mode == P_TWO:
        return a * a
    if mode == P_ONE:
        return a
    if mode == P_ZERO:
        return one if v != 0 else zero
    return a**p


@cached_njit
def norm_fwd(x3, mode, p, out2):
    # out2[a,b] = (sum_r |x3[a,r,b]|^p)^(1/p); P_INF/P_NEG_INF: max/min |x|; P_ZERO: count != 0.
    A, R, B = x3.shape
    zero = out2.dtype.type(0)
    pp = out2.dtype.type(p)
    one = out2.dtype.type(1)
    inv = one / pp if mode == P_GENERAL else zero
    for a in range(A):
        for b in range(B):
            if mode == P_INF or mode == P_NEG_INF:
                m = out2.dtype.type(np.inf) if mode == P_NEG_INF else zero
                for r in range(R):
                    v = abs(x3[a, r, b])
                    if v != v:
                        m = v
                        break
                    if (mode == P_INF and v > m) or (mode == P_NEG_INF and v < m):
                        m = v
                out2[a, b] = m
                continue
            total = zero
            for r0 in range(0, R, CHUNK):
                part = zero
                for r in range(r0, min(R, r0 + CHUNK)):
                    part += _term(x3[a, r, b], mode, pp, zero, one)
                total += part
            if mode == P_TWO:
                total = np.sqrt(total)
            elif mode == P_GENERAL:
                total = total**inv
            out2[a, b] = total


@cached_njit
def all_fwd(x3, out2):
    # out2[a,b] = every x3[a,r,b] != 0 (True for R == 0); stops at the first zero.
    A, R, B = x3.shape
    for a in range(A):
        for b in range(B):
            ok = True
            for r in range(R):
                if x3[a, r, b] == 0:
                    ok = False
                    break
            out2[a, b] = ok


@cached_njit
def any_fwd(x3, out2):
    # out2[a,b] = some x3[a,r,b] != 0 (False for R == 0); stops at the first non-zero.
    A, R, B = x3.shape
    for a in range(A):
        for b in range(B):
            hit = False
            for r in range(R):
                if x3[a, r, b] != 0:
                    hit = True
                    break
            out2[a, b] = hit


__all__ = [
    "CHUNK",
    "P_GENERAL",
    "P_INF",
    "P_NEG_INF",
    "P_ONE",
    "P_TWO",
    "P_ZERO",
    "all_fwd",
    "any_fwd",
    "norm_fwd",
]
