"""Tier 0's narrower signed integers (int8, int16, int32) on the int64 interpreter.

Their kernels compiled at the first call (a census of a few heavy test files, perf/RESULTS.md
Run gen19: ~50 compiles in tests/test_special_forms.py alone). Numba widens their operands to
int64 before arithmetic, bits, shifts, ``//``, ``%`` and comparisons and truncates on the
store; tier 0 does the same (tier0_translate's docstring). Each op of tests/test_tier0_int.py
is rendered for the narrow dtype and compared byte for byte with the compiled kernel on the
dtype's extremes (wrapping sums and products, ``MIN // -1``, shifts past the width), several
rows to a compiled kernel (tests/tier0_rows.py).
"""

from __future__ import annotations

import numpy as np
import pytest

from jitgrad.fusion import codegen as C
from jitgrad.fusion import lowering as LW
from jitgrad.fusion import tier0
from jitgrad.fusion import tier0_interp as I
from jitgrad.ops.registry import REGISTRY
from tests import tier0_rows as R
from tests.test_tier0 import _compare
from tests.test_tier0_int import OPS, TESTS


def _values(dt: str, n: int, seed: int, small: bool = False) -> np.ndarray:
    """The dtype's extremes and a few around zero, then ``n`` random values (``small``:
    shift counts and divisors of every sign, past the width)."""
    info = np.iinfo(dt)
    special = [0, 1, -1, 2, -2, 7, -8, info.max, info.min, info.max - 1, info.min + 1]
    rng = np.random.default_rng(seed)
    rand = rng.integers(-70, 70, n) if small else rng.integers(info.min, info.max, n, endpoint=True)
    return np.concatenate([np.roll(special, seed), rand]).astype(dt)


def _row(name: str, dt: str, n: int) -> R.Row:
    op = REGISTRY[name]
    odt = "bool" if name in TESTS else dt
    spec = LW.op_forward(op, "t" * op.arity, 1, False, dt, odt)
    args = []
    for i in range(op.arity):
        if op.condition and i == 0:
            args.append(_values(dt, n, 9) % 3 == 0)
        else:
            args.append(_values(dt, n, 3 + i, small=i > 0 and name not in {"mul", "add", "sub"}))
    size = len(args[0])
    return R.Row(f"{name}-{dt}", spec, args, [lambda: np.zeros(size, odt)])


@pytest.mark.parametrize("dt", ["int8", "int32"])
def test_narrow_integer_forwards_are_bitwise_the_compiled_kernels(dt):
    """Every int64 op row but ``abs`` (refused below) in ``dt``: tier 0 (int64 registers,
    truncated on the store) against the compiled kernel's own statements."""
    rows = [_row(name, dt, 40) for name in OPS if name != "abs"]
    R.compare(rows, f"tier0_narrow_{dt}", _compare, I.N_IN, I.N_OUT)


def test_narrow_integer_output_added_into_wraps_as_compiled():
    """``out += a * b`` on int16 (an in-place ``add_``'s mode): the sum of the stored values
    and the int64 product truncated once, as the compiled loop's store does."""
    mul = LW.Apply(REGISTRY["mul"], "int16", "int16", ((LW.ARG, "x0", None), (LW.ARG, "x1", None)))
    out = (("out", ("value", 0), C.ACCUMULATE, "int16"),)
    spec = LW.lower(LW.Group("mul_int16", (mul,), (("x0", False), ("x1", False)), out, 1))
    a, b = _values("int16", 30, 1), _values("int16", 30, 2)
    _compare(spec, lambda: [a, b, _values("int16", 30, 5)])


def test_what_narrow_integer_programs_refuse():
    """``abs`` of a narrow integer (Numba keeps its width: ``abs(int8(-128))`` is -128),
    unsigned integers (Numba widens them to uint64), and two narrow dtypes in one call."""
    i8 = np.array([-128, 5, -3], np.int8)
    abs_ = LW.op_forward(REGISTRY["abs"], "t", 1, False, "int8", "int8")
    assert tier0.translate(abs_, (i8, np.zeros(3, np.int8)), C.REDUCE_BLOCK) is None
    u8 = np.array([1, 200, 3], np.uint8)
    add_u8 = LW.op_forward(REGISTRY["add"], "tt", 1, False, "uint8", "uint8")
    assert tier0.translate(add_u8, (u8, u8, np.zeros(3, np.uint8)), C.REDUCE_BLOCK) is None
    add_mixed = LW.op_forward(REGISTRY["add"], "tt", 1, False, "int16", "int16")
    mixed = (i8, i8.astype(np.int16), np.zeros(3, np.int16))
    assert tier0.translate(add_mixed, mixed, C.REDUCE_BLOCK) is None
