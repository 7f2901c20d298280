"""Tier 0's boolean outputs, all-boolean kernels and expanded gradients (issue 16 section 3).

Comparisons, ``isnan``-style tests and logic that end in a ``bool`` tensor used to compile at
their first call (the census of the corpus's half 0 in an empty cache, perf/RESULTS.md "Run
t0cover": 39 of its 217 generated compiles); so did every backward kernel that adds a
gradient into an expanded (stride-0) view. Each case here renders the kernel the way jitgrad
does and compares tier 0's outputs with the compiled kernel's byte for byte, by the
interpreter and (where it takes the program) by NumPy, in float32 and float64, on special
values, broadcast, 0-d and empty operands.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from numpy.lib.stride_tricks import as_strided

from jitgrad.fusion import codegen as C
from jitgrad.fusion import lowering as LW
from jitgrad.fusion import tier0
from jitgrad.fusion import tier0_interp as I
from jitgrad.ops.registry import REGISTRY
from tests.test_tier0 import SPECIAL, _bits, _compare, _values

#: (op, operand mask, compute dtype: "f" the case's float dtype, "b" bool)
BOOL_OPS = [
    ("lt", "tt", "f"), ("le", "tt", "f"), ("gt", "tt", "f"), ("ge", "tt", "f"),
    ("eq", "tt", "f"), ("ne", "tt", "f"), ("lt", "ts", "f"), ("eq", "ts", "f"),
    ("isnan", "t", "f"), ("isinf", "t", "f"), ("isfinite", "t", "f"), ("signbit", "t", "f"),
    ("isposinf", "t", "f"), ("isneginf", "t", "f"), ("logical_not", "t", "f"),
    ("logical_and", "tt", "f"), ("logical_or", "tt", "f"), ("logical_xor", "tt", "f"),
    ("logical_not", "t", "b"), ("logical_and", "tt", "b"), ("logical_or", "tt", "b"),
    ("logical_xor", "tt", "b"), ("bitwise_and", "tt", "b"), ("bitwise_or", "tt", "b"),
    ("bitwise_xor", "tt", "b"), ("bitwise_not", "t", "b"), ("copy", "tt", "b"),
    ("eq", "tt", "b"), ("ne", "tt", "b"),
]  # fmt: skip


def _bool_operands(smask: str, kind: str, dt: str, n: int) -> list:
    out = []
    for i, m in enumerate(smask):
        v = _values(dt, n, 1 + i)
        s = len(SPECIAL)
        v[s + 1 :: 4] = v[s::4][: len(v[s + 1 :: 4])]  # equal neighbours for eq/ne
        if kind == "b":
            out.append(v > 0)
        else:
            out.append(v if m == "t" else np.dtype(dt).type(0.5))
    return out


def _numpy_run(spec: C.KernelSpec, make) -> bool:
    """NumPy's run of ``spec`` (before the interpreter exists) against the compiled kernel;
    False when NumPy does not take the program."""
    got, want = make(), make()
    program = tier0.translate(spec, tuple(got), C.REDUCE_BLOCK)
    assert program is not None, spec.label
    if program.plain is None:
        return False
    C.get_kernel(spec).dispatcher(*want)
    program.launch(None, tuple(got), interp=False)
    first = len(spec.inputs)
    for g, w in zip(got[first:], want[first:], strict=True):
        assert g.dtype == w.dtype and _bits(g) == _bits(w), (spec.label, g, w)
    return True


@pytest.mark.parametrize("dt", ["float32", "float64"])
@pytest.mark.parametrize(("name", "smask", "kind"), BOOL_OPS,
                         ids=[f"{o}_{m}_{k}" for o, m, k in BOOL_OPS])  # fmt: skip
def test_boolean_outputs_are_bitwise_the_compiled_kernels(name, smask, kind, dt):
    """Tier 0 takes the kernel (it used to refuse every boolean output) and stores the same
    booleans as the compiled kernel, by the interpreter and by NumPy."""
    n = 40
    ops = _bool_operands(smask, kind, dt, n)
    cdt = "bool" if kind == "b" else dt
    spec = LW.op_forward(REGISTRY[name], smask, 1, False, cdt, "bool")
    size = n + len(SPECIAL)
    got = _compare(spec, lambda: [*ops, np.zeros(size, bool)])
    assert got[-1].dtype == np.bool_ and got[-1].any() and not got[-1].all()
    exact = name not in ("signbit",)  # (copysign: a library call, the interpreter's only)
    assert _numpy_run(spec, lambda: [*ops, np.zeros(size, bool)]) == exact


@pytest.mark.parametrize("dt", ["float32", "float64"])
@pytest.mark.parametrize("layout", ["row_broadcast", "column_broadcast", "transposed", "zero_d",
                                    "empty"])  # fmt: skip
def test_boolean_outputs_in_every_layout(layout, dt):
    """``a < b`` over a 2-D loop with jitgrad's iteration views (the compact variants of the
    broadcast ones included, as :func:`codegen.for_call` passes them)."""
    big = _values(dt, 400, 3)[:384].reshape(16, 24)
    a, b = big[:8, :12].copy(), big[8:, 12:].copy()
    if layout == "row_broadcast":
        b = np.broadcast_to(b[0], a.shape)
    elif layout == "column_broadcast":
        a = np.broadcast_to(a[:, :1], a.shape)
    elif layout == "transposed":
        a, b = a.T, b.T
    elif layout == "zero_d":
        a, b = a[1:2, 2:3].reshape(()), b[3:4, 4:5].reshape(())
    elif layout == "empty":
        a, b = a[:0], b[:0]
    ndim = a.ndim
    spec = LW.op_forward(REGISTRY["lt"], "tt", ndim, False, dt, "bool")
    kernel, call = C.get_kernel(spec), [a, b, np.zeros(a.shape, bool)]
    if a.size:
        kernel, call = C.for_call(kernel, call)
    got = _compare(kernel.spec, lambda: [*call[:2], np.zeros(call[2].shape, bool)])
    np.testing.assert_array_equal(got[-1], a < b)


def test_a_float_value_stored_into_a_boolean_output_is_nonzero():
    """A value of the dtype stored into a ``bool`` array is ``x != 0`` (NaN true), as the
    compiled store converts it."""
    spec = replace(LW.op_forward(REGISTRY["copy"], "tt", 1, False, "float32", "float32"),
                   outputs=(("out", "b_", C.STORE, "bool"),), label="tier0_bool_store")  # fmt: skip
    x = _values("float32", 10, 4)
    got = _compare(spec, lambda: [x, x, np.zeros(x.size, bool)])
    np.testing.assert_array_equal(got[-1], x.astype(bool))


def _probe(spec: C.KernelSpec, interp: bool) -> tuple:
    kernel = C.get_kernel(spec)
    compiled = getattr(kernel.fn, "compiled", kernel.fn)
    probe = tier0.Tier0(kernel, compiled, C.REDUCE_BLOCK, interp)
    kernel.fn = probe
    return kernel, compiled, probe


@pytest.mark.parametrize("dt", ["float32", "float64"])
def test_a_gradient_added_into_an_expanded_view_is_interpreted(dt):
    """mul's backward adding b's gradient into a row-broadcast (stride-0) view runs in tier 0
    (it used to compile at its first call: every output with a stride 0 did) and gives the
    compiled kernel's bits; the same call with an operand sharing that memory compiles."""
    I.loop(dt)  # (the interpreter; NumPy's adds would not be in the loop's order)
    spec, order = LW.op_backward(REGISTRY["mul"], "tt", (C.STORE, C.ACCUMULATE), 2, False, dt,
                                 (None, None))  # fmt: skip
    spec = replace(spec, label=f"tier0_acc_probe_{dt}")
    shape = (9, 70)
    by_role = {r: _values(dt, 630, 5 + k)[:630].reshape(shape) for k, r in enumerate("gab")}

    def make(row=None):
        row = np.full(shape[1], 0.25, dt) if row is None else row
        gb = as_strided(row, shape, (0, row.itemsize))
        return [by_role[r] for r in order] + [np.zeros(shape, dt), gb], row

    kernel, compiled, probe = _probe(spec, interp=True)
    try:
        (call, row), (want, want_row) = make(), make()
        kernel.fn(*call)
        assert probe.calls == 1 and kernel.fn is probe
        kernel.dispatcher(*want)
        assert _bits(row) == _bits(want_row) and _bits(call[-2]) == _bits(want[-2])
        shared, _ = make(by_role["b"][0].copy())
        shared[order.index("b")] = as_strided(shared[-1], shape, shared[-1].strides)
        kernel.fn(*shared)  # b reads the memory its gradient is added into: compiled
        assert probe.calls == 1 and kernel.fn is not probe
    finally:
        kernel.fn = compiled


def test_a_kernel_started_before_the_interpreter_uses_it_once_built():
    """A kernel attached while its dtype's interpreter was not built (NumPy runs its exact
    programs) takes the interpreter once it exists, for a program NumPy cannot run, instead
    of compiling at that call."""
    I.loop("float64")
    spec = replace(LW.op_forward(REGISTRY["exp"], "t", 1, False, "float64", "float64"),
                   label="tier0_late_interp_probe")  # fmt: skip
    kernel, compiled, probe = _probe(spec, interp=False)
    try:
        x = _values("float64", 20, 2)
        out = np.zeros(x.size)
        kernel.fn(x, out)
        assert probe.calls == 1 and probe.interp and kernel.fn is probe
        want = np.zeros(x.size)
        kernel.dispatcher(x, want)
        assert _bits(out) == _bits(want)
    finally:
        kernel.fn = compiled
