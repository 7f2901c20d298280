"""Tier 0's complex interpreter: one pre-compiled loop for every mix of complex and real dtypes.

Why: complex kernels mix dtypes by construction (a complex64 gradient, the float32 gradient of
a real operand, a complex128 incoming gradient narrowed by ``np.complex64(...)``), and the
float interpreters of :mod:`.tier0_interp` take one real dtype per kernel. So this loop holds
every value as a complex128 register, which represents each complex64, complex128, float32,
float64 and boolean value exactly (a real ``x`` as ``x + 0j``, a boolean as 0/1), and each row
names the type it computes in (:data:`C128` ... :data:`F32`): its operands are narrowed to
that type (exact: they are values of it), the Numba operation of that type runs (the function
the generated source calls: ``cmath.exp``, ``_k.cdiv_complex64``, complex ``*`` and ``abs``
as Numba lowers them), and the result is widened back (exact). So its results are bitwise the
compiled kernel's (``tests/test_tier0_complex.py``). One loop for both widths instead of one
per dtype: a complex64 kernel and a complex128 one differ in their rows' types, not in the
loop, and one build (:func:`loop`: 9.1-10.2 CPU s under load, float32's 7.0-9.0 in the same
runs; perf/RESULTS.md, Run t0complex) serves every complex kernel.
:mod:`.tier0_complex` translates a spec into these rows.

A row is ``[op, dst, x, y, z, type]`` (registers; the slot for a load or store). The loop
takes its operands as two tuples of one array type (Numba indexes a homogeneous tuple by a
run-time slot), so its slot counts are its own (:data:`N_IN`, :data:`N_OUT`).
"""

from __future__ import annotations

import cmath
import threading
import time
from typing import Any

import numpy as np
from numba import njit, types
from numba.extending import overload

from ..helpers import debug_print
from ..kernels.cpu import scalar as _k
from ..kernels.cpu.jit import cached_njit

#: The interpreter's name in :func:`.tier0.ready` and its marker file.
DTYPE = "complex"
#: The dtypes a complex program's arrays may have (and the row types, by code).
TYPES = ("complex128", "complex64", "float64", "float32")
C128, C64, F64, F32 = range(4)
_TYPE = {name: k for k, name in enumerate(TYPES)}
#: Operand and output slots of the loop.
N_IN, N_OUT = 8, 8
CHUNK = 256

# ---- op codes: [op, dst, x, y, z, type] ------------------------------------------------------
OPS = (
    "load", "const", "add", "sub", "mul", "div", "pow", "neg", "cdiv", "exp", "log",
    "sqrt", "sin", "cos", "tanh", "sinh", "cosh", "sgn", "abs", "conj", "real", "imag", "cast",
    "complex", "eq", "ne", "lt", "le", "gt", "ge",
    # type-independent rows, on the held values
    "and", "or", "not", "tobool", "select", "isnan", "isinf", "isfinite",
    "store", "acc",
)  # fmt: skip
CODE = {name: i for i, name in enumerate(OPS)}
(LOAD, CONST, ADD, SUB, MUL, DIV, POW, NEG, CDIV, EXP, LOG, SQRT, SIN, COS, TANH, SINH,
 COSH, SGN, ABS, CONJ, REAL, IMAG, CAST, COMPLEX, EQ, NE, LT, LE, GT, GE, AND, OR, NOT, TOBOOL,
 SELECT, ISNAN, ISINF, ISFINITE, STORE, ACC) = range(len(OPS))  # fmt: skip
WIDTH = 6


def _cdiv(a, b):  # pragma: no cover - Numba compiles the overload
    raise NotImplementedError


@overload(_cdiv)
def _cdiv_impl(a, b):
    """The generated source's complex ``/`` of ``a``'s width (``_k.cdiv_complex64/128``)."""
    if a == types.complex64:
        return lambda a, b: _k.cdiv_complex64(a, b)
    return lambda a, b: _k.cdiv_complex128(a, b)


@njit(inline="always", error_model="numpy")
def _arith(op, a, b):
    """``ADD`` ... ``NEG``: the arithmetic operators of either kind of value."""
    if op == ADD:
        return a + b
    if op == SUB:
        return a - b
    if op == MUL:
        return a * b
    if op == DIV:
        return a / b
    if op == POW:
        return a**b
    return -a  # NEG


