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
import threading

import numpy as np
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic, overload

from ..kernels.cpu import scalar as _k
from ..kernels.cpu.jit import cached_njit

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
def eval_unary(k, a, table):  # noqa: C901 - one branch per function
    """``UNARY[k]`` of ``a`` (``table``: the special rows' address, :func:`table_words`)."""
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
    return _special(k - 14, a, a, table)


def _special(k, a, b, table):  # pragma: no cover - Numba compiles the overload
    raise NotImplementedError


@overload(_special, inline="always")
def _special_by_type(k, a, b, table):
    """Only float64 programs call the special rows (tier0_translate): the float32 interpreter
    has none; the float64 one calls them through ``table``, the address of
    :data:`SPECIAL_TABLE`'s compiled code, so they are not compiled with it."""
    if a == types.float64:
        return lambda k, a, b, table: _call_table(table, k, a, b)
    return lambda k, a, b, table: a


@intrinsic
def _call_table(typingctx, table, k, a, b):
    """``_special64(k, a, b)`` through the address ``table`` of its compiled code, called as
    Numba calls a compiled function (a result pointer and an exception slot first; it raises
    nothing with ``error_model="numpy"``): not through its C wrapper, one call fewer."""
    sig = types.float64(types.int64, types.int64, types.float64, types.float64)

    def codegen(context, builder, signature, args):
        fnty = context.call_conv.get_function_type(types.float64, signature.args[1:])
        result = cgutils.alloca_once(builder, fnty.args[0].pointee)
        exc = cgutils.alloca_once(builder, fnty.args[1].pointee)
        builder.call(builder.inttoptr(args[0], fnty.as_pointer()), [result, exc, *args[1:]])
        return builder.load(result)

    return sig, codegen


def _special64(k, a, b):
    """``SPECIAL_UNARY[k]`` of ``a``, then ``SPECIAL_BINARY[k - len(SPECIAL_UNARY)]`` of
    ``a, b``: the special rows as one function of their own, compiled (and cached) the first
    time a float64 program uses one, not with the interpreter (~3.4 of its ~12 CPU s: Run
    t0interp19). Each row calls the function the generated source names, as before; only the
    call reaches it through a pointer."""
    if k < len(SPECIAL_UNARY):
        return _special_unary64(k, a)
    return _special_binary64(k - len(SPECIAL_UNARY), a, b)


#: The special rows' compiled function (:func:`table_words` builds it for its one signature).
SPECIAL_TABLE = cached_njit(error_model="numpy", nogil=True)(_special64)
_TABLE: list[tuple[int, int]] = []  # its address as the header's two int32 words, once known
_TABLE_LOCK = threading.Lock()


def table_words() -> tuple[int, int]:
    """The address of :data:`SPECIAL_TABLE`'s compiled code as (low, high) int32 words, the
    header's columns 3 and 4 of a float64 program with special rows (compiled, or loaded from
    the cache, at the first such program's launch in a process)."""
    if not _TABLE:
        with _TABLE_LOCK:
            if not _TABLE:
                dispatcher = getattr(SPECIAL_TABLE, "dispatcher", SPECIAL_TABLE)
                f64 = types.float64
                dispatcher.compile(f64(types.int64, f64, f64))
                dispatcher.disable_compile()
                cres = dispatcher.overloads[(types.int64, f64, f64)]
                address = cres.library.get_pointer_to_function(cres.fndesc.llvm_func_name)
                words = np.array([address], np.int64).view(np.int32)  # (little-endian: low first)
                _TABLE.append((int(words[0]), int(words[1])))
    return _TABLE[0]


@njit(inline="always")
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
def eval_binary(k, a, b, table):
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
    return _special(len(SPECIAL_UNARY) + k - 6, a, b, table)


@njit(inline="always")
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
