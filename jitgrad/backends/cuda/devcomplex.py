"""complex64 math in float32 for CUDA kernels: the ``_k.<name>_complex64`` helpers.

The op declarations render a complex64 ``exp``, ``log``, ``sqrt``, ``sin``, ``cos``, ``sinh``,
``cosh``, ``tanh``, ``sgn`` and ``**`` as ``_k.<name>_complex64(...)`` (and a complex128 ``**``
as ``_k.pow_complex128``)
(:data:`jitgrad.ops.expr.FUNCTIONS`), as they render a complex division as
``_k.cdiv_complex64``. On the CPU those are Numba's own ``cmath`` functions and ``**``
(:mod:`jitgrad.kernels.cpu.scalar`). On the device three of Numba's complex64 versions compute
in float64 (PTX instructions beyond libdevice's sin/cos reduction, below: ``cmath.sqrt`` 48,
``cmath.tanh`` 57, the shared ``_k.sgn`` 18: float64 literals, ``z * 0`` with an integer), and
a GPU runs float64 at 1/64 (consumer) to 1/2 (H100) of float32's speed. Numba's ``exp``,
``log``, ``sin``, ``cos``, ``sinh``, ``cosh`` and ``**`` were float32 already; they are written
out here too so that the simulator runs the device's float32 algorithm (Python's ``cmath``
computes in float64 and raises where the device returns inf or NaN: ``log(0)``, an overflowing
``exp``), and for ``**`` to fix Numba's CUDA version (see :func:`_complex_pow`). All are
Numba's CPU algorithms (CPython's and NumPy's: the same special cases for inf and NaN parts)
over the float32 parts with float32 constants and libdevice's float32 functions (``math.exp``
of a float32 compiles to ``__nv_expf``).

Only ``__nv_sinf`` / ``__nv_cosf`` / ``__nv_tanf`` keep float64 code: one multiply in their
reduction of huge arguments (|x| > 105615), which the PTX check recognises.

In the simulator the kernels run as Python: the float functions are numpy's ufuncs, which keep
a float32 argument float32 (Python's ``math`` would raise on an inf argument and return a
float64), so the simulator computes in float32 too.
"""

from __future__ import annotations

import math

import numpy as np
from numba import cuda

from .pool import SIMULATOR

if SIMULATOR:
    _exp, _log, _sqrt, _cos, _sin, _tan = np.exp, np.log, np.sqrt, np.cos, np.sin, np.tan
    _cosh, _sinh, _tanh, _pow = np.cosh, np.sinh, np.tanh, np.power
    _hypot, _atan2, _copysign = np.hypot, np.arctan2, np.copysign
    _isinf, _isnan, _isfinite = np.isinf, np.isnan, np.isfinite
else:  # (Numba's CUDA target lowers math.<f> of a float32 to libdevice's float version)
    _exp, _log, _sqrt = math.exp, math.log, math.sqrt
    _cos, _sin, _tan = math.cos, math.sin, math.tan
    _cosh, _sinh, _tanh, _pow = math.cosh, math.sinh, math.tanh, math.pow
    _hypot, _atan2, _copysign = math.hypot, math.atan2, math.copysign
    _isinf, _isnan, _isfinite = math.isinf, math.isnan, math.isfinite

# float32 constants: a Python float literal would make the arithmetic float64
_0 = np.float32(0)
_1 = np.float32(1)
_2 = np.float32(2)
_HALF = np.float32(0.5)
_QUARTER = np.float32(0.25)
_NAN = np.float32(np.nan)
#: csqrt scales parts this large by 1/4 first (FLT_MAX / (1 + sqrt(2)), as Numba's float32)
_SQRT_THRES = np.float32(np.finfo(np.float32).max / (1 + math.sqrt(2)))

_dev = cuda.jit(device=True)


@_dev
def _c(re, im):
    """The complex64 ``re + im j`` (float32 parts; no float64 in the PTX: the widening
    ``complex()`` does and ``np.complex64`` undoes is folded away)."""
    return np.complex64(complex(re, im))


@_dev
def exp_complex64(z):  # cmath.exp (Numba's exp_impl, CPython's special values)
    x, y = z.real, z.imag
    if _isfinite(x):
        if _isfinite(y):
            r = _exp(x)
            return _c(r * _cos(y), r * _sin(y))
        return _c(_NAN, _NAN)
    if _isnan(x):
        return _c(x, x) if y != _0 else _c(x, y)
    if x > _0:  # +inf: inf times the direction, a zero part kept zero
        if _isfinite(y):
            re, im = _cos(y), _sin(y)
            return _c(re * x if re != _0 else re, im * x if im != _0 else im)
        return _c(x, _NAN)
    if _isfinite(y):  # -inf: signed zeros
        r = _exp(x)
        return _c(r * _cos(y), r * _sin(y))
    return _c(_0, _0)


@_dev
def log_complex64(z):  # cmath.log: Numba's log_impl, float32 already on the device; written
    # out for the simulator, where Python's cmath.log(0) raises (log(|z|) is -inf there)
    return _c(_log(_hypot(z.real, z.imag)), _atan2(z.imag, z.real))


