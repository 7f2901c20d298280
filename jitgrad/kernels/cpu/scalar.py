"""Scalar helpers that generated elementwise kernels call (``_k.maximum(a, b)``).

Only what numpy's scalar functions do not already give inside Numba lives here. The kernel
cache key hashes this file, so editing it invalidates every generated kernel.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(inline="always")
def maximum(a, b):  # elementwise max that propagates NaN from either side, like torch.maximum
    if a != a:
        return a
    if b != b:
        return b
    return a if a >= b else b


@njit(inline="always")
def minimum(a, b):  # elementwise min that propagates NaN from either side, like torch.minimum
    if a != a:
        return a
    if b != b:
        return b
    return a if a <= b else b


__all__ = ["maximum", "minimum", "np"]


@njit
def block_sum(x, zero):  # sum of a short 1-D block with four independent accumulators
    # Four chains hide the add latency (a single running sum is one add per 4 cycles); the
    # order is fixed, so the result is the same on every run and with any thread count.
    # ``zero`` sets the accumulator type: a float32 block is summed in float64, so the block
    # itself can stay float32 (a float64 scratch store halves the vector width of the loop
    # that fills it).
    n = x.shape[0]
    s0 = s1 = s2 = s3 = zero
    m = n - n % 4
    for i in range(0, m, 4):
        s0 += x[i]
        s1 += x[i + 1]
        s2 += x[i + 2]
        s3 += x[i + 3]
    for i in range(m, n):
        s0 += x[i]
    return (s0 + s1) + (s2 + s3)
