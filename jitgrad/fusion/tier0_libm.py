"""Tier 0's libm rows: the scalar numpy/``math`` functions a generated kernel calls by name,
and ``_k``'s special functions of one or two float arguments (digamma, zeta...: the census's
largest group of generated kernels still compiling, perf/RESULTS.md Run tcmd).

:mod:`.tier0_interp` numbers these after its own op codes (``k`` below is the index in
:data:`UNARY` or :data:`BINARY`) and :mod:`.tier0` translates the rendered calls of
:data:`CALLS` to them. Each row calls exactly the function the generated source names, on
values of the kernel's dtype, so results are bitwise the compiled kernel's (both are compiled
with ``error_model="numpy"``; ``tests/test_tier0.py`` compares them, forward and backward).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, types
from numba.extending import overload

from ..kernels.cpu import scalar as _k

#: ``_k``'s special functions of float arguments (``polygamma`` takes an integer order first,
#: ``nextafter``/``ldexp`` four arguments: compiled). ``mvlgamma``/``mvdigamma`` take their
#: integer dimension second: the translation passes it as a float64 (exact: ``int`` of it is
#: the dimension), as the distributions' log-densities call them (Wishart's backward).
SPECIAL_UNARY = ("digamma", "trigamma", "erfinv", "i0", "i0e", "i1", "i1e", "ndtri",
                 "log_ndtr", "erfcx")  # fmt: skip
SPECIAL_BINARY = ("zeta", "gammainc", "gammaincc", "mvlgamma", "mvdigamma")
#: The rows whose second operand is an integer dimension (a scalar argument of any integer type)
ORDER_SECOND = ("mvlgamma", "mvdigamma")
UNARY = ("tan", "log2", "log10", "exp2", "asin", "acos", "atan", "sinh", "cosh", "asinh",
         "acosh", "atanh", "round", "lgamma", *SPECIAL_UNARY)  # fmt: skip
#: ``floordiv`` and ``mod``: Python's float ``//`` and ``%`` (the rendered ``a // b``)
BINARY = ("atan2", "hypot", "fmod", "copysign", "floordiv", "mod", *SPECIAL_BINARY)

#: A rendered call (:data:`jitgrad.ops.expr.FUNCTIONS`) -> its row's name.
CALLS = {
    "np.tan": "tan", "np.log2": "log2", "np.log10": "log10", "np.exp2": "exp2",
    "np.arcsin": "asin", "np.arccos": "acos", "np.arctan": "atan", "np.sinh": "sinh",
    "np.cosh": "cosh", "np.arcsinh": "asinh", "np.arccosh": "acosh", "np.arctanh": "atanh",
    "np.round": "round", "math.lgamma": "lgamma", "np.arctan2": "atan2", "np.hypot": "hypot",
    "np.fmod": "fmod", "math.copysign": "copysign",
    **{f"_k.{name}": name for name in SPECIAL_UNARY + SPECIAL_BINARY},
}  # fmt: skip


@njit(inline="always")
def eval_unary(k, a):  # noqa: C901 - one branch per function
    """``UNARY[k]`` of ``a``."""
    if k == 0:
        return np.tan(a)
    if k == 1:
        return np.log2(a)
    if k == 2:
        return np.log10(a)
    if k == 3:
        return np.exp2(a)
    if k == 4:
        return np.arcsin(a)
    if k == 5:
        return np.arccos(a)
    if k == 6:
        return np.arctan(a)
    if k == 7:
        return np.sinh(a)
    if k == 8:
        return np.cosh(a)
    if k == 9:
        return np.arcsinh(a)
    if k == 10:
        return np.arccosh(a)
    if k == 11:
        return np.arctanh(a)
    if k == 12:
        return np.round(a)
    if k == 13:
        return math.lgamma(a)
    return _special_unary(k - 14, a)


def _special_unary(k, a):  # pragma: no cover - Numba compiles the overload
    raise NotImplementedError


def _special_binary(k, a, b):  # pragma: no cover - Numba compiles the overload
    raise NotImplementedError


@overload(_special_unary, inline="always")
def _special_unary_by_type(k, a):
    """Only float64 programs call the special rows (tier0_translate): the float32 interpreter
    does not compile them (~3 s of its build)."""
    return _special_unary64 if a == types.float64 else (lambda k, a: a)


@overload(_special_binary, inline="always")
def _special_binary_by_type(k, a, b):
    return _special_binary64 if a == types.float64 else (lambda k, a, b: a)


def _special_unary64(k, a):  # noqa: C901 - one branch per function
    """``SPECIAL_UNARY[k]`` of ``a``."""
    if k == 0:
        return _k.digamma(a)
    if k == 1:
        return _k.trigamma(a)
    if k == 2:
        return _k.erfinv(a)
    if k == 3:
        return _k.i0(a)
    if k == 4:
        return _k.i0e(a)
    if k == 5:
        return _k.i1(a)
    if k == 6:
        return _k.i1e(a)
    if k == 7:
        return _k.ndtri(a)
    if k == 8:
        return _k.log_ndtr(a)
    return _k.erfcx(a)


@njit(inline="always")
def eval_binary(k, a, b):
    """``BINARY[k]`` of ``a, b``."""
    if k == 0:
        return np.arctan2(a, b)
    if k == 1:
        return np.hypot(a, b)
    if k == 2:
        return np.fmod(a, b)
    if k == 3:
        return math.copysign(a, b)
    if k == 4:
        return a // b
    if k == 5:
        return a % b
    return _special_binary(k - 6, a, b)


def _special_binary64(k, a, b):
    """``SPECIAL_BINARY[k]`` of ``a, b``."""
    if k == 0:
        return _k.zeta(a, b)
    if k == 1:
        return _k.gammainc(a, b)
    if k == 2:
        return _k.gammaincc(a, b)
    if k == 3:
        return _k.mvlgamma(a, b)
    return _k.mvdigamma(a, b)