@njit(inline="always", error_model="numpy")
def _complex_row(op, a, b):  # noqa: C901 - one branch per op
    """Row ``op`` on two complex values of one width, as the generated source computes it
    (a real result: a complex of it, widened by the caller)."""
    if op <= NEG:  # (``**``: Numba's, as ``_k.pow_complex64/128``; ``/``: not emitted)
        return _arith(op, a, b)
    if op == CDIV:
        return _cdiv(a, b)
    if op == EXP:
        return cmath.exp(a)
    if op == LOG:
        return cmath.log(a)
    if op == SQRT:
        return cmath.sqrt(a)
    if op == SIN:
        return cmath.sin(a)
    if op == COS:
        return cmath.cos(a)
    if op == TANH:
        return cmath.tanh(a)
    if op == SINH:
        return cmath.sinh(a)
    if op == COSH:
        return cmath.cosh(a)
    if op == SGN:
        return _k.sgn(a)
    return _complex_part(op, a, b)


@njit(inline="always", error_model="numpy")
def _complex_part(op, a, b):
    """The rows of a complex operand whose result is real or boolean, and ``conjugate``."""
    if op == ABS:
        return complex(abs(a), 0.0)
    if op == CONJ:
        return a.conjugate()
    if op == REAL:
        return complex(a.real, 0.0)
    if op == IMAG:
        return complex(a.imag, 0.0)
    if op == EQ:
        return complex(1.0 if a == b else 0.0, 0.0)
    return complex(1.0 if a != b else 0.0, 0.0)  # NE


@njit(inline="always", error_model="numpy")
def _real_row(op, a, b):  # noqa: C901 - one branch per op
    """Row ``op`` on two real values of one width (comparisons: 1.0 or 0.0)."""
    if op <= NEG:
        return _arith(op, a, b)
    if op == ABS:
        return abs(a)
    if op == EQ:
        return 1.0 if a == b else 0.0
    if op == NE:
        return 1.0 if a != b else 0.0
    if op == LT:
        return 1.0 if a < b else 0.0
    if op == LE:
        return 1.0 if a <= b else 0.0
    if op == GT:
        return 1.0 if a > b else 0.0
    return 1.0 if a >= b else 0.0  # GE


@njit(inline="always", error_model="numpy")
def _held_row(op, a, b, c):
    """The type-independent rows, on held values: logic (a boolean is 0/1), ``select`` (a
    value is true when nonzero, NaN included, as Numba's truth of a float or complex), the
    ``cmath.isnan`` family (either part)."""
    one, zero = complex(1.0, 0.0), complex(0.0, 0.0)
    if op == AND:
        return one if (a != 0 and b != 0) else zero
    if op == OR:
        return one if (a != 0 or b != 0) else zero
    if op == NOT:
        return zero if a != 0 else one
    if op == TOBOOL:
        return one if a != 0 else zero
    if op == SELECT:
        return b if a != 0 else c
    if op == ISNAN:
        return one if cmath.isnan(a) else zero
    if op == ISINF:
        return one if cmath.isinf(a) else zero
    return one if cmath.isfinite(a) else zero  # ISFINITE


@njit(inline="always", error_model="numpy")
def _narrow(t, a):
    """``a`` narrowed to type ``t`` (``C64`` or ``F32``, of a real value), held again."""
    if t == C64:
        return np.complex128(np.complex64(a))
    return complex(np.float64(np.float32(a.real)), 0.0)


@njit(inline="always", error_model="numpy")
def _add(t, a, b):
    """``a + b`` in type ``t``: ``evaluate(ADD, t, a, b, b)``, for the ``+=`` of an ``ACC`` row.
    Not that call: a constant op code is a literal type to Numba, which compiled ``evaluate``
    once more per literal (``ADD``, ``CAST``: ~4.7 of the build's ~10.8 CPU s, Run
    t0interp19); inlined, the row keeps the specialization's few branches per element."""
    if t == C128:
        return a + b
    if t == C64:
        return np.complex128(np.complex64(a) + np.complex64(b))
    if t == F64:
        return complex(a.real + b.real, 0.0)
    return complex(np.float64(np.float32(a.real) + np.float32(b.real)), 0.0)


