"""Vectorizable tanh, sin, cos and exp for float32 and float64 inside Numba kernels.

Why this module exists: inside an ``@njit`` loop Numba lowers ``np.tanh``/``np.sin``/``np.cos``/
``np.exp`` on scalars to calls into the C library (``tanhf``, ``sinf``, ...). LLVM cannot
vectorize a loop around an opaque call, so every element pays a full scalar libm call, 3-10x
slower than NumPy's SIMD ufuncs. The functions here use only ``+ - * /``, comparisons feeding
selects, and integer bit casts, all of which the LLVM loop vectorizer turns into AVX/AVX2/AVX-512
code, so a generated elementwise kernel that calls ``tanh32(x[i])`` runs at SIMD speed.

Public functions (each takes and returns one scalar of the same dtype; float32 code is pure
float32, there is no widening to double anywhere in it):

* ``tanh32``, ``tanh64``: all finite and infinite inputs, no fallback.
* ``exp32``, ``exp64``: all inputs, including subnormal results and overflow to inf.
* ``sin32``, ``cos32``: branch-free Cody-Waite reduction for ``|x| <= 1e5``; beyond that the C
  library's ``sinf``/``cosf`` is called for that element only (see "Large arguments").
* ``sin64``, ``cos64``: the same for ``|x| <= 1.6e6`` with the C library's ``sin``/``cos`` beyond.

Accuracy, in ulps of the result's dtype. float32, against the float64 result, exhaustively over
every float32 input while writing this module: tanh32 <= 1.95, exp32 <= 0.96, sin32 <= 0.97,
cos32 <= 0.95 (sin/cos on |x| <= 1e5, libm beyond); with the fused multiply-adds (below):
tanh32 <= 1.96 over every float32 in [2**-12, 9.07] (1.67 on every 7th below), exp32 <= 0.99
over every third float32 in [-89, 89], sin32 <= 0.88 and cos32 <= 0.93 over every 13th;
tanh32 since it reduces |x| rather than 2|x| (session 7, values changed in the last bit for some
inputs): <= 1.951 over every float32 in [2**-12, 10], 1.67 over every third below.
float64, against NumPy over 2*10**6 random inputs per range, and against 40-digit mpmath at the
worst of those: tanh64 <= 2 from NumPy (1.4 from exact), exp64, sin64 and cos64 <= 1 from NumPy
(0.7 from exact); the same bounds from NumPy with the fused multiply-adds.
``tests/test_fastmath.py`` checks these on dense grids. Special values follow C99:
``tanh(+-inf) = +-1``, ``tanh(-0.) = -0.``, the odd functions return subnormal inputs unchanged,
``sin/cos(+-inf or nan) = nan``, ``exp(-inf) = 0``, ``exp(+inf) = inf``, nan in gives nan out.

Fast-math: these functions must be compiled without ``reassoc``, ``nnan``, ``ninf``, ``nsz``,
``arcp`` or ``afn``. With ``inline="always"`` their code is typed and lowered inside the caller,
with the caller's flags, so do not call them from a ``fastmath=True`` kernel: reassociation turns
the magic-number rounding ``(v + M) - M`` into ``v`` and undoes the TwoSum and Cody-Waite steps,
and ``nnan``/``nsz`` drop the nan and -0. handling. ``contract`` (FMA) is harmless: every
product the error analysis needs exact is exact anyway.

Fused multiply-adds: the polynomials and reductions call ``_fma`` (LLVM's ``fmuladd``) at the
multiply-add pairs, which the backend fuses on a machine with FMA in every caller alike (a
vector loop, its scalar remainder, the tier-0 interpreter), so a value does not depend on where
it is computed; it halves those instructions (a tanh-GELU forward+backward loop went from 62 to
49 AVX-512 instructions per 16 elements and ~1.9x faster; 46 with tanh32's session-7 form).

Large arguments: the C library's ``sin``/``cos`` beyond the limits, called for the lanes out of
range only; :mod:`.fastmath_base` says how. The code lives in :mod:`.fastmath_base` (the jit
options, shared constants, bit intrinsics, that masked fallback, TwoSum), :mod:`.fastmath_trig`
(sin, cos) and here (tanh, exp, ``fast_exp``); generated kernels reach all of them as
``fastmath.<name>``.
"""

