"""Scalar gamma-family functions for generated kernels (``_k.digamma(a)``): digamma,
trigamma, polygamma, the multivariate log-gamma and its derivative, the Hurwitz zeta and the
regularized incomplete gamma functions. Float64 scalar code (float32 kernels round on
store); each function's docstring names its method. Edges follow PyTorch (``digamma(0) =
-inf``, NaN at negative integers ...), which the tests check against recorded values.

``scalar.py`` re-exports them; the kernel cache stamp hashes every module of the package.
"""

from __future__ import annotations

import math

import numpy as np

from .jit import cached_njit

_PI = math.pi
_NAN = math.nan
_INF = math.inf

#: Euler-Maclaurin correction terms of the Hurwitz zeta sum: (2k)! / B_2k, k = 1..12.
_ZETA_A = (
    12.0,
    -720.0,
    30240.0,
    -1209600.0,
    47900160.0,
    -1.8924375803183791606e9,
    7.47242496e10,
    -2.950130727918164224e12,
    1.1646782814350067249e14,
    -4.5979787224074726105e15,
    1.8152105401943546773e17,
    -7.1661652561756670113e18,
)
_EPS = 1.1102230246251565e-16


@cached_njit(error_model="numpy")
def zeta(s, q):
    """Hurwitz zeta ``sum_k (k + q)^-s`` for real ``s > 1``.

    Method: sum the first terms directly until ``k + q > 9`` (and at least 9 terms), then
    close the tail with the Euler-Maclaurin formula (the integral, half the last term and
    the Bernoulli-number corrections in ``_ZETA_A``), as in Cephes' ``zeta``. ``q`` a
    non-positive integer is a pole (inf); a negative non-integer ``q`` needs an integer ``s``.
    """
    s = np.float64(s)
    q = np.float64(q)
    if s == 1.0:
        return _INF
    if s < 1.0 or s != s or q != q:
        return _NAN
    if q <= 0.0:
        if q == math.floor(q):
            return _INF
        if s != math.floor(s):
            return _NAN
    total = q**-s
    a = q
    i = 0
    b = 0.0
    while i < 9 or a <= 9.0:
        i += 1
        a += 1.0
        b = a**-s
        total += b
        if abs(b / total) < _EPS:
            return total
    w = a
    total += b * w / (s - 1.0)
    total -= 0.5 * b
    fac = 1.0
    k = 0.0
    for j in range(12):
        fac *= s + k
        b /= w
        t = fac * b / _ZETA_A[j]
        total += t
        if abs(t / total) < _EPS:
            return total
        k += 1.0
        fac *= s + k
        b /= w
        k += 1.0
    return total


@cached_njit(error_model="numpy")
def _gamma_prefactor(a, x):
    """``x^a e^-x / Gamma(a)``, in logs so large a and x do not overflow."""
    return math.exp(a * math.log(x) - x - math.lgamma(a))


@cached_njit(error_model="numpy")
def _gamma_series(a, x):
    """P(a, x) by its power series ``x^a e^-x / Gamma(a) sum x^n / (a (a+1) ... (a+n))``
    (all terms positive; used for x < a + 1, where it converges fastest)."""
    term = 1.0 / a
    total = term
    n = 1.0
    while n < 2000.0:
        term *= x / (a + n)
        total += term
        if term < total * 1e-17:
            break
        n += 1.0
    return total * _gamma_prefactor(a, x)


@cached_njit(error_model="numpy")
def _gamma_fraction(a, x):
    """Q(a, x) by its continued fraction (modified Lentz; used for x >= a + 1)."""
    tiny = 1e-300
    b = x + 1.0 - a
    c = 1.0 / tiny
    d = 1.0 / b
    h = d
    i = 1.0
    while i < 2000.0:
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        if abs(d) < tiny:
            d = tiny
        c = b + an / c
        if abs(c) < tiny:
            c = tiny
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-16:
            break
        i += 1.0
    return h * _gamma_prefactor(a, x)


