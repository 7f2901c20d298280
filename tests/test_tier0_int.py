"""Tier 0's int64 programs (issue 16 section 3): integer kernels no longer compile in tests.

Integer kernels (index arithmetic, masks, bit operations, ``//`` and ``%``) compiled at their
first call: in an empty cache the census of the corpus's half 0 (perf/RESULTS.md, Run tcmd)
counted ~25 of them. Each case renders the int64 kernel the way jitgrad does and compares tier
0's outputs with the compiled kernel's byte for byte, by the int64 interpreter and (where it
takes the program) by NumPy, on the extremes of int64 (wrapping products, zero divisors,
negative operands of ``//`` and ``%``), with boolean and scalar operands mixed in.
"""

from __future__ import annotations

import numpy as np
import pytest

from jitgrad.fusion import codegen as C
from jitgrad.fusion import lowering as LW
from jitgrad.fusion import tier0
from jitgrad.ops.registry import REGISTRY
from tests.test_tier0 import _compare
from tests.test_tier0_bool import _numpy_run

BIG = 2**63 - 1
SPECIAL = [0, 1, -1, 2, -2, 3, -7, 63, 64, -64, 2**31, -(2**31), 2**62, BIG, -BIG - 1, 10**15]

#: The int64 forwards tier 0 takes (every operand a tensor), as rendered by ops/expr.py
OPS = [
    "abs", "add", "addcmul", "bitwise_and", "bitwise_left_shift", "bitwise_not", "bitwise_or",
    "bitwise_right_shift", "bitwise_xor", "clamp", "clamp_max", "clamp_min", "cube",
    "div_floor", "div_trunc", "eq", "floor_divide", "fmod", "ge", "gt", "hardshrink",
    "heaviside", "le", "leaky_relu", "logical_and", "logical_not", "logical_or",
    "logical_xor", "lt", "maximum", "minimum", "mul", "ne", "neg", "relu", "remainder",
    "sign", "softshrink", "square", "sub", "threshold", "where",
]  # fmt: skip


def _ints(n: int, seed: int, small: bool = False) -> np.ndarray:
    """The extremes, then ``n`` random values (shift counts and divisors of every sign when
    ``small``; any int64 otherwise)."""
    rng = np.random.default_rng(seed)
    rand = rng.integers(-70, 70, n) if small else rng.integers(-BIG - 1, BIG, n, dtype=np.int64)
    return np.concatenate([np.roll(np.array(SPECIAL, np.int64), seed), rand])


def _operands(names: str, n: int) -> list:
    """One operand per role: int64 (``i``), small int64 (``s``: counts, divisors), bool
    (``b``), a Python int (``p``), a NumPy int64 (``n``); ``INT64_MIN // -1`` avoided (a
    hardware trap in compiled code as anywhere)."""
    out = []
    for k, role in enumerate(names):
        if role in "is":
            out.append(_ints(n, 3 + k, role == "s"))
        elif role == "b":
            out.append(_ints(n, 9 + k) % 3 == 0)
        else:
            out.append(5 if role == "p" else np.int64(-3))
    arrays = [a for a in out if isinstance(a, np.ndarray) and a.dtype == np.int64]
    for a in arrays[1:]:
        a[(arrays[0] == -BIG - 1) & (a == -1)] = 3
    return out


#: ops whose output is boolean
TESTS = {"eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor",
         "logical_not"}  # fmt: skip


def _spec(name: str, smask: str, ndim: int = 1):
    odt = "bool" if name in TESTS else "int64"
    return LW.op_forward(REGISTRY[name], smask, ndim, False, "int64", odt), odt


def _check(spec, odt: str, ops: list, size: int) -> None:
    def make():
        return [*ops, np.zeros(size, odt)]

    program = tier0.translate(spec, tuple(make()), C.REDUCE_BLOCK)
    assert program is not None and program.dtype == "int64", f"tier 0 refused {spec.label}"
    _compare(spec, make)
    _numpy_run(spec, make)


@pytest.mark.parametrize("name", OPS)
def test_int64_forwards_are_bitwise_the_compiled_kernels(name):
    op = REGISTRY[name]
    n = 60
    roles = "".join("b" if op.condition and i == 0 else ("s" if i else "i")
                    for i in range(op.arity))  # fmt: skip
    if name in {"bitwise_and", "bitwise_or", "bitwise_xor", "mul", "add", "sub", "eq", "lt"}:
        roles = "i" * op.arity  # (full-width operands: wrapping, every bit)
    spec, odt = _spec(name, "t" * op.arity)
    _check(spec, odt, _operands(roles, n), n + len(SPECIAL))