from __future__ import annotations

import math

from numba import types
from numba.extending import overload

from .fastmath_base import (
    _F,
    _HALF_D,
    _HALF_F,
    _MAGIC_D,
    _MAGIC_F,
    _ONE_D,
    _ONE_F,
    _TWO_D,
    _div,
    _fma,
    _jit,
    _pow2,
    _pow2_biased,
    _two_sum,
)
from .fastmath_trig import cos32, cos64, sin32, sin64

__all__ = ["tanh32", "tanh64", "exp32", "exp64", "sin32", "cos32", "sin64", "cos64", "fast_exp"]

_LOG2E_F = _F(1.442695)
_LOG2E_D = float.fromhex("0x1.71547652b82fep+0")
# ln 2 split Cody-Waite style: _HI has 16 significant bits (float32) / 42 bits (float64), so
# k * _HI is exact for |k| < 2**8 / 2**11, and x - k * _HI is exact by Sterbenz's lemma.
_LN2_HI_F = _F(0.693145751953125)
_LN2_LO_F = _F(1.4286068e-06)
_LN2_HI_D = float.fromhex("0x1.62e42fefa3800p-1")
_LN2_LO_D = float.fromhex("0x1.ef35793c76730p-45")

# expm1(r) = r + r**2/2 + r**3 * Q(r) on |r| <= ln2/2 * (1 + 2**-10). Q is the minimax
# polynomial for the relative error of expm1, found with a Remez exchange in 60-digit mpmath
# arithmetic (relative error 2**-31.3 for degree 4, 2**-61.7 for degree 9), then rounded.
_EM1_F = _F(0.16666666)
_EM2_F = _F(0.04166648)
_EM3_F = _F(0.00833342)
_EM4_F = _F(0.0013933331)
_EM5_F = _F(0.00019824097)
_EM1_D = float.fromhex("0x1.5555555555559p-3")
_EM2_D = float.fromhex("0x1.5555555555548p-5")
_EM3_D = float.fromhex("0x1.111111110f7bap-7")
_EM4_D = float.fromhex("0x1.6c16c16c1cda7p-10")
_EM5_D = float.fromhex("0x1.a01a01af8c85cp-13")
_EM6_D = float.fromhex("0x1.a01a0182d9d42p-16")
_EM7_D = float.fromhex("0x1.71ddf9132690bp-19")
_EM8_D = float.fromhex("0x1.27e52b5d6c390p-22")
_EM9_D = float.fromhex("0x1.af5d9c2753382p-26")
_EM10_D = float.fromhex("0x1.1ef524e991a38p-29")

# tanh32 reduces a = |x| rather than 2a (one addition fewer): 2a = k ln2 + 2h, so a = k ln2/2 + h
# with |h| <= ln2/4, and expm1(2h) / 2 comes from the same polynomial with coefficient j scaled by
# 2**(j + 2): every product and sum is the old one times a power of two, so bit for bit
# _half_expm1_2h(h) == _expm1_reduced_f(2h) / 2. One constant suffices for ln2/2 here (not for
# exp32): fl(ln2) is 1.9e-9 off, which moves h by at most 29 * 1.9e-9 / 2 at k = 29, and
# tanh's relative sensitivity to expm1(2a) is 2 / (u + 2) <= 2**(1 - k); at k = 1, 2 it costs
# < 0.05 ulp. The magic number carries the exponent bias of 2**k (k + 127 in its low bits), so
# the power of two is one shift.
_LOG2E_X2_F = _F(2 * _LOG2E_F)  # exact doubling
_LN2_HALF_F = _F(math.log(2) / 2)
_MAGIC_BIAS_F = _F(12582912.0 + 127)  # 1.5 * 2**23 + 127
_TH4_F, _TH3_F, _TH2_F, _TH1_F, _TH0_F = (
    _F(c * 2.0**j) for c, j in ((_EM5_F, 6), (_EM4_F, 5), (_EM3_F, 4), (_EM2_F, 3), (_EM1_F, 2))
)

