"""Vectorizable sin and cos for float32 and float64 (see :mod:`.fastmath` for accuracy,
special values and the fast-math rules): a branch-free Cody-Waite reduction to ``|r| <= pi/4``,
minimax polynomials, and the C library beyond ``|x|`` of 1e5 (float32) / 1.6e6 (float64)."""

from __future__ import annotations

from .fastmath_base import (
    _F,
    _HALF_D,
    _HALF_F,
    _MAGIC_D,
    _MAGIC_F,
    _ONE_D,
    _ONE_F,
    _ZERO_F,
    _bit,
    _fma,
    _jit,
    _libm_cos,
    _libm_cosf,
    _libm_sin,
    _libm_sinf,
    _two_diff,
)

_TWO_OVER_PI_F = _F(0.63661975)
_TWO_OVER_PI_D = float.fromhex("0x1.45f306dc9c883p-1")

# pi/2 for Cody-Waite reduction without FMA. Float32: six chunks of 8 significant bits and a
# float32 remainder (82 bits of pi/2 in all); n < 2**16 makes every n * chunk exact. Float64:
# three chunks of 33 bits and a double remainder (152 bits); n < 2**20 makes n * chunk exact.
_PIO2_1_F = _F(1.5703125)
_PIO2_2_F = _F(0.000484466552734375)
_PIO2_3_F = _F(-6.407499313354492e-07)
_PIO2_4_F = _F(9.89530235528946e-10)
_PIO2_5_F = _F(2.5579538487363607e-12)
_PIO2_6_F = _F(5.384581669432009e-15)
_PIO2_7_F = _F(5.721189e-18)
_PIO2_1_D = float.fromhex("0x1.921fb54400000p+0")
_PIO2_2_D = float.fromhex("0x1.0b4611a600000p-34")
_PIO2_3_D = float.fromhex("0x1.3198a2e000000p-69")
_PIO2_4_D = float.fromhex("0x1.b839a252049c1p-104")

# Inputs above these go to libm: n = rint(x * 2/pi) stays below 2**16 / 2**20, where the
# chunked products above are exact and the reduction keeps full relative accuracy even for the
# float32/float64 values closest to a multiple of pi/2.
_SINCOS_LIMIT_F = _F(1.0e5)
_SINCOS_LIMIT_D = 1.6e6

# Below these |x|, sin(x) correctly rounds to x (x**2/6 < half an ulp); returning x keeps -0.
# and subnormals exact.
_SIN_TINY_F = _F(2.0**-12)
_SIN_TINY_D = 2.0**-27

# sin(r) = r + r**3 * S(r**2), cos(r) = 1 - r**2/2 + r**4 * C(r**2) on |r| <= pi/4 * (1 + 2**-10):
# minimax for relative error by Remez exchange (mpmath), float32: S degree 2 (2**-28.0), C degree
# 2 (2**-33.0); float64: S degree 5 (2**-57.9), C degree 5 (2**-63.9).
_S1_F, _S2_F, _S3_F = _F(-0.16666655), _F(0.008332157), _F(-0.00019514647)
_C1_F, _C2_F, _C3_F = _F(0.041666646), _F(-0.001388731), _F(2.4432431e-05)
_S1_D = float.fromhex("-0x1.5555555555548p-3")
_S2_D = float.fromhex("0x1.111111110f791p-7")
_S3_D = float.fromhex("-0x1.a01a019bf5aa9p-13")
_S4_D = float.fromhex("0x1.71de356067bd9p-19")
_S5_D = float.fromhex("-0x1.ae5e549331f22p-26")
_S6_D = float.fromhex("0x1.5d8e080463a94p-33")
_C1_D = float.fromhex("0x1.555555555554bp-5")
_C2_D = float.fromhex("-0x1.6c16c16c14f49p-10")
_C3_D = float.fromhex("0x1.a01a019c7d06cp-16")
_C4_D = float.fromhex("-0x1.27e4f7e55f788p-22")
_C5_D = float.fromhex("0x1.1ee9d3f394d81p-29")
_C6_D = float.fromhex("-0x1.8fa29d150e2aap-37")


# ---------------------------------------------------------------------------------------------
# sin / cos