#: (op, operand mask, roles): scalars, booleans mixed with int64 operands
MIXED = [
    ("mul", "ts", "ip"), ("add", "ts", "in"), ("sub", "st", "pi"), ("div_floor", "ts", "in"),
    ("remainder", "ts", "ip"), ("clamp", "tss", "ipn"), ("hardtanh", "tss", "inp"),
    ("threshold", "tss", "ipn"), ("leaky_relu", "ts", "ip"), ("add", "tt", "bi"),
    ("mul", "tt", "ib"), ("bitwise_and", "tt", "bi"), ("bitwise_xor", "tt", "ib"),
    ("lt", "tt", "bi"), ("where", "ttt", "bib"), ("add_scaled", "tts", "iip"),
    ("sub_scaled", "tts", "sip"), ("maximum", "tt", "ib"), ("eq", "ts", "in"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "smask", "roles"), MIXED,
                         ids=[f"{o}_{m}_{r}" for o, m, r in MIXED])  # fmt: skip
def test_scalar_and_boolean_operands_of_int64_kernels(name, smask, roles):
    """Python and NumPy int64 scalars, and booleans beside int64 arrays (Numba computes
    ``bool + int64`` in int64: tier 0 holds the booleans as 0/1 of int64)."""
    n = 60
    spec, odt = _spec(name, smask)
    _check(spec, odt, _operands(roles, n), n + len(SPECIAL))


def _group(mode: str) -> C.KernelSpec:
    """``x0 * x1`` over a 2-D loop, its output in ``mode``."""
    mul = LW.Apply(REGISTRY["mul"], "int64", "int64", ((LW.ARG, "x0", None), (LW.ARG, "x1", None)))
    out = (("out", ("value", 0), mode, "int64"),)
    return LW.lower(LW.Group("mul_int", (mul,), (("x0", False), ("x1", False)), out, 2))


def test_int64_layouts_and_added_into_outputs():
    """A 2-D loop over a transposed and a row-broadcast operand, stored and added into
    (``+=``, as an in-place ``add_``'s kernel does)."""
    a = _ints(48 - len(SPECIAL), 4).reshape(8, 6).T
    b = np.broadcast_to(_ints(8, 5)[-8:], (6, 8))
    _compare(_spec("add", "tt", 2)[0], lambda: [a, b, np.zeros((6, 8), np.int64)])
    _compare(_group(C.ACCUMULATE), lambda: [a, b, np.full((6, 8), 7, np.int64)])


def test_what_int64_programs_refuse():
    """True division, powers and float functions of integers, unsigned integers (Numba
    widens them to uint64: tests/test_tier0_narrow.py), float scalars, and row sums or reductions of
    int64 compile as before."""
    call = (np.arange(3), np.arange(3), np.zeros(3))
    div = LW.op_forward(REGISTRY["div"], "tt", 1, False, "int64", "float64")
    assert tier0.translate(div, call, C.REDUCE_BLOCK) is None
    pow_ = LW.op_forward(REGISTRY["pow"], "tt", 1, False, "int64", "int64")
    ints = (np.arange(3), np.arange(3), np.zeros(3, np.int64))
    assert tier0.translate(pow_, ints, C.REDUCE_BLOCK) is None
    add32 = LW.op_forward(REGISTRY["add"], "tt", 1, False, "uint32", "uint32")
    i32 = (np.arange(3, dtype=np.uint32), np.arange(3, dtype=np.uint32), np.zeros(3, np.uint32))
    assert tier0.translate(add32, i32, C.REDUCE_BLOCK) is None
    mul = LW.op_forward(REGISTRY["mul"], "ts", 1, False, "int64", "int64")
    assert tier0.translate(mul, (np.arange(3), 0.5, np.zeros(3, np.int64)), C.REDUCE_BLOCK) is None
    a = np.arange(6).reshape(2, 3)
    for mode in (C.REDUCE, C.ACCUMULATE_ROW):
        out = np.zeros(1, np.int64) if mode == C.REDUCE else np.zeros((2, 3), np.int64)
        assert tier0.translate(_group(mode), (a, a, out), C.REDUCE_BLOCK) is None