# tanh(x) rounds to +-1 for |x| > 9.01 (float32) / 19.07 (float64); clamping a bit above keeps
# 2**k finite and maps +-inf to +-1 without a special case.
_TANH_CLAMP_F = _F(10.0)
_TANH_CLAMP_D = 20.0

# exp: below the lower clamp the result is 0 even after subnormal rounding, above the upper
# clamp it is inf; clamping keeps k inside the range the two-step scaling handles.
_EXP_LO_F = _F(-104.0)
_EXP_HI_F = _F(89.0)
_EXP_LO_D = -746.0
_EXP_HI_D = 710.0


# ---------------------------------------------------------------------------------------------
# expm1 / exp cores


@_jit
def _expm1_reduced_f(r):
    """expm1(r) for |r| <= ln2/2: r + r**2/2 + r**3*Q(r), the r term added last for accuracy."""
    q = _fma(r, _fma(r, _fma(r, _fma(r, _EM5_F, _EM4_F), _EM3_F), _EM2_F), _EM1_F)
    return _fma(r * r, _fma(r, q, _HALF_F), r)


@_jit
def _expm1_tail_d(r):
    """(expm1(r) - r) / r**2 = 1/2 + r*Q(r) for |r| <= ln2/2, float64 (degree-9 Q)."""
    q = _fma(r, _fma(r, _EM10_D, _EM9_D), _EM8_D)
    q = _fma(r, _fma(r, _fma(r, q, _EM7_D), _EM6_D), _EM5_D)
    q = _fma(r, _fma(r, _fma(r, _fma(r, q, _EM4_D), _EM3_D), _EM2_D), _EM1_D)
    return _fma(r, q, _HALF_D)


@_jit
def _expm1_reduced_d(r):
    """float64 version of _expm1_reduced_f."""
    return _fma(r * r, _expm1_tail_d(r), r)


@_jit
def _half_expm1_2h(h):
    """expm1(2h) / 2 for |h| <= ln2/4: _expm1_reduced_f(2h) / 2, bit for bit (see above)."""
    q = _fma(h, _fma(h, _fma(h, _fma(h, _TH4_F, _TH3_F), _TH2_F), _TH1_F), _TH0_F)
    return _fma(h * h, _fma(h, q, _ONE_F), h)


@_jit
def tanh32(x):
    """tanh of a float32, within 2 ulp, vectorizable.

    tanh|x| = v / (v + 1) with v = expm1(2|x|) / 2, which has no catastrophic cancellation at
    any |x| and reduces to x exactly for tiny x. expm1 by Cody-Waite reduction |x| = k ln2/2 +
    h, |h| <= ln2/4, then v = 2**k * expm1(2h)/2 + (2**k - 1)/2. The sign is restored with
    copysign (keeps -0.). 25 vector instructions (AVX-512, with FMA).
    """
    a = abs(x)
    a = _TANH_CLAMP_F if a > _TANH_CLAMP_F else a  # nan stays nan (the compare is false)
    t = _fma(a, _LOG2E_X2_F, _MAGIC_BIAS_F)
    k = t - _MAGIC_BIAS_F
    h = _fma(-k, _LN2_HALF_F, a)  # k * _LN2_HALF_F is exact inside the fused multiply-add
    s = _pow2_biased(t)  # 2**k
    v = _fma(s, _half_expm1_2h(h), _fma(s, _HALF_F, -_HALF_F))
    # v / (v + 1) with the rounding error dl of d = v + 1 fed back to first order:
    # v / (d + dl) ~ q - q * dl / d, and 1 / d = 1 - q, so q + dl * (q*q - q). Worth 0.5 ulp
    # near x = 0.03. dl by Fast2Sum (the larger of v and 1 first): 4 instructions where TwoSum
    # takes 6. The cheaper v - (d - 1) is exact only while d < 2**24 and gives results above 1
    # beyond.
    d = v + _ONE_F
    big = v if v > _ONE_F else _ONE_F
    small = _ONE_F if v > _ONE_F else v
    dl = small - (d - big)
    q = _div(v, d)
    return math.copysign(_fma(dl, _fma(q, q, -q), q), x)


