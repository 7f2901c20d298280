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
