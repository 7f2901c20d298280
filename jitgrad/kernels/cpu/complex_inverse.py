"""Complex acos, acosh, atan and atanh as PyTorch's CPU kernels compute them, written once
for both backends: plain functions that :mod:`.scalar` compiles with
``njit`` and :mod:`jitgrad.backends.cuda.devmath` with ``cuda.jit(device=True)``; generated
kernels call them as ``_k.<name>_complex64(z)`` / ``_k.<name>_complex128(z)``.

Why not Numba's own ``cmath`` for all: its ``acosh`` loses the real part of tiny arguments
(``acosh(-1e-20+1e-20j)``: 0, PyTorch 1e-20) and gives NaN for infinite parts, and its
``atan``/``atanh`` answer non-finite arguments otherwise than the C library PyTorch calls
(``atanh(nan+1j)``: ``nan+1.57j``, PyTorch ``nan+nanj``). So ``acosh`` is musl's ``cacosh``
(``+-j acos(z)``, the sign of z's imaginary part), ``atanh``/``atan`` are ``cmath``'s on finite
arguments and C99 Annex G's special values otherwise (``atan(z) = -j atanh(j z)``; a zero's
sign follows the sign bit of a NaN part, as glibc's), complex128 ``acos`` is ``pi/2 -
asin(z)``, PyTorch's vectorized kernel (its complex64 one is ``cacosf``, as ``cmath.acos``), and
``asin``/``asinh``/``acos`` are ``cmath``'s but for C99's ``+-0 + NaN j`` / ``NaN + 0j`` special
values (Numba's give NaN for both parts). Each function is self-contained (no calls between
them: each target compiles its own copy).
"""

from __future__ import annotations

import cmath
import math

import numpy as np

_HALF_PI = math.pi / 2


def asin_complex64(z):  # cmath's, but asin(+-0 + NaN j) = +-0 + NaN j (C99's)
    if z.real == 0 and math.isnan(z.imag):
        return z
    return np.complex64(cmath.asin(z))


def asin_complex128(z):  # as asin_complex64
    if z.real == 0 and math.isnan(z.imag):
        return z
    return complex(cmath.asin(z))


def asinh_complex64(z):  # cmath's, but asinh(NaN + 0j) = NaN + 0j (C99's)
    if math.isnan(z.real) and z.imag == 0:
        return z
    return np.complex64(cmath.asinh(z))


def asinh_complex128(z):  # as asinh_complex64
    if math.isnan(z.real) and z.imag == 0:
        return z
    return complex(cmath.asinh(z))


def acos_complex64(z):  # cmath's (the C library's cacosf), acos(+-0 + NaN j) = pi/2 + NaN j
    if z.real == 0 and math.isnan(z.imag):
        return np.complex64(complex(_HALF_PI, z.imag))
    return np.complex64(cmath.acos(z))


def acos_complex128(z):  # pi/2 - asin(z), PyTorch's complex128 acos
    if z.real == 0 and math.isnan(z.imag):
        return complex(_HALF_PI, z.imag)
    w = cmath.asin(z)
    return complex(_HALF_PI - w.real, 0.0 - w.imag)


def acosh_complex64(z):  # musl's cacosh: +-j acos(z), the sign of z's imaginary part
    w = complex(_HALF_PI, z.imag) if z.real == 0 and math.isnan(z.imag) else cmath.acos(z)
    if math.copysign(1.0, z.imag) < 0:
        return np.complex64(complex(np.float32(w.imag), np.float32(-w.real)))
    return np.complex64(complex(np.float32(-w.imag), np.float32(w.real)))


def acosh_complex128(z):  # as acosh_complex64
    w = complex(_HALF_PI, z.imag) if z.real == 0 and math.isnan(z.imag) else cmath.acos(z)
    if math.copysign(1.0, z.imag) < 0:
        return complex(w.imag, -w.real)
    return complex(-w.imag, w.real)


def atanh_complex128(z):  # cmath's on finite z, C99's special values otherwise
    x, y = z.real, z.imag
    if math.isfinite(x) and math.isfinite(y):
        return complex(cmath.atanh(z))
    if math.isinf(y):
        return complex(math.copysign(0.0, x), math.copysign(_HALF_PI, y))
    if math.isinf(x):
        if math.isnan(y):
            return complex(math.copysign(0.0, x), y)
        return complex(math.copysign(0.0, x), math.copysign(_HALF_PI, y))
    if x == 0:  # (+-0 + NaN j)
        return complex(x, y)
    return complex(math.nan, math.nan)


def atanh_complex64(z):  # as atanh_complex128, in complex64
    x, y = z.real, z.imag
    if math.isfinite(x) and math.isfinite(y):
        return np.complex64(cmath.atanh(z))
    if math.isinf(y):
        return np.complex64(complex(math.copysign(0.0, x), math.copysign(_HALF_PI, y)))
    if math.isinf(x):
        if math.isnan(y):
            return np.complex64(complex(math.copysign(0.0, x), y))
        return np.complex64(complex(math.copysign(0.0, x), math.copysign(_HALF_PI, y)))
    if x == 0:
        return np.complex64(complex(x, y))
    return np.complex64(complex(math.nan, math.nan))


def atan_complex128(z):  # cmath's on finite z; otherwise -j atanh(j z) by C99's special values
    x, y = z.real, z.imag
    if math.isfinite(x) and math.isfinite(y):
        return complex(cmath.atan(z))
    a, b = -y, x  # j z
    if math.isinf(b):
        re, im = math.copysign(0.0, a), math.copysign(_HALF_PI, b)
    elif math.isinf(a):
        re = math.copysign(0.0, a)
        im = b if math.isnan(b) else math.copysign(_HALF_PI, b)
    elif a == 0:
        re, im = a, b
    else:
        re, im = math.nan, math.nan
    return complex(im, -re)


def atan_complex64(z):  # as atan_complex128, in complex64
    x, y = z.real, z.imag
    if math.isfinite(x) and math.isfinite(y):
        return np.complex64(cmath.atan(z))
    a, b = -y, x
    if math.isinf(b):
        re, im = math.copysign(0.0, a), math.copysign(_HALF_PI, b)
    elif math.isinf(a):
        re = math.copysign(0.0, a)
        im = b if math.isnan(b) else math.copysign(_HALF_PI, b)
    elif a == 0:
        re, im = a, b
    else:
        re, im = math.nan, math.nan
    return np.complex64(complex(im, -re))


#: the functions above, by the name generated kernels call
FUNCTIONS = {
    f.__name__: f
    for f in (
        asin_complex64,
        asin_complex128,
        asinh_complex64,
        asinh_complex128,
        acos_complex64,
        acos_complex128,
        acosh_complex64,
        acosh_complex128,
        atan_complex64,
        atan_complex128,
        atanh_complex64,
        atanh_complex128,
    )
}
