"""Scalar special functions that generated elementwise kernels call (``_k.erfinv(a)``): the
erf and normal-distribution family, modified Bessel functions of order 0 and 1, sinc (the
gamma family is ``special_gamma.py``).

Numba gives ``math.lgamma``, ``math.erf`` and ``math.erfc``; the rest of what PyTorch's
``torch.special`` needs is written as small float64 scalar functions (a float32 kernel
calls them too: its values are rounded on store). Each says its method. They follow PyTorch's
conventions at the edges (``erfinv(1) = inf``, ``i0(inf) = nan``), which is what the tests
check against recorded PyTorch values.

``scalar.py`` re-exports them, so a generated kernel reaches them as ``_k.<name>``; the
kernel cache stamp hashes every module of the package, this one included. They are
``@cached_njit`` (``special_gamma.py``'s too), not plain ``@njit``: a process compiling a kernel
that calls one loads it when another process has compiled it (both test workers compiled each
once: perf/RESULTS.md "Run firstrun9"); a loaded helper is still inlined into its callers.
"""

from __future__ import annotations

import math

import numpy as np

from .fma import fma  # noqa: F401 - through scalar's import list, generated kernels' _k.fma
from .jit import cached_njit

_PI = math.pi
_NAN = math.nan
_INF = math.inf
#: The Bessel orders as numpy scalars: a literal 0 or 1 argument is typed Literal[int], and
#: Numba compiled the series once per literal (and again inside ``_i_scaled``)
_NU0, _NU1 = np.int64(0), np.int64(1)


@cached_njit(error_model="numpy")
def _inverse_erf(ay, q):
    """x >= 0 with erf(x) = ay, given ``q = 1 - ay`` computed exactly by the caller (it
    carries the digits near 1 that ``ay`` itself has lost).

    Method: M. Giles, "Approximating the erfinv function" (GPU Computing Gems, 2011): a
    polynomial in ``w = -log(1 - y^2)`` (two branches, ~1e-7 relative in the middle, ~1e-3
    in the tails; below q = 1e-10 the asymptotic ``erfc x ~ exp(-x^2) / (x sqrt pi)``
    solved by fixed-point steps instead), then Newton steps (each doubles the correct
    digits) on ``erf(x) - y``, or on ``log(erfc x) - log(q)`` for y > 1/2, until a step is
    below rounding.
    """
    w = -math.log(q * (2.0 - q))
    if w < 5.0:
        w -= 2.5
        p = 2.81022636e-08
        p = 3.43273939e-07 + p * w
        p = -3.5233877e-06 + p * w
        p = -4.39150654e-06 + p * w
        p = 0.00021858087 + p * w
        p = -0.00125372503 + p * w
        p = -0.00417768164 + p * w
        p = 0.246640727 + p * w
        p = 1.50140941 + p * w
    else:
        w = math.sqrt(w) - 3.0
        p = -0.000200214257
        p = 0.000100950558 + p * w
        p = 0.00134934322 + p * w
        p = -0.00367342844 + p * w
        p = 0.00573950773 + p * w
        p = -0.0076224613 + p * w
        p = 0.00943887047 + p * w
        p = 1.00167406 + p * w
        p = 2.83297682 + p * w
    x = p * ay
    if q < 1e-10:  # past the polynomial's range: erfc(x) ~ exp(-x^2) / (x sqrt(pi)), solved
        x = math.sqrt(-math.log(q))
        for _ in range(3):
            x = math.sqrt(-math.log(q * 1.7724538509055159 * x))
    target = math.log(q)
    for _ in range(8):
        if ay > 0.5:
            c = math.erfc(x)
            step = (math.log(c) - target) * c / (-1.1283791670955126 * math.exp(-x * x))
        else:
            step = (math.erf(x) - ay) / (1.1283791670955126 * math.exp(-x * x))
        x -= step
        if abs(step) <= 1e-16 * x:
            break
    return x