@cached_njit(error_model="numpy")
def gammainc(a, x):
    """Regularized lower incomplete gamma P(a, x) (torch.igamma / special.gammainc).

    Method: the series below x = a + 1, ``1 - Q`` from the continued fraction above
    (Numerical Recipes' ``gammp``); ~1e-14 relative for moderate a (below ~1e3).
    PyTorch's edges: NaN for a < 0 or x < 0, 1 for a = 0 < x, 0 at x = 0, 1 at x = inf.
    """
    a = np.float64(a)
    x = np.float64(x)
    if a != a or x != x or a < 0.0 or x < 0.0 or (a == 0.0 and x == 0.0):
        return _NAN
    if a == 0.0:
        return 1.0
    if x == 0.0:
        return 0.0
    if x == _INF:
        return 1.0 if a != _INF else _NAN
    if x < a + 1.0:
        return _gamma_series(a, x)
    return 1.0 - _gamma_fraction(a, x)


@cached_njit(error_model="numpy")
def gammaincc(a, x):
    """Regularized upper incomplete gamma Q(a, x) = 1 - P(a, x), computed on the side
    where it does not cancel."""
    a = np.float64(a)
    x = np.float64(x)
    if a != a or x != x or a < 0.0 or x < 0.0 or (a == 0.0 and x == 0.0):
        return _NAN
    if a == 0.0:
        return 0.0
    if x == 0.0:
        return 1.0
    if x == _INF:
        return 0.0 if a != _INF else _NAN
    if x < a + 1.0:
        return 1.0 - _gamma_series(a, x)
    return _gamma_fraction(a, x)


#: psi(10), where PyTorch's recurrence stops exactly (``calc_digamma``'s ``PSI_10``)
_PSI_10 = 2.25175258906672110764
#: the asymptotic series' coefficients, as PyTorch's ``calc_digamma`` evaluates them
_PSI_A = (
    8.33333333333333333333e-2, -2.10927960927960927961e-2, 7.57575757575757575758e-3,
    -4.16666666666666666667e-3, 3.96825396825396825397e-3, -8.33333333333333333333e-3,
    8.33333333333333333333e-2,
)  # fmt: skip
_PSI_A32 = tuple(np.float32(c) for c in _PSI_A)


@cached_njit(error_model="numpy")
def digamma(x):
    """psi(x) = d/dx log Gamma(x), step for step PyTorch's ``calc_digamma(double)`` (so the
    two agree to the last bit): reflection ``psi(x) = psi(1 - x) - pi / tan(pi r)`` below 0
    (``r`` the fraction of ``x`` towards zero), the recurrence ``psi(x) = psi(x + 1) - 1/x``
    up to x >= 10 (``psi(10)`` a constant), then the asymptotic series ``log x - 1/(2x) -
    z P(z)``, ``z = 1/x^2``. Edges: ``psi(+-0) = -+inf``, NaN at negative integers and -inf.
    """
    x = np.float64(x)
    if x == 0.0:
        return -_INF if math.copysign(1.0, x) > 0 else _INF
    if x < 0.0:
        if x == math.trunc(x):
            return _NAN
        r = x - math.trunc(x)
        return _digamma_positive(1.0 - x) - _PI / math.tan(_PI * r)
    return _digamma_positive(x)


@cached_njit(error_model="numpy")
def _digamma_positive(x):
    """:func:`digamma` of an ``x > 0`` (or NaN, +inf): the recurrence and the series."""
    result = 0.0
    while x < 10.0:
        result -= 1.0 / x
        x += 1.0
    if x == 10.0:
        return result + _PSI_10
    y = 0.0
    if x < 1.0e17:
        z = 1.0 / (x * x)
        p = _PSI_A[0]
        for k in range(1, 7):
            p = p * z + _PSI_A[k]
        y = z * p
    return result + math.log(x) - 0.5 / x - y


@cached_njit(error_model="numpy")
def digamma32(x):
    """:func:`digamma` of a float32 (float16, bfloat16) as PyTorch's ``calc_digamma(float)``:
    the same steps in float32 arithmetic (its reflection term in double, then rounded), so
    ``digamma(1.0)`` is -0.57721591, not the float32 of Euler's constant -0.57721567."""
    x = np.float32(x)
    one = np.float32(1.0)
    if x == 0:
        return np.float32(-_INF) if math.copysign(1.0, x) > 0 else np.float32(_INF)
    if x < 0:
        if np.float64(x) == math.trunc(np.float64(x)):
            return np.float32(_NAN)
        r = np.float64(x) - math.trunc(np.float64(x))
        reflection = np.float32(_PI / math.tan(_PI * r))
        return np.float32(_digamma32_positive(one - x) - reflection)
    return _digamma32_positive(x)


