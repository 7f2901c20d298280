"""Scalar helpers that generated elementwise kernels call (``_k.maximum(a, b)``).

Only what numpy's scalar functions do not already give inside Numba lives here. The kernel
cache key hashes this file, so editing it invalidates every generated kernel.
"""

from __future__ import annotations

import cmath

import numpy as np
from numba import njit

from . import complex_inverse as _CI
from .bits import gcd, ipow, lcm, ldexp, nextafter  # noqa: F401 - as below
from .lane_rows import add_rows
from .special import (  # noqa: F401 - generated kernels call them as _k.<name>
    erfcx,
    erfinv,
    fma,
    i0,
    i0e,
    i1,
    i1e,
    log_ndtr,
    ndtri,
    sinc,
    sinc32,
)
from .special_gamma import (  # noqa: F401 - as above
    digamma,
    digamma32,
    gammainc,
    gammaincc,
    mvdigamma,
    mvlgamma,
    polygamma,
    polygamma32,
    trigamma,
    zeta,
)

#: The special functions above, by name (the CUDA backend compiles each for the device).
SPECIAL = (
    "erfcx erfinv i0 i0e i1 i1e log_ndtr ndtri sinc sinc32 "
    "digamma digamma32 gammainc gammaincc mvdigamma mvlgamma polygamma polygamma32 trigamma zeta "
    "gcd ipow lcm ldexp nextafter"
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


def _cdiv(a, b, one):
    """``a / b`` for complex values as numpy and PyTorch's c10::complex divide (Smith's
    algorithm; a zero divisor gives inf/nan parts). Numba's own complex ``/`` raises
    ZeroDivisionError on a zero divisor whatever the error model. Returns the two parts."""
    ar, ai, c, d = a.real, a.imag, b.real, b.imag
    abs_c, abs_d = abs(c), abs(d)
    if abs_c >= abs_d:
        if abs_c == 0 and abs_d == 0:
            return ar / abs_c, ai / abs_d
        rat = d / c
        scl = one / (c + d * rat)
        return (ar + ai * rat) * scl, (ai - ar * rat) * scl
    rat = c / d
    scl = one / (d + c * rat)
    return (ar * rat + ai) * scl, (ai * rat - ar) * scl


@njit(inline="always", error_model="numpy")
def cdiv_complex64(a, b):  # complex64 a / b (see _cdiv)
    re, im = _cdiv(a, b, np.float32(1))
    return np.complex64(complex(np.float32(re), np.float32(im)))


@njit(inline="always", error_model="numpy")
def cdiv_complex128(a, b):  # complex128 a / b (see _cdiv)
    re, im = _cdiv(a, b, np.float64(1))
    return complex(re, im)


@njit(inline="always", error_model="numpy")
def sgn(z):  # torch.sgn of a complex value: z / |z|, 0 at 0
    mag = abs(z)
    return z * 0 if mag == 0 else z / mag


_cdiv = njit(inline="always", error_model="numpy")(_cdiv)

# complex64 exp, log, sqrt, sin, cos, sinh, cosh, tanh, sgn and ** as the op declarations render
# them (``_k.exp_complex64(z)``): on the CPU Numba's own cmath functions and ``**``; the CUDA
# backend computes them in float32 instead (jitgrad.backends.cuda.devcomplex).
sgn_complex64 = sgn


def _complex64(fn):
    """Numba's own ``fn`` (a cmath function) as an inlined helper."""
    return njit(inline="always")(lambda z: fn(z))


exp_complex64 = _complex64(cmath.exp)
log_complex64 = _complex64(cmath.log)
sqrt_complex64 = _complex64(cmath.sqrt)
sin_complex64 = _complex64(cmath.sin)
cos_complex64 = _complex64(cmath.cos)
sinh_complex64 = _complex64(cmath.sinh)
cosh_complex64 = _complex64(cmath.cosh)
tanh_complex64 = _complex64(cmath.tanh)


# complex acos (complex128), acosh, atan, atanh: jitgrad.kernels.complex_inverse, compiled here
_inverse = {n: njit(inline="always", error_model="numpy")(f) for n, f in _CI.FUNCTIONS.items()}
globals().update(_inverse)  # asin_complex64 ... atanh_complex128: the names kernels call


@njit(inline="always", error_model="numpy")
def pow_complex64(a, b):
    return a**b


pow_complex128 = pow_complex64  # (``**`` of either width: Numba's own on the CPU)


__all__ = [  # (and the complex inverse functions, by their names in FUNCTIONS)
    *_inverse,
    "cdiv_complex64",
    "cdiv_complex128",
    "cos_complex64",
    "cosh_complex64",
    "exp_complex64",
    "log_complex64",
    "maximum",
    "minimum",
    "np",
    "pow_complex64",
    "pow_complex128",
    "sgn",
    "sgn_complex64",
    "sin_complex64",
    "sinh_complex64",
    "sqrt_complex64",
    "tanh_complex64",
    "sign32",
    "sign64",
]


@njit(error_model="numpy")
def fold_sum(x, zero):  # sum of a short 1-D block in a fixed pairwise order; x is overwritten
    # The one summation order every executor shares (compiled fused kernels, tier 0, capture):
    # fold the upper half onto the lower, x[i] += x[i + ceil(n/2)] for i < n//2, and repeat on
    # the ceil(n/2) left, so the tree is a property of this source and of n alone. No fastmath:
    # each level is an elementwise add of two disjoint slices, which LLVM vectorizes without
    # ``reassoc`` (4096 float32 in 0.66 us, the former ``reassoc`` float64 sum 1.13 us; Run
    # floorsum), and NaN and inf propagate as in any order. Summed in x's dtype (a float32
    # block in float32: a pairwise tree of depth 12 loses less than PyTorch's cascade,
    # tests/test_fold_sum.py); ``zero`` is the type the result is returned in (float64 for a
    # float32 block: the blocks' partial sums are added in float64).
    n = x.shape[0]
    if n == 0:
        return zero
    while n > 1:
        k = n - n // 2
        lo = x[: n - k]  # slices indexed from 0: x[i + k] kept a wraparound select, not vector
        hi = x[k:n]
        for i in range(n - k):
            lo[i] = lo[i] + hi[i]
        n = k
    return zero + x[0]


#: Lanes of :func:`lanes_sum`'s order: 64 float32 are four AVX-512 vectors, so the lanes' adds
#: vectorize without ``reassoc`` and a block loop accumulating them stays memory-bound.
LANES = 64


@njit(error_model="numpy")
def lanes_sum(x, lanes, zero):  # sum of a 1-D block in the 64-lane order; lanes is scratch
    # The 64-lane order (perf/RESULTS.md, Run lanes64): lane l adds x[i] for i = l (mod 64) in
    # increasing i, from 0 in x's dtype; the 64 lanes are then summed by ``fold_sum``. A loop
    # that keeps ``lanes`` itself (``lanes[i % 64] += s`` in its element loop) gives the same
    # bits as this function over the stored summands, so a kernel may take either form, and
    # so does one adding its block's summands a sub-block at a time with ``lanes_add``.
    for l in range(LANES):
        lanes[l] = 0
    lanes_add(x, lanes)
    return lanes_fold(lanes, x.shape[0], zero)


@njit(error_model="numpy")
def lanes_add(x, lanes):  # x's summands into the lanes in the 64-lane order
    # x starts at a multiple of 64 within its block (lane 0 gets x[0]); only a block's last
    # part may have a length that is not a multiple of 64. Whole rows go through ``add_rows``
    # (its lanes in registers: Run gelu13), the rest one by one.
    n = x.shape[0]
    m = n - n % LANES
    add_rows(x, lanes, m // LANES)
    for i in range(m, n):
        lanes[i - m] = lanes[i - m] + x[i]


@njit(error_model="numpy")
def lanes_fold(lanes, n, zero):  # a block of n summands' sum from its lanes (overwritten)
    return fold_sum(lanes[: min(n, LANES)], zero)


@njit(fastmath={"reassoc"}, error_model="numpy")
def interleave_hint(acc, s):  # acc + s, reorderable: a block loop's discarded running sum
    # Only this add carries ``reassoc`` (LLVM keeps the flag on the inlined instruction), so
    # the loop becomes a reduction loop that the vectorizer interleaves, and nothing else in
    # it may be reordered. Its value is never used (jitgrad.fusion.block_render says why).
    return acc + s