@cached_njit(error_model="numpy")
def erfinv(y):
    """The inverse of erf on (-1, 1); +-inf at +-1, NaN outside (see ``_inverse_erf``)."""
    y = np.float64(y)
    if y != y or y < -1.0 or y > 1.0:
        return _NAN
    if y == 1.0:
        return _INF
    if y == -1.0:
        return -_INF
    if y == 0.0:
        return y
    ay = abs(y)
    return math.copysign(_inverse_erf(ay, 1.0 - ay), y)


@cached_njit(error_model="numpy")
def ndtri(p):
    """The standard normal quantile: ``x`` with ``Phi(x) = p``, i.e. ``-sqrt(2)
    erfcinv(2p)``, with ``2p`` (or ``2(1 - p)``) handed to ``_inverse_erf`` exactly so tiny
    tail probabilities keep their digits."""
    p = np.float64(p)
    if p != p or p < 0.0 or p > 1.0:
        return _NAN
    if p == 0.0:
        return -_INF
    if p == 1.0:
        return _INF
    if p == 0.5:
        return 0.0
    if p < 0.5:
        q = 2.0 * p
        return -1.4142135623730951 * _inverse_erf(1.0 - q, q)
    q = 2.0 * (1.0 - p)
    return 1.4142135623730951 * _inverse_erf(1.0 - q, q)


@cached_njit(error_model="numpy")
def erfcx(x):
    """``exp(x^2) erfc(x)``, in float64 for every input type (``exp(x^2)`` overflows float32
    from x = 9.4). The float64 work is a separate function: a recursion whose argument
    changes type (float32 calling float64) crashes when numba loads it from its cache."""
    return _erfcx64(np.float64(x))


@cached_njit(error_model="numpy")
def _erfcx64(x):
    """``exp(x^2) erfc(x)``: the product directly below x = 25, the asymptotic series
    ``1/(x sqrt(pi)) sum (-1)^k (2k-1)!! / (2x^2)^k`` above (erfc underflows there); for
    negative x, ``2 exp(x^2) - erfcx(-x)``."""
    if x != x:
        return _NAN
    if x < 0.0:
        if x < -26.7:
            return _INF
        return 2.0 * math.exp(x * x) - _erfcx64(-x)
    if x < 25.0:
        return math.exp(x * x) * math.erfc(x)
    if x == _INF:
        return 0.0
    z = 1.0 / (2.0 * x * x)
    total = 1.0
    term = 1.0
    for k in range(1, 12):
        term *= -(2.0 * k - 1.0) * z
        total += term
    return total / (x * 1.7724538509055159)


@cached_njit(error_model="numpy")
def log_ndtr(x):
    """``log Phi(x)``: ``log1p(-Phi(-x))`` above 0 (Phi near 1), ``log(erfcx(-x/sqrt 2) / 2)
    - x^2 / 2`` below, finite far into the left tail."""
    x = np.float64(x)
    if x != x:
        return _NAN
    if x > 0.0:
        return math.log1p(-0.5 * math.erfc(x * 0.7071067811865476))
    t = -x * 0.7071067811865476
    return math.log(0.5 * erfcx(t)) - t * t


@cached_njit(error_model="numpy")
def _bessel_asymptotic(x, nu4):
    """``sum_k (-1)^k a_k(nu) / x^k`` of the large-x expansion of ``I_nu(x) e^-x sqrt(2 pi
    x)``, with ``nu4 = 4 nu^2``; summed until the terms stop shrinking or fall below
    rounding (x >= 30: under 1e-17)."""
    total = 1.0
    term = 1.0
    k = 1
    while k < 200:
        odd = 2.0 * k - 1.0
        nxt = -term * (nu4 - odd * odd) / (k * 8.0 * x)
        if abs(nxt) >= abs(term):
            break
        term = nxt
        total += term
        if abs(term) < 1e-17 * abs(total):
            break
        k += 1
    return total


