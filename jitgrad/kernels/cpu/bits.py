"""Scalar helpers over the representation of numbers, called by generated kernels as
``_k.<name>``: the next float (``nextafter``), scaling by a power of two with an integer
exponent (``ldexp``), the integer gcd/lcm and integer powers (``ipow``).

Written in plain arithmetic (``math.frexp``/``math.ldexp``, integer loops), no numpy ufunc,
no bit view and no ``min``/``max`` builtin (numba's CUDA target fails their star-argument
overload: "Signature mismatch"), so ``backends/cuda/devmath.py`` compiles the same source for
the device.
Each follows PyTorch's CPU kernel at the edges, which is what tests/special_form_cases.py
records: ``nextafter`` steps one unit of its dtype (float16 and bfloat16 included, whose
values a kernel holds in float32), ``ldexp`` rounds once, gcd/lcm keep C's integer wrap.
"""

from __future__ import annotations

import math

from .jit import cached_njit


@cached_njit(error_model="numpy")
def nextafter(x, y, bits, emin):
    """The float after ``x`` towards ``y`` in a format of ``bits`` significant bits whose
    smallest subnormal is ``2**emin`` (float32: 24, -149; float64: 53, -1074; float16: 11,
    -24; bfloat16: 8, -133). Computed in float64, where every step of these formats is
    exact; NaN from either side, ``y`` when equal (so the sign of a zero ``y``)."""
    x = float(x)
    y = float(y)
    if x != x or y != y:
        return x + y
    if x == y:
        return y
    emin = int(emin)
    bits = int(bits)
    tiny = math.ldexp(1.0, emin)
    if x == 0.0:
        return tiny if y > 0 else -tiny
    up = (y > x) == (x > 0)  # away from zero
    if math.isinf(x):  # towards the finite: the largest finite value
        top = math.ldexp(2.0 - math.ldexp(1.0, 1 - bits), 2 - emin - bits)
        return top if x > 0 else -top
    m, e = math.frexp(x)  # |m| in [0.5, 1): one unit of x is 2**(e - bits)
    k = e - bits
    if not up and abs(m) == 0.5:  # a power of two towards zero: the unit below is half
        k = k - 1
    unit = math.ldexp(1.0, k if k > emin else emin)
    step = unit if up else -unit
    return x + step if x > 0 else x - step


@cached_njit(error_model="numpy")
def ldexp(x, e):
    """``x * 2**e`` for an integer exponent (held in the float dtype of ``x``), rounded once
    (PyTorch's integer-exponent kernel: ``ldexp(3, -150)`` in float32 is 2**-148, not
    ``3 * 0``). The exponent is clamped beyond any float's range first."""
    e = e if e < 4400.0 else 4400.0
    return math.ldexp(x, int(e if e > -4400.0 else -4400.0))


@cached_njit(error_model="numpy")
def gcd(a, b):
    """PyTorch's ``calc_gcd`` on ``|a|``, ``|b|`` as its integer type holds them (the caller
    wraps them: ``abs(-128)`` in int8 stays -128, so gcd(-128, 6) is -2 as in PyTorch)."""
    a = a + 0  # (the widened integer type, so the loop's locals keep one type)
    b = b + 0
    while a != 0:
        r = b % a  # C's remainder (the dividend's sign) from Python's floored one
        if r != 0 and (r < 0) != (b < 0):
            r = r - a
        b = a
        a = r
    return b


@cached_njit(error_model="numpy")
def lcm(a, b, g):
    """``a / g * b`` (``g`` their gcd; 0 when it is 0): PyTorch's ``calc_lcm`` before its
    ``abs`` and the wrap into the result type, which the caller applies in C's order."""
    if g == 0:
        return a * 0
    return (a // g) * b


@cached_njit(error_model="numpy")
def ipow(a, b):
    """``a ** b`` of integers as PyTorch's ``powi``: squaring and multiplying in the integer
    type, so a product past its range wraps (``2 ** 64`` is 0, ``3 ** (2**63 - 1)`` in int64
    is -6148914691236517205) where Numba's ``**`` goes through a float past some exponent
    (inf, stored as the type's minimum). A negative exponent: 1 and -1 keep their powers,
    anything else is 0 (integer division's answer)."""
    a = a + 0  # (the widened integer type, so the loop's locals keep one type)
    b = b + 0
    if b < 0:
        if a == 1:
            return a
        if a == -1:
            return a if b % 2 != 0 else -a
        return a - a
    result = a - a + 1
    while b > 0:
        if b % 2 != 0:
            result = result * a
        b = b // 2
        a = a * a
    return result
