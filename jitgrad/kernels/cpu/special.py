"""Scalar special functions that generated elementwise kernels call (``_k.digamma(a)``).

Numba gives ``math.lgamma``, ``math.erf`` and ``math.erfc``; the rest of what PyTorch's
``torch.special`` needs is written here as small float64 scalar functions (a float32 kernel
calls them too: its values are rounded on store). Each says its method. They follow PyTorch's
conventions at the edges (``digamma(0) = -inf``, negative integers give NaN, ``erfinv(1) =
inf``), which is what the tests check against recorded PyTorch values.

``scalar.py`` re-exports them, so a generated kernel reaches them as ``_k.<name>``; the
kernel cache stamp hashes every module of the package, this one included.
"""

from __future__ import annotations

import math

from numba import njit

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


@njit(error_model="numpy")
def zeta(s, q):
    """Hurwitz zeta ``sum_k (k + q)^-s`` for real ``s > 1``.

    Method: sum the first terms directly until ``k + q > 9`` (and at least 9 terms), then
    close the tail with the Euler-Maclaurin formula (the integral, half the last term and
    the Bernoulli-number corrections in ``_ZETA_A``), as in Cephes' ``zeta``. ``q`` a
    non-positive integer is a pole (inf); a negative non-integer ``q`` needs an integer ``s``.
    """
    s = float(s)
    q = float(q)
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


@njit(error_model="numpy")
def _gamma_prefactor(a, x):
    """``x^a e^-x / Gamma(a)``, in logs so large a and x do not overflow."""
    return math.exp(a * math.log(x) - x - math.lgamma(a))


@njit(error_model="numpy")
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


@njit(error_model="numpy")
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


@njit(error_model="numpy")
def gammainc(a, x):
    """Regularized lower incomplete gamma P(a, x) (torch.igamma / special.gammainc).

    Method: the series below x = a + 1, ``1 - Q`` from the continued fraction above
    (Numerical Recipes' ``gammp``); ~1e-14 relative for moderate a (below ~1e3).
    PyTorch's edges: NaN for a < 0 or x < 0, 1 for a = 0 < x, 0 at x = 0, 1 at x = inf.
    """
    a = float(a)
    x = float(x)
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


@njit(error_model="numpy")
def gammaincc(a, x):
    """Regularized upper incomplete gamma Q(a, x) = 1 - P(a, x), computed on the side
    where it does not cancel."""
    a = float(a)
    x = float(x)
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


@njit(error_model="numpy")
def digamma(x):
    """psi(x) = d/dx log Gamma(x).

    Method: reflection ``psi(x) = psi(1 - x) - pi / tan(pi x)`` below 0, the recurrence
    ``psi(x) = psi(x + 1) - 1/x`` up to x >= 10, then the asymptotic series
    ``log x - 1/(2x) - sum B_2k / (2k x^2k)`` (7 terms: below float64 rounding at x >= 10).
    PyTorch's edges: ``psi(+-0) = -+inf``, NaN at negative integers and at -inf.
    """
    x = float(x)
    if x != x or x == -_INF:
        return _NAN
    if x == _INF:
        return _INF
    if x == 0.0:
        return -_INF if math.copysign(1.0, x) > 0 else _INF
    result = 0.0
    if x < 0.0:
        if x == math.floor(x):
            return _NAN
        # pi / tan(pi x), with x reduced mod 1 so tan keeps its accuracy
        r = x - math.floor(x)
        result = -_PI / math.tan(_PI * r)
        x = 1.0 - x
    while x < 10.0:
        result -= 1.0 / x
        x += 1.0
    z = 1.0 / (x * x)
    series = z * (
        1.0 / 12
        - z
        * (
            1.0 / 120
            - z * (1.0 / 252 - z * (1.0 / 240 - z * (1.0 / 132 - z * (691.0 / 32760 - z / 12))))
        )
    )
    return result + math.log(x) - 0.5 / x - series


@njit(error_model="numpy")
def trigamma(x):
    """psi'(x), computed as PyTorch computes it so the two agree to rounding: reflection
    ``psi'(1 - x) + psi'(x) = pi^2 / sin^2(pi x)`` below 1/2, the recurrence ``psi'(x) =
    psi'(x + 1) + 1/x^2`` six times, then four terms of the asymptotic series ``1/x +
    1/(2x^2) + sum B_2k / x^(2k+1)`` (~5e-10 relative at small x, as PyTorch's)."""
    x = float(x)
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


@njit(error_model="numpy")
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


@njit(error_model="numpy")
def mvlgamma(x, p):
    """Multivariate log-gamma of dimension ``p``: ``p (p - 1) / 4 log(pi) + sum_i
    lgamma(x - i / 2)``, i = 0..p-1."""
    k = int(p)
    x = float(x)
    total = k * (k - 1) * 0.25 * math.log(_PI)
    for i in range(k):
        total += math.lgamma(x - 0.5 * i)
    return total


