"""Tier 0's op codes and what each computes on one element (:mod:`.tier0_interp` runs them).

Split from the interpreter's loop so that one table serves both kinds of register: a float
interpreter (float32, float64) evaluates :func:`_eval`, an integer one (int64) :func:`_eval_int`,
chosen by the registers' type when Numba compiles the loop (:func:`evaluate`); each kind's
interpreter compiles only its own table. Every row computes what the generated source's
expression computes, with the same scalar functions on values of the same type, so tier 0's
results are bitwise the compiled kernel's (``tests/test_tier0.py``, ``tests/test_tier0_int.py``).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, types
from numba.extending import overload

from ..kernels.cpu import fastmath as _fm
from ..kernels.cpu import scalar as _k
from . import tier0_libm as _L

#: Integer-only rows: ``& | ^ ~ << >>`` of int64 values (of two booleans ``&``, ``|``, ``^``,
#: ``~`` are the logical rows ``and``, ``or``, ``ne``, ``not``, as in float programs).
INTEGER = ("band", "bor", "bxor", "invert", "lshift", "rshift")

OPS = (
    "load", "const", "add", "sub", "mul", "div", "pow", "neg", "maximum", "minimum",
    "lt", "le", "gt", "ge", "eq", "ne", "and", "or", "not", "tobool", "select",
    "exp", "log", "log1p", "expm1", "sqrt", "sin", "cos", "tanh", "abs", "sign", "floor",
    "ceil", "trunc", "isnan", "isinf", "isfinite", "erf", "erfc", "fma",
    *_L.UNARY, *_L.BINARY, *INTEGER, "store", "acc", "acc_row", "reduce",
)  # fmt: skip
CODE = {name: i for i, name in enumerate(OPS)}
(LOAD, CONST, ADD, SUB, MUL, DIV, POW, NEG, MAXIMUM, MINIMUM, LT, LE, GT, GE, EQ, NE, AND, OR,
 NOT, TOBOOL, SELECT, EXP, LOG, LOG1P, EXPM1, SQRT, SIN, COS, TANH, ABS, SIGN, FLOOR, CEIL,
 TRUNC, ISNAN, ISINF, ISFINITE, ERF, ERFC) = range(CODE["erfc"] + 1)  # fmt: skip
FMA = CODE["fma"]
TAN, ATAN2 = CODE[_L.UNARY[0]], CODE[_L.BINARY[0]]  # the first of tier0_libm's rows
BAND, BOR, BXOR, INVERT, LSHIFT, RSHIFT = (CODE[name] for name in INTEGER)
FLOORDIV, MOD = CODE["floordiv"], CODE["mod"]
STORE, ACC, ACC_ROW, REDUCE = range(CODE["store"], len(OPS))


def _fn(name, f32, f64):
    """``f32``/``f64`` by the argument's type (the generated source names the dtype's one).
    (A twin of capture's ``interp._by_dtype``, which fusion cannot import: importing
    ``jitgrad.capture`` runs the capture package, a layer above.)"""

    def stub(x):  # pragma: no cover - Numba compiles the overload
        raise NotImplementedError

    stub.__name__ = stub.__qualname__ = name

    @overload(stub)
    def _impl(x):
        if x == types.float32:
            return lambda x: f32(x)
        return lambda x: f64(x)

    return stub


_exp = _fm.fast_exp
_sin = _fn("_sin", _fm.sin32, _fm.sin64)
_cos = _fn("_cos", _fm.cos32, _fm.cos64)
_tanh = _fn("_tanh", _fm.tanh32, _fm.tanh64)

def evaluate(op, a, b, c, zero, one, table):  # pragma: no cover - Numba compiles the overload
    """Row ``op`` on register values ``a, b, c``: :func:`_eval` for float registers,
    :func:`_eval_int` for integer ones (``table``: the special rows' address, float64's)."""
    raise NotImplementedError


@overload(evaluate)
def _evaluate(op, a, b, c, zero, one, table):
    if isinstance(a, types.Integer):
        return lambda op, a, b, c, zero, one, table: _eval_int(op, a, b, c, zero, one)
    return lambda op, a, b, c, zero, one, table: _eval(op, a, b, c, zero, one, table)


@njit
def _eval(op, a, b, c, zero, one, table):
    """One element of op ``op`` on register values ``a, b, c`` (comparisons give ``one`` or
    ``zero``, the registers' dtype's 1 and 0). The table is split by kind into three
    functions; all are compiled with the one loop that calls them (tier 0's only compile)."""
    if op == DIV:
        return a / b
    if op < LT:
        return _eval_arithmetic(op, a, b)
    if op <= SELECT or ISNAN <= op <= ISFINITE:
        return _eval_logical(op, a, b, c, zero, one)
    if op == SIGN:  # PyTorch's: 0 for NaN and -0.0 (np.sign passes both through)
        return one if a > 0 else (-one if a < 0 else zero)
    if op == FMA:
        return _k.fma(a, b, c)
    if op >= ATAN2:
        return _L.eval_binary(op - ATAN2, a, b, table)
    if op >= TAN:
        return _L.eval_unary(op - TAN, a, table)
    return _eval_math(op, a)


@njit(inline="always")
def _eval_arithmetic(op, a, b):
    """``ADD`` ... ``MINIMUM`` but ``DIV`` (an integer's ``/`` is a float): the binary
    arithmetic ops and negation, of either kind of register."""
    if op == ADD:
        return a + b
    if op == SUB:
        return a - b
    if op == MUL:
        return a * b
    if op == POW:
        return a**b
    if op == NEG:
        return -a
    if op == MAXIMUM:
        return _k.maximum(a, b)
    return _k.minimum(a, b)  # MINIMUM


@njit(inline="always")
def _eval_logical(op, a, b, c, zero, one):  # noqa: C901 - one branch per op
    """Comparisons, logic, ``SELECT`` and the ``isnan``/``isinf``/``isfinite`` tests: each
    gives ``one`` or ``zero`` (``SELECT``: ``b`` or ``c``)."""
    if op == LT:
        return one if a < b else zero
    if op == LE:
        return one if a <= b else zero
    if op == GT:
        return one if a > b else zero
    if op == GE:
        return one if a >= b else zero
    if op == EQ:
        return one if a == b else zero
    if op == NE:
        return one if a != b else zero
    if op == AND:
        return one if (a != zero and b != zero) else zero
    if op == OR:
        return one if (a != zero or b != zero) else zero
    if op == NOT:
        return zero if a else one
    if op == TOBOOL:
        return one if a else zero
    if op == SELECT:  # (b if a else c): NaN is true, as in Python and Numba
        return b if a else c
    if op == ISNAN:
        return one if np.isnan(a) else zero
    if op == ISINF:
        return one if np.isinf(a) else zero
    return one if np.isfinite(a) else zero  # ISFINITE


@njit(inline="always")
def _eval_math(op, a):  # noqa: C901 - one branch per op
    """The unary math functions, ``EXP`` ... ``ERFC``, with the scalar functions the
    generated source calls."""
    if op == EXP:
        return _exp(a)
    if op == LOG:
        return np.log(a)
    if op == LOG1P:
        return np.log1p(a)
    if op == EXPM1:
        return np.expm1(a)
    if op == SQRT:
        return np.sqrt(a)
    if op == SIN:
        return _sin(a)
    if op == COS:
        return _cos(a)
    if op == TANH:
        return _tanh(a)
    if op == ABS:
        return abs(a)
    if op == FLOOR:
        return np.floor(a)
    if op == CEIL:
        return np.ceil(a)
    if op == TRUNC:
        return np.trunc(a)
    if op == ERF:
        return math.erf(a)
    return math.erfc(a)


@njit
def _eval_int(op, a, b, c, zero, one):
    """Row ``op`` on int64 registers, as Numba computes the rendered expression on int64 (and
    booleans held as 0/1: Numba's ``bool + int64`` is the int64 sum): only the rows that the
    translation emits for an integer program (:data:`.tier0_translate.INTEGER_ROWS`)."""
    if op < LT:
        return _eval_arithmetic(op, a, b)
    if op <= SELECT:
        return _eval_logical(op, a, b, c, zero, one)
    if op == ABS:
        return abs(a)
    if op == SIGN:
        return np.sign(a)
    if op == FLOORDIV:
        return a // b
    if op == MOD:
        return a % b
    if op == INVERT:
        return ~a
    return _eval_bits(op, a, b)


@njit(inline="always")
def _eval_bits(op, a, b):
    """``& | ^ << >>`` of int64 registers."""
    if op == BAND:
        return a & b
    if op == BOR:
        return a | b
    if op == BXOR:
        return a ^ b
    if op == LSHIFT:
        return a << b
    return a >> b  # RSHIFT