@cached_njit(error_model="numpy")
def _bessel_series(x, nu):
    """``sum_k (x/2)^(2k + nu) / (k! (k + nu)!)`` for nu 0 or 1: every term positive (for
    x > 0), so the sum is accurate to a few roundings."""
    h = 0.5 * x
    q = h * h
    term = 1.0 if nu == 0 else h
    total = term
    k = 1
    while k < 500:
        term *= q / (k * (k + nu))
        total += term
        if term < 1e-17 * total:
            break
        k += 1
    return total


@cached_njit(error_model="numpy")
def _i_scaled(x, nu):
    """``I_nu(|x|) e^-|x|`` for nu 0 or 1 and |x| finite."""
    ax = abs(x)
    if ax < 30.0:
        return _bessel_series(ax, nu) * math.exp(-ax)
    return _bessel_asymptotic(ax, 4.0 * nu * nu) / math.sqrt(2.0 * _PI * ax)


@cached_njit(error_model="numpy")
def i0e(x):
    """Exponentially scaled modified Bessel function ``I0(x) e^-|x|``: the power series
    below |x| = 30, the asymptotic expansion above."""
    x = np.float64(x)
    if x != x:
        return _NAN
    if abs(x) == _INF:
        return 0.0
    return _i_scaled(x, _NU0)


@cached_njit(error_model="numpy")
def i0(x):
    """Modified Bessel function of the first kind, order 0 (``i0e(x) e^|x|``)."""
    x = np.float64(x)
    if x != x:
        return _NAN
    ax = abs(x)
    if ax == _INF:
        return _NAN  # PyTorch's value (its Chebyshev form gives inf * 0)
    if ax < 30.0:
        return _bessel_series(ax, _NU0)
    if ax > 720.0:
        return _INF
    # e^x split in two so e^x / sqrt(x) does not overflow before the product does
    half = math.exp(0.5 * ax)
    return (half * _bessel_asymptotic(ax, 0.0) / math.sqrt(2.0 * _PI * ax)) * half


@cached_njit(error_model="numpy")
def i1e(x):
    """``I1(x) e^-|x|`` (odd in x)."""
    x = np.float64(x)
    if x != x:
        return _NAN
    if abs(x) == _INF:
        return 0.0
    return math.copysign(_i_scaled(x, _NU1), x)


@cached_njit(error_model="numpy")
def i1(x):
    """Modified Bessel function of the first kind, order 1 (odd in x)."""
    x = np.float64(x)
    if x != x:
        return _NAN
    ax = abs(x)
    if ax == _INF:
        return _NAN  # as PyTorch
    if ax < 30.0:
        return math.copysign(_bessel_series(ax, _NU1), x)
    if ax > 720.0:
        return math.copysign(_INF, x)
    half = math.exp(0.5 * ax)
    value = (half * _bessel_asymptotic(ax, 4.0) / math.sqrt(2.0 * _PI * ax)) * half
    return math.copysign(value, x)


@cached_njit(error_model="numpy")
def sinc(x):
    """``sin(pi x) / (pi x)``, 1 at 0."""
    if x == 0:
        return 1.0
    t = _PI * np.float64(x)
    return math.sin(t) / t


@cached_njit(error_model="numpy")
def sinc32(x):
    """``sinc`` of a float32 as PyTorch computes it: ``pi x`` rounded to float32 first, so
    ``sinc`` at a nonzero integer is ``sin(fl(pi x)) / fl(pi x)`` (~3e-8), not ~1e-17."""
    if x == 0:
        return 1.0
    t = np.float64(np.float32(_PI) * np.float32(x))
    return math.sin(t) / t


__all__ = [
    "erfcx",
    "erfinv",
    "i0",
    "i0e",
    "i1",
    "i1e",
    "log_ndtr",
    "ndtri",
    "sinc",
    "sinc32",
]