@njit(error_model="numpy")
def mvdigamma(x, p):
    """d/dx mvlgamma(x, p) = sum_i digamma(x - i / 2)."""
    k = int(p)
    x = float(x)
    total = 0.0
    for i in range(k):
        total += digamma(x - 0.5 * i)
    return total


@njit(error_model="numpy")
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


@njit(error_model="numpy")
def erfinv(y):
    """The inverse of erf on (-1, 1); +-inf at +-1, NaN outside (see ``_inverse_erf``)."""
    y = float(y)
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


@njit(error_model="numpy")
def ndtri(p):
    """The standard normal quantile: ``x`` with ``Phi(x) = p``, i.e. ``-sqrt(2)
    erfcinv(2p)``, with ``2p`` (or ``2(1 - p)``) handed to ``_inverse_erf`` exactly so tiny
    tail probabilities keep their digits."""
    p = float(p)
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


@njit(error_model="numpy")
def erfcx(x):
    """``exp(x^2) erfc(x)``: the product directly below x = 25, the asymptotic series
    ``1/(x sqrt(pi)) sum (-1)^k (2k-1)!! / (2x^2)^k`` above (erfc underflows there); for
    negative x, ``2 exp(x^2) - erfcx(-x)``."""
    x = float(x)
    if x != x:
        return _NAN
    if x < 0.0:
        if x < -26.7:
            return _INF
        return 2.0 * math.exp(x * x) - erfcx(-x)
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


@njit(error_model="numpy")
def log_ndtr(x):
    """``log Phi(x)``: ``log1p(-Phi(-x))`` above 0 (Phi near 1), ``log(erfcx(-x/sqrt 2) / 2)
    - x^2 / 2`` below, finite far into the left tail."""
    x = float(x)
    if x != x:
        return _NAN
    if x > 0.0:
        return math.log1p(-0.5 * math.erfc(x * 0.7071067811865476))
    t = -x * 0.7071067811865476
    return math.log(0.5 * erfcx(t)) - t * t


@njit(error_model="numpy")
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


@njit(error_model="numpy")
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


@njit(error_model="numpy")
def _i_scaled(x, nu):
    """``I_nu(|x|) e^-|x|`` for nu 0 or 1 and |x| finite."""
    ax = abs(x)
    if ax < 30.0:
        return _bessel_series(ax, nu) * math.exp(-ax)
    return _bessel_asymptotic(ax, 4.0 * nu * nu) / math.sqrt(2.0 * _PI * ax)


@njit(error_model="numpy")
def i0e(x):
    """Exponentially scaled modified Bessel function ``I0(x) e^-|x|``: the power series
    below |x| = 30, the asymptotic expansion above."""
    x = float(x)
    if x != x:
        return _NAN
    if abs(x) == _INF:
        return 0.0
    return _i_scaled(x, 0)


@njit(error_model="numpy")
def i0(x):
    """Modified Bessel function of the first kind, order 0 (``i0e(x) e^|x|``)."""
    x = float(x)
    if x != x:
        return _NAN
    ax = abs(x)
    if ax == _INF:
        return _NAN  # PyTorch's value (its Chebyshev form gives inf * 0)
    if ax < 30.0:
        return _bessel_series(ax, 0)
    if ax > 720.0:
        return _INF
    # e^x split in two so e^x / sqrt(x) does not overflow before the product does
    half = math.exp(0.5 * ax)
    return (half * _bessel_asymptotic(ax, 0.0) / math.sqrt(2.0 * _PI * ax)) * half


@njit(error_model="numpy")
def i1e(x):
    """``I1(x) e^-|x|`` (odd in x)."""
    x = float(x)
    if x != x:
        return _NAN
    if abs(x) == _INF:
        return 0.0
    return math.copysign(_i_scaled(x, 1), x)


@njit(error_model="numpy")
def i1(x):
    """Modified Bessel function of the first kind, order 1 (odd in x)."""
    x = float(x)
    if x != x:
        return _NAN
    ax = abs(x)
    if ax == _INF:
        return _NAN  # as PyTorch
    if ax < 30.0:
        return math.copysign(_bessel_series(ax, 1), x)
    if ax > 720.0:
        return math.copysign(_INF, x)
    half = math.exp(0.5 * ax)
    value = (half * _bessel_asymptotic(ax, 4.0) / math.sqrt(2.0 * _PI * ax)) * half
    return math.copysign(value, x)


@njit(error_model="numpy")
def sinc(x):
    """``sin(pi x) / (pi x)``, 1 at 0."""
    if x == 0:
        return 1.0
    t = _PI * float(x)
    return math.sin(t) / t


__all__ = [
    "digamma",
    "erfcx",
    "erfinv",
    "gammainc",
    "gammaincc",
    "i0",
    "i0e",
    "i1",
    "i1e",
    "log_ndtr",
    "mvdigamma",
    "mvlgamma",
    "ndtri",
    "polygamma",
    "sinc",
    "trigamma",
    "zeta",
]