@cached_njit(error_model="numpy")
def _digamma32_positive(x):
    """:func:`digamma32` of an ``x > 0`` (or NaN, +inf): the recurrence and the series."""
    one = np.float32(1.0)
    result = np.float32(0.0)
    while x < np.float32(10.0):
        result = np.float32(result - one / x)
        x = np.float32(x + one)
    if x == np.float32(10.0):
        return np.float32(result + np.float32(_PSI_10))
    y = np.float32(0.0)
    if x < np.float32(1.0e17):
        z = np.float32(one / np.float32(x * x))
        p = _PSI_A32[0]
        for k in range(1, 7):
            p = np.float32(np.float32(p * z) + _PSI_A32[k])
        y = np.float32(z * p)
    log_x = np.float32(math.log(np.float64(x)))
    return np.float32(np.float32(np.float32(result + log_x) - np.float32(0.5) / x) - y)


@cached_njit(error_model="numpy")
def trigamma(x):
    """psi'(x), computed as PyTorch computes it so the two agree to rounding: reflection
    ``psi'(1 - x) + psi'(x) = pi^2 / sin^2(pi x)`` below 1/2, the recurrence ``psi'(x) =
    psi'(x + 1) + 1/x^2`` six times, then four terms of the asymptotic series ``1/x +
    1/(2x^2) + sum B_2k / x^(2k+1)`` (~5e-10 relative at small x, as PyTorch's)."""
    x = np.float64(x)
    sign = 1.0
    result = 0.0
    if x < 0.5:
        sign = -1.0
        sp = math.sin(_PI * x)
        result -= _PI * _PI / (sp * sp)
        x = 1.0 - x
    for _ in range(6):
        result += 1.0 / (x * x)
        x += 1.0
    z = 1.0 / (x * x)
    result += (1.0 + 0.5 / x + z * (1.0 / 6 - z * (1.0 / 30 - z * (1.0 / 42)))) / x
    return sign * result


@cached_njit(error_model="numpy")
def polygamma(n, x):
    """The n-th derivative of digamma: digamma, trigamma, then
    ``(-1)^(n+1) n! zeta(n + 1, x)`` (PyTorch's own reduction)."""
    k = int(n)
    if k == 0:
        return digamma(x)
    if k == 1:
        return trigamma(x)
    sign = 1.0 if k % 2 == 1 else -1.0
    return sign * math.exp(math.lgamma(k + 1.0)) * zeta(k + 1.0, x)


@cached_njit(error_model="numpy")
def polygamma32(n, x):
    """:func:`polygamma` of a float32: ``n = 0`` is :func:`digamma32`, as PyTorch's."""
    if int(n) == 0:
        return digamma32(x)
    return polygamma(n, x)


@cached_njit(error_model="numpy")
def mvlgamma(x, p):
    """Multivariate log-gamma of dimension ``p``: ``p (p - 1) / 4 log(pi) + sum_i
    lgamma(x - i / 2)``, i = 0..p-1."""
    k = int(p)
    x = np.float64(x)
    total = k * (k - 1) * 0.25 * math.log(_PI)
    for i in range(k):
        total += math.lgamma(x - 0.5 * i)
    return total


@cached_njit(error_model="numpy")
def mvdigamma(x, p):
    """d/dx mvlgamma(x, p) = sum_i digamma(x - i / 2)."""
    k = int(p)
    x = np.float64(x)
    total = 0.0
    for i in range(k):
        total += digamma(x - 0.5 * i)
    return total


__all__ = [
    "digamma",
    "digamma32",
    "gammainc",
    "gammaincc",
    "mvdigamma",
    "mvlgamma",
    "polygamma",
    "polygamma32",
    "trigamma",
    "zeta",
]