@_jit
def tanh64(x):
    """tanh of a float64, within 2 ulp of NumPy (1.4 ulp of exact), vectorizable.

    As tanh32, with u kept as a double-double: near |x| = 0.2 (k = 1, r < 0) the two leading
    terms of expm1 cancel by up to 1.4x, which magnified the rounding of a plain sum to 2.3 ulp.
    """
    a = abs(x)
    a = _TANH_CLAMP_D if a > _TANH_CLAMP_D else a
    z = a + a
    t = _fma(z, _LOG2E_D, _MAGIC_D)
    k = t - _MAGIC_D
    r = _fma(-k, _LN2_LO_D, _fma(-k, _LN2_HI_D, z))
    s = _pow2(t)
    # u = expm1(2a) = s*r + (s - 1) + s*r**2*(1/2 + r*Q(r)); s*r and s - 1 are exact.
    u, ul = _two_sum(s * r, s - _ONE_D)
    ul = ul + s * (r * r * _expm1_tail_d(r))
    u1 = u + ul
    u2 = (u - u1) + ul  # Fast2Sum, |ul| < |u|
    # (u1 + u2) / (u1 + u2 + 2): d + dl = u1 + u2 + 2 up to one rounding of dl, then the
    # first-order correction q + (u2 - q*dl) / d with 1/d = (1 - q)/2.
    d, dl = _two_sum(u1, _TWO_D)
    dl = dl + u2
    q = _div(u1, d)
    return math.copysign(q + (u2 - q * dl) * (_HALF_D * (_ONE_D - q)), x)


@_jit
def exp32(x):
    """exp of a float32, within 1 ulp including subnormal results, vectorizable.

    x = k ln2 + r (Cody-Waite, |r| <= ln2/2), exp = 2**k * (1 + expm1(r)). 2**k is applied as
    2**k1 * 2**k2 with k1 = rint(k/2): the first product is exact, the second rounds once, so
    subnormal results are rounded correctly and overflow gives inf.
    """
    x = _EXP_HI_F if x > _EXP_HI_F else x
    x = _EXP_LO_F if x < _EXP_LO_F else x
    t = _fma(x, _LOG2E_F, _MAGIC_F)
    k = t - _MAGIC_F
    r = _fma(-k, _LN2_LO_F, _fma(-k, _LN2_HI_F, x))
    e = _ONE_F + _expm1_reduced_f(r)
    t1 = _fma(k, _HALF_F, _MAGIC_F)
    k1 = t1 - _MAGIC_F
    t2 = (k - k1) + _MAGIC_F
    return (e * _pow2(t1)) * _pow2(t2)


@_jit
def exp64(x):
    """exp of a float64, within 1 ulp of NumPy including subnormal results; as exp32."""
    x = _EXP_HI_D if x > _EXP_HI_D else x
    x = _EXP_LO_D if x < _EXP_LO_D else x
    t = _fma(x, _LOG2E_D, _MAGIC_D)
    k = t - _MAGIC_D
    r = _fma(-k, _LN2_LO_D, _fma(-k, _LN2_HI_D, x))
    e = _ONE_D + _expm1_reduced_d(r)
    t1 = _fma(k, _HALF_D, _MAGIC_D)
    k1 = t1 - _MAGIC_D
    t2 = (k - k1) + _MAGIC_D
    return (e * _pow2(t1)) * _pow2(t2)


def fast_exp(x):  # pragma: no cover - Numba compiles the overload below instead
    """exp32 or exp64 by the argument's type, for hand-written kernels generic over dtype."""
    raise NotImplementedError


@overload(fast_exp, inline="always")
def _fast_exp_impl(x):
    if x == types.float32:
        return lambda x: exp32(x)
    if x == types.float64:
        return lambda x: exp64(x)
    return None
