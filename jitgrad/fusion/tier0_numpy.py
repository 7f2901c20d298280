"""Tier 0 before its interpreter exists: a translated program run by NumPy's ufuncs.

Why: tier 0's interpreter (:mod:`.tier0_interp`) is one large Numba function, ~5 s of CPU to
build per dtype, so a process builds it only after :data:`.tier0.AFTER_COMPILES` compiles,
and a new user's first program (the README's example) used to compile every generated kernel
it ran at its first call, 0.1-0.4 s each, for three elements. A program whose rows are all
exact IEEE operations (``+ - * /``, negation, comparisons, logic, ``where``, ``abs``,
``sqrt``, ``floor``/``ceil``/``trunc``, the ``isnan`` family, PyTorch's ``sign``) gets the
same bits whichever executor runs it: each row is one correctly rounded operation in the
kernel's dtype, done here by a NumPy ufunc over the whole operand and in the compiled loop
element by element (generated kernels are compiled without fast-math flags, so LLVM fuses no
multiply and add into one rounding there; ``tests/test_tier0_numpy.py`` compares the two over
the op declarations). Programs with library calls (``exp``, ``log``, ``sin``... whose NumPy
versions are not the functions the kernel calls), powers, row sums or reductions are not
taken here: their kernels compile at the first call, as before.

Rows run in order over whole operands (the interpreter runs them over chunks of 256 innermost
elements): the same values, since a row's element depends only on the same element of earlier
rows, and an output is written only by its own store (an output that shares memory between its
elements compiles, see :meth:`.tier0.Tier0.take`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import tier0_interp as I

_BINARY = {I.ADD: np.add, I.SUB: np.subtract, I.MUL: np.multiply, I.DIV: np.divide}
_UNARY = {I.NEG: np.negative, I.ABS: np.abs, I.SQRT: np.sqrt, I.FLOOR: np.floor,
          I.CEIL: np.ceil, I.TRUNC: np.trunc}  # fmt: skip
#: Rows whose result is a 0/1 of the dtype (the interpreter's booleans): the test on operands.
_TESTS = {
    I.LT: lambda a, b: a < b, I.LE: lambda a, b: a <= b, I.GT: lambda a, b: a > b,
    I.GE: lambda a, b: a >= b, I.EQ: lambda a, b: a == b, I.NE: lambda a, b: a != b,
    I.AND: lambda a, b: (a != 0) & (b != 0), I.OR: lambda a, b: (a != 0) | (b != 0),
    I.NOT: lambda a, b: a == 0, I.TOBOOL: lambda a, b: a != 0,  # NaN is true, as in Numba
    I.ISNAN: lambda a, b: np.isnan(a), I.ISINF: lambda a, b: np.isinf(a),
    I.ISFINITE: lambda a, b: np.isfinite(a),
}  # fmt: skip
TAKEN = {I.LOAD, I.CONST, I.SELECT, I.SIGN, I.STORE, I.ACC, *_BINARY, *_UNARY, *_TESTS}
#: Largest loop NumPy runs; a larger one compiles at its first call, as before tier 0. Tier 0's
#: budget is in the interpreter's per-call estimates, which undercount NumPy's ~1-2 us per row
#: and call: the demo's 64x128 activations ran in NumPy for ~150 steps a kernel, and its cold
#: and warm processes took 0.3-0.4 s more CPU (perf/RESULTS.md, Run coldstart11).
MAX_SIZE = 4096


def expand(args: tuple, compact: dict, shape: tuple) -> list:
    """``args`` with each compact operand (:func:`.codegen.compact_args`) as the broadcast
    view of the loop's shape it stands for (writable for an output: stride 0 repeats)."""
    args = list(args)
    for k, dim in compact.items():
        v = args[k]
        strides = [0] * len(shape)
        if dim >= 0:
            strides[dim] = v.strides[0]
        args[k] = np.lib.stride_tricks.as_strided(v, shape, strides)
    return args


def rows(ins: np.ndarray) -> list[tuple[int, ...]] | None:
    """``ins``'s rows (header dropped) as tuples when every op is one this module runs
    exactly, else None."""
    body = [tuple(r) for r in ins[1:].tolist()]
    return body if all(r[0] in TAKEN for r in body) else None


def run(body: list, t: type, consts: np.ndarray, ins: list, outs: list) -> None:
    """Execute ``body`` (from :func:`rows`) on whole operands: ``ins`` the input arrays in the
    interpreter's slot order, ``outs`` the outputs, all of the loop's shape, of dtype ``t``."""
    regs: dict[int, Any] = {}
    zero, one = t(0), t(1)
    with np.errstate(all="ignore"):  # x/0 and sqrt(-1) give inf/NaN silently, as compiled
        for op, d, x, y, z in body:
            a = regs.get(x)
            if op == I.LOAD:
                regs[d] = ins[x]
            elif op == I.CONST:
                regs[d] = t(consts[x])
            elif op in _BINARY:
                regs[d] = _BINARY[op](a, regs[y]).astype(t, copy=False)
            elif op in _UNARY:
                regs[d] = _UNARY[op](a).astype(t, copy=False)
            elif op in _TESTS:
                regs[d] = np.where(_TESTS[op](a, regs.get(y)), one, zero)
            elif op == I.SELECT:  # (b if a else c)
                regs[d] = np.where(a != 0, regs[y], regs[z])
            elif op == I.SIGN:  # PyTorch's: 0 for NaN and -0.0
                regs[d] = np.where(a > 0, one, np.where(a < 0, -one, zero))
            elif op == I.STORE:
                outs[d][...] = a
            else:  # ACC: the compiled loop's out[i] += value, one rounding in the dtype
                np.add(outs[d], a, out=outs[d])