@_jit
def _sincos_f(x, quarter):
    """sin(x + quarter * pi/2) for |x| <= 1e5 (quarter is 0 for sin, 1 for cos).

    Cody-Waite reduction r = x - n*pi/2 with pi/2 in 8-bit chunks, so every n * chunk is exact.
    The first two subtractions are exact (Sterbenz; the second result is a multiple of
    ulp(x) below 1). Each of the next ones may round, by up to half an ulp of the running
    value; chained, those roundings cost up to 3.4 ulp of sin/cos, so TwoSum collects them and
    r = rh + rl carries them, which gives <= 1 ulp over the whole range. Next to a multiple of
    pi/2 the steps are exact and the 82 bits of pi/2 keep r's relative accuracy. The quadrant
    n + quarter then picks +-sin(r) or +-cos(r), each corrected to first order in rl.
    """
    t = _fma(x, _TWO_OVER_PI_F, _MAGIC_F)
    n = t - _MAGIC_F
    a = _fma(-n, _PIO2_2_F, _fma(-n, _PIO2_1_F, x))  # exact products: fused or not
    a, e = _two_diff(a, n * _PIO2_3_F)
    a, e4 = _two_diff(a, n * _PIO2_4_F)
    a, e5 = _two_diff(a, n * _PIO2_5_F)
    a, e6 = _two_diff(a, n * _PIO2_6_F)
    a = a - n * _PIO2_7_F
    e = (e + e4) + (e5 + e6)
    rh = a + e
    rl = (a - rh) + e  # Fast2Sum: |e| is a few ulps of a
    z = rh * rh
    # sin(rh + rl) ~ sin(rh) + rl (the rl*rh**2/2 term is below 2**-25 relative)
    s = rh + _fma(rh * z, _fma(z, _fma(z, _S3_F, _S2_F), _S1_F), rl)
    # 1 - z/2 with its rounding error recovered exactly (both subtractions are exact by
    # Sterbenz) and added back with the tail; cos(rh + rl) ~ cos(rh) - rh*rl.
    hz = _HALF_F * z
    w = _ONE_F - hz
    cp = _fma(z, _fma(z, _C3_F, _C2_F), _C1_F)
    c = w + (((_ONE_F - w) - hz) + _fma(z * z, cp, -rh * rl))
    tq = t + quarter
    v = c if _bit(tq, 0) else s
    return -v if _bit(tq, 1) else v


@_jit
def sin32(x):
    """sin of a float32, within 1 ulp, vectorizable; libm ``sinf`` for |x| > 1e5 and inf."""
    ax = abs(x)
    v = _sincos_f(x, _ZERO_F)
    v = x if ax < _SIN_TINY_F else v
    if ax > _SINCOS_LIMIT_F:
        v = _libm_sinf(x)
    return v


@_jit
def cos32(x):
    """cos of a float32, within 1 ulp, vectorizable; libm ``cosf`` for |x| > 1e5 and inf."""
    v = _sincos_f(x, _ONE_F)
    if abs(x) > _SINCOS_LIMIT_F:
        v = _libm_cosf(x)
    return v


@_jit
def _sincos_d(x, quarter):
    """sin(x + quarter * pi/2) for |x| <= 1.6e6, float64.

    Reduction as in _sincos_f with three exact 33-bit chunks; the two subtractions that can
    round are done with TwoSum (Knuth) so that r = rh + rl carries about 100 bits, and the
    polynomials take the rl correction to first order: sin(rh + rl) ~ sin(rh) + rl*cos(rh),
    cos(rh + rl) ~ cos(rh) - rl*sin(rh).
    """
    t = _fma(x, _TWO_OVER_PI_D, _MAGIC_D)
    n = t - _MAGIC_D
    a = _fma(-n, _PIO2_1_D, x)  # exact
    s1, e1 = _two_diff(a, n * _PIO2_2_D)  # the products are exact
    s2, e2 = _two_diff(s1, n * _PIO2_3_D)
    lo = (e1 + e2) - n * _PIO2_4_D
    rh = s2 + lo
    rl = (s2 - rh) + lo  # Fast2Sum: |lo| << |s2|
    z = rh * rh
    sp = _fma(z, _fma(z, _S6_D, _S5_D), _S4_D)
    sp = _fma(z, _fma(z, _fma(z, sp, _S3_D), _S2_D), _S1_D)
    s = rh + _fma(rh * z, sp, _fma(-_HALF_D * z, rl, rl))
    cp = _fma(z, _fma(z, _C6_D, _C5_D), _C4_D)
    cp = _fma(z, _fma(z, _fma(z, cp, _C3_D), _C2_D), _C1_D)
    hz = _HALF_D * z
    wc = _ONE_D - hz
    c = wc + (((_ONE_D - wc) - hz) + _fma(z * z, cp, -rh * rl))
    tq = t + quarter
    res = c if _bit(tq, 0) else s
    return -res if _bit(tq, 1) else res


@_jit
def sin64(x):
    """sin of a float64, within 1 ulp of NumPy, vectorizable; libm ``sin`` for |x| > 1.6e6."""
    ax = abs(x)
    v = _sincos_d(x, 0.0)
    v = x if ax < _SIN_TINY_D else v
    if ax > _SINCOS_LIMIT_D:
        v = _libm_sin(x)
    return v


@_jit
def cos64(x):
    """cos of a float64, within 1 ulp of NumPy, vectorizable; libm ``cos`` for |x| > 1.6e6."""
    v = _sincos_d(x, 1.0)
    if abs(x) > _SINCOS_LIMIT_D:
        v = _libm_cos(x)
    return v
