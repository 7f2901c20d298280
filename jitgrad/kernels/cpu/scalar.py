"""Scalar helpers that generated elementwise kernels call (``_k.maximum(a, b)``).

Only what numpy's scalar functions do not already give inside Numba lives here. The kernel
cache key hashes this file, so editing it invalidates every generated kernel.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .special import (  # noqa: F401 - generated kernels call them as _k.<name>
    erfcx,
    erfinv,
    i0,
    i0e,
    i1,
    i1e,
    log_ndtr,
    ndtri,
    sinc,
)
from .special_gamma import (  # noqa: F401 - as above
    digamma,
    gammainc,
    gammaincc,
    mvdigamma,
    mvlgamma,
    polygamma,
    trigamma,
    zeta,
)

#: The special functions above, by name (the CUDA backend compiles each for the device).
SPECIAL = (
    "erfcx erfinv i0 i0e i1 i1e log_ndtr ndtri sinc "
    "digamma gammainc gammaincc mvdigamma mvlgamma polygamma trigamma zeta"
).split()


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


@njit(inline="always")
def sign32(a):  # torch.sign: +-1, and 0 for a zero of either sign and for NaN (np.sign: -0., nan)
    return np.float32(1) if a > 0 else (np.float32(-1) if a < 0 else np.float32(0))


@njit(inline="always")
def sign64(a):  # as sign32, in float64
    return np.float64(1) if a > 0 else (np.float64(-1) if a < 0 else np.float64(0))


__all__ = ["maximum", "minimum", "np", "sign32", "sign64"]


@njit(fastmath={"reassoc"}, error_model="numpy")
def block_sum(x, zero):  # sum of a short 1-D block, vectorized
    # ``reassoc`` (and nothing else: NaN and inf still propagate) lets LLVM split the sum into
    # a fixed set of vector partial sums: 4096 float32 in 0.29 us, where four scalar
    # accumulators took 1.1 us. The split depends only on the compiled code and the block's
    # length, so the result is the same on every run and with any thread count. Flags stay on
    # the instructions, so the caller's arithmetic is not reassociated.
    # ``zero`` sets the accumulator type: a float32 block is summed in float64, so the block
    # itself can stay float32 (a float64 scratch store halves the vector width of the loop
    # that fills it).
    s = zero
    for i in range(x.shape[0]):
        s += x[i]
    return s