@_dev
def sqrt_complex64(z):  # cmath.sqrt: NumPy's npy_csqrt (Algorithm 312, CACM 1967)
    a, b = z.real, z.imag
    if (a == _0 and b == _0) or _isinf(b):
        return _c(abs(b), b)
    if _isnan(a):
        return _c(a, a)
    if _isinf(a):
        if a < _0:
            return _c(abs(b - b), _copysign(a, b))
        return _c(a, _copysign(b - b, b))
    scale = abs(a) >= _SQRT_THRES or abs(b) >= _SQRT_THRES
    if scale:  # avoid overflow in a + |z|
        a, b = a * _QUARTER, b * _QUARTER
    t = _sqrt((abs(a) + _hypot(a, b)) * _HALF)
    if a >= _0:
        re, im = t, b / (_2 * t)
    else:
        re, im = abs(b) / (_2 * t), _copysign(t, b)
    return _c(re * _2, im) if scale else _c(re, im)


@_dev
def cosh_complex64(z):  # cmath.cosh
    x, y = z.real, z.imag
    if _isinf(x):
        if _isnan(y) or y == _0:
            re, im = abs(x), y
        else:
            re, im = _copysign(x, _cos(y)), _copysign(x, _sin(y))
        return _c(re, -im if x < _0 else im)
    return _c(_cos(y) * _cosh(x), _sin(y) * _sinh(x))


@_dev
def sinh_complex64(z):  # cmath.sinh
    x, y = z.real, z.imag
    if _isinf(x):
        if _isnan(y):
            return _c(x, y)
        re, im = _cos(y), _sin(y)
        return _c(re * x if re != _0 else re, im * abs(x) if im != _0 else im)
    return _c(_cos(y) * _sinh(x), _sin(y) * _cosh(x))


@_dev
def cos_complex64(z):  # cos(z) = cosh(z j)
    return cosh_complex64(_c(-z.imag, z.real))


@_dev
def sin_complex64(z):  # sin(z) = -j sinh(z j)
    r = sinh_complex64(_c(-z.imag, z.real))
    return _c(r.imag, -r.real)


@_dev
def tanh_complex64(z):  # cmath.tanh: CPython's c_tanh
    x, y = z.real, z.imag
    if _isinf(x):
        return _c(_copysign(_1, x), _0 if _isinf(y) else _copysign(_0, _sin(_2 * y)))
    tx = _tanh(x)
    ty = _tan(y)  # (|tan| of a float32 stays below 3e7: ty * ty cannot overflow)
    cx = _1 / _cosh(x)
    txty = tx * ty
    denom = _1 + txty * txty
    return _c(tx * (_1 + ty * ty) / denom, ((ty / denom) * cx) * cx)


def _complex_pow(part, make):
    """``a ** b`` over complex values whose parts are ``part`` (np.float32 or np.float64;
    ``make`` builds the result), as the CPU computes it: ``a * a`` for ``b == 2``, else
    CPython's _Py_c_pow (``0 ** b`` is NaN for a negative or complex ``b``: Numba's
    numba_cpow). Numba's own CUDA version returns 0 whenever both real parts are 0 (``1j **
    0.5j`` is exp(-pi/4) = 0.456). One source for both widths: the typed constants are the
    closure's, so the complex64 version holds no float64 (a device function cannot pick a
    typed constant by its argument's type)."""
    zero, one, two, nan = part(0), part(1), part(2), part(np.nan)

    @_dev
    def pow_(a, b):
        ar, ai, br, bi = a.real, a.imag, b.real, b.imag
        if br == two and bi == zero:
            return a * a
        if br == zero and bi == zero:
            return make(one, zero)
        if ar == zero and ai == zero:
            return make(nan, nan) if bi != zero or br < zero else make(zero, zero)
        vabs = _hypot(ar, ai)
        length = _pow(vabs, br)
        at = _atan2(ai, ar)
        phase = at * br
        if bi != zero:
            length = length / _exp(at * bi)
            phase = phase + bi * _log(vabs)
        return make(length * _cos(phase), length * _sin(phase))

    return pow_


@_dev
def _c128(re, im):
    """The complex128 ``re + im j`` (float64 parts)."""
    return complex(re, im)


pow_complex64 = _complex_pow(np.float32, _c)
pow_complex128 = _complex_pow(np.float64, _c128)


@_dev
def sgn_complex64(z):
    """``z / |z|``, 0 at 0, as the CPU's ``_k.sgn``: Numba's complex division by ``|z| + 0j``
    (CPython's _Py_c_quot with a zero imaginary divisor)."""
    zr, zi = z.real, z.imag
    mag = _hypot(zr, zi)
    if mag == _0:
        return _c(zr * _0 - zi * _0, zr * _0 + zi * _0)
    if not mag >= _0:  # NaN
        return _c(_NAN, _NAN)
    ratio = _0 / mag
    denom = mag + _0 * ratio
    return _c((zr + zi * ratio) / denom, (zi - zr * ratio) / denom)