@njit(error_model="numpy")
def evaluate(op, t, a, b, c):
    """Row ``op`` computed in type ``t`` on held (complex128) values, its result held."""
    if op >= AND:
        return _held_row(op, a, b, c)
    if op == CAST:  # to ``t``: a narrowing (a widening is the held value itself)
        return _narrow(t, a)
    if op == COMPLEX:  # complex(x, y) of two reals: complex128
        return complex(a.real, b.real)
    if t == C128:
        return _complex_row(op, a, b)
    if t == C64:
        return np.complex128(_complex_row(op, np.complex64(a), np.complex64(b)))
    if t == F64:
        return complex(_real_row(op, a.real, b.real), 0.0)
    return complex(np.float64(_real_row(op, np.float32(a.real), np.float32(b.real))), 0.0)


def _run(ins, consts, shape_at, inputs, outputs):
    """Execute ``ins`` over the loop nest of input (``shape_at >= 0``) or output
    (``-1 - shape_at``) slot's shape, a chunk of :data:`CHUNK` innermost elements per row,
    outputs written element by element in C order (as the compiled loop). Row 0: a header
    (its ``[0, 1]``: the register count)."""
    src = inputs[shape_at] if shape_at >= 0 else outputs[-1 - shape_at]
    n0, n1, n2, n3 = src.shape
    R = np.empty((ins[0, 1], CHUNK), np.complex128)  # noqa: N806
    for a0 in range(n0):
        for a1 in range(n1):
            for a2 in range(n2):
                for lo in range(0, n3, CHUNK):
                    m = min(CHUNK, n3 - lo)
                    for r in range(1, ins.shape[0]):
                        _row(ins[r], consts, R, m, a0, a1, a2, lo, inputs, outputs)


@njit(inline="always", error_model="numpy")
def _row(row, consts, R, m, a0, a1, a2, lo, inputs, outputs):  # noqa: N803
    """One row on the ``m`` innermost elements from ``lo`` at outer index ``a0, a1, a2``."""
    op, d, x, y, z, t = row[0], row[1], row[2], row[3], row[4], row[5]
    if op == LOAD:
        a = inputs[x]
        for j in range(m):
            R[d, j] = a[a0, a1, a2, lo + j]
    elif op == CONST:
        c = consts[x]
        for j in range(m):
            R[d, j] = c
    elif op == STORE:
        o = outputs[d]
        for j in range(m):
            o[a0, a1, a2, lo + j] = R[x, j]
    elif op == ACC:  # o[i] += v: added in type ``t``, narrowed to the output's (``z``: its + 1)
        o = outputs[d]
        for j in range(m):
            s = _add(t, o[a0, a1, a2, lo + j], R[x, j])
            o[a0, a1, a2, lo + j] = _narrow(z - 1, s) if z else s
    else:
        for j in range(m):
            R[d, j] = evaluate(op, t, R[x, j], R[y, j], R[z, j])


#: The loop, compiled by :func:`loop` for its one signature.
RUN = cached_njit(error_model="numpy", nogil=True)(_run)
#: Its signature once compiled or loaded (:func:`.tier0.ready` asks).
SIGNATURES: dict[str, Any] = {}
_LOCK = threading.Lock()


def loop(dtype: str = DTYPE) -> Any:
    """The interpreter (compiled the first time, from the disk cache after that)."""
    dispatcher = getattr(RUN, "dispatcher", RUN)  # (JITGRAD_DEBUG's wrapper off)
    if dtype in SIGNATURES:
        return dispatcher
    with _LOCK:
        if dtype not in SIGNATURES:
            src = types.Array(types.complex128, 4, "A", readonly=True)
            dst = types.Array(types.complex128, 4, "A")
            ins = types.Array(types.int32, 2, "C")
            sig = types.void(ins, types.complex128[::1], types.int64,
                             types.UniTuple(src, N_IN), types.UniTuple(dst, N_OUT))  # fmt: skip
            start = time.perf_counter()
            dispatcher.compile(sig)
            dispatcher.disable_compile()
            seconds = time.perf_counter() - start
            debug_print(1, f"tier0 interpreter {dtype} ready in {seconds * 1e3:.1f} ms")
            SIGNATURES[dtype] = sig
    return dispatcher
