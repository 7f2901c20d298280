"""Tier 0 against the compiled kernels of every op's forward and backward, rows merged.

tests/test_tier0.py's op table (``OPS``, ``SPECIAL_OPS``: each op in float32 and float64 on
ordinary and special values) used to compile one kernel per row and direction (~240 compiles,
~34 CPU s: perf/RESULTS.md Run ttime). Here the rows' kernels, each rendered by the one
lowering, are merged into wide kernels of at most the interpreter's 8 arrays in and 8 out
(tests/tier0_rows.py), so tier 0 runs each in one pass as it ran each row, and each row's
outputs are compared byte for byte (any NaN as one NaN) under the row's name.
perf/tier0_rows_check.py compares every row's outputs in the wide kernels with its own kernel's.
"""

from __future__ import annotations

import numpy as np
import pytest

from jitgrad.fusion import codegen as C
from jitgrad.fusion import lowering as LW
from jitgrad.fusion import tier0, tier0_passes
from jitgrad.fusion import tier0_interp as I
from jitgrad.fusion import tier0_libm as L
from jitgrad.ops.registry import REGISTRY
from tests import tier0_rows as R
from tests.test_tier0 import CASES, FORWARD_ONLY, SPECIAL, _bits, _compare, _operands, _values


def _rows(dt: str) -> tuple[list, list]:
    """Every op row of ``CASES`` in ``dt``: its forward, and what its backward needs (the op,
    operand mask, operands)."""
    fwd, ops_of = [], []
    size = 40 + len(SPECIAL)
    for name, smask, positive, cdt in CASES:
        if cdt == dt:
            op = REGISTRY[name]
            ops = _operands(op, smask, positive, dt, 40)
            spec = LW.op_forward(op, smask, 1, False, dt, dt)
            fwd.append(R.Row(f"{name}_{smask}-{dt} forward", spec, ops,
                             [lambda: np.zeros(size, dt)]))  # fmt: skip
            ops_of.append((name, smask, ops))
    return fwd, ops_of


def _backward_row(name: str, smask: str, ops: list, out: np.ndarray, dt: str):
    op = REGISTRY[name]
    modes = tuple(
        C.STORE if m == "t" and g is not None and not (op.condition and i == 0) else None
        for i, (m, g) in enumerate(zip(smask, op.grads, strict=False))
    )
    if not any(modes) or (name in FORWARD_ONLY and dt == "float32"):
        return None
    spec, order = LW.op_backward(op, smask, modes, 1, False, dt, (None,) * len(smask))
    by_role = {"g": _values(dt, 40, 9), "out": out, **dict(zip("abc", ops, strict=False))}
    outs = [lambda: np.zeros(out.size, dt) for m in modes if m is not None]
    return R.Row(f"{name}_{smask}-{dt} backward", spec, [by_role[r] for r in order], outs)


@pytest.mark.parametrize("dt", ["float32", "float64"])
def test_op_forwards_and_backwards_are_bitwise_the_compiled_kernels(dt):
    """Every op of ``OPS`` (and in float64 ``SPECIAL_OPS``) forward on ordinary and special
    values, then its backward (the incoming gradient, the operands and the forward's compiled
    output): tier 0 against the compiled code of the op's own statements, several rows to a
    compiled kernel (tests/tier0_rows.py; a failure names the row)."""
    fwd, ops_of = _rows(dt)
    R.compare(fwd, f"tier0_rows_{dt}_fwd", _compare, I.N_IN, I.N_OUT)
    outs = R.outputs(fwd, f"tier0_rows_{dt}_fwd", I.N_IN, I.N_OUT)
    assert len(outs) == len(fwd) == sum(c[3] == dt for c in CASES)
    bwd = [_backward_row(*o, out[0], dt) for o, out in zip(ops_of, outs, strict=True)]
    bwd = [row for row in bwd if row is not None]
    assert len(bwd) > len(fwd) // 2
    R.compare(bwd, f"tier0_rows_{dt}_bwd", _compare, I.N_IN, I.N_OUT)


def test_merged_rows_compute_each_rows_own_outputs():
    """The merge itself (shared operands one parameter, each row's locals and outputs its
    own): three rows whose operands overlap, their wide kernel's outputs byte-equal to each
    row's own kernel's (perf/tier0_rows_check.py does this for every row of the table)."""
    dt = "float64"
    a, b = _values(dt, 40, 1), _values(dt, 40, 2)
    s = np.float64(1.75)
    rows = [R.Row(f"{name}_{m}", LW.op_forward(REGISTRY[name], m, 1, False, dt, dt), args,
                  [lambda: np.zeros(a.size)])  # fmt: skip
            for name, m, args in [("add", "tt", [a, b]), ("sub", "st", [s, a.copy()]),
                                  ("mul", "ts", [b, np.float64(1.75)])]]  # fmt: skip
    spec, args, owners = R.merge(rows, "tier0_rows_merge_probe")
    assert [name for name, _ in spec.inputs] == ["x0", "x1", "s0"]
    assert owners == [r.name for r in rows]
    wide = R.fresh_outputs(rows)
    C.get_kernel(spec).dispatcher(*args, *wide)
    for row, got in zip(rows, wide, strict=True):
        own = np.zeros(a.size)
        C.get_kernel(row.spec).dispatcher(*row.args, own)
        assert got.tobytes() == own.tobytes(), row.name


def test_special_rows_run_through_their_table_linked_at_a_programs_first_launch():
    """float64's special rows are compiled apart from the interpreter (``tier0_libm``'s
    ``SPECIAL_TABLE``, perf/RESULTS.md Run t0interp19) and called through its address in the
    rows' header: a program using one has it after its first launch, in each pass when split
    (a special row alone in a later pass), and computes the compiled kernel's bits; a program
    without one leaves the header's words 0."""
    dt = "float64"
    a, b = np.linspace(1.1, 6.0, 40), np.linspace(0.3, 3.0, 40)
    rows = [R.Row(name, LW.op_forward(REGISTRY[name], m, 1, False, dt, dt), args,
                  [lambda: np.zeros(a.size)])  # fmt: skip
            for name, m, args in [("exp", "t", [a]), ("digamma", "t", [a]),
                                  ("special_zeta", "tt", [a, b])]]  # fmt: skip
    spec, args, owners = R.merge(rows, "tier0_special_table_probe")
    kernel = C.get_kernel(spec)
    want = R.fresh_outputs(rows)
    kernel.dispatcher(*args, *want)
    got = R.fresh_outputs(rows)
    program = tier0.translate(spec, (*args, *got), C.REDUCE_BLOCK)
    program.passes = tier0_passes.split(program.ins, program.uses, program.shape, max_rows=1)
    assert program.unlinked and not program.ins[0, 3:].any()
    program.launch(kernel, (*args, *got))
    headers = [program.ins[0], *(p.ins[0] for p in program.passes.passes)]
    assert len(headers) > 3 and not program.unlinked
    assert all(tuple(h[3:]) == L.table_words() != (0, 0) for h in headers)
    for name, g, w in zip(owners, got, want, strict=True):
        assert _bits(g) == _bits(w), name
    plain = tier0.translate(rows[0].spec, (a, np.zeros(a.size)), C.REDUCE_BLOCK)
    plain.launch(C.get_kernel(rows[0].spec), (a, np.zeros(a.size)))
    assert not plain.unlinked and not plain.ins[0, 3:].any()
