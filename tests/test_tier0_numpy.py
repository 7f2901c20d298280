"""Tier 0 before its interpreter exists (jitgrad.fusion.tier0_numpy): NumPy runs the programs
of exact arithmetic, and gets bitwise what the compiled kernel does.

The op declarations' forwards and backwards (tests/test_tier0.py's table, same operands with
special values) in float32 and float64: every program NumPy takes is compared with the
compiled kernel's outputs byte for byte (several op rows to a kernel: tests/tier0_rows.py);
the ones it must not take (library calls, powers, reductions) are refused and compile. Then
layouts and ``+=`` outputs, and the hand-over.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from jitgrad.fusion import codegen as C
from jitgrad.fusion import lowering as LW
from jitgrad.fusion import tier0, tier0_numpy
from jitgrad.fusion import tier0_interp as I
from jitgrad.ops.registry import REGISTRY
from tests import test_tier0_ops as O
from tests import tier0_rows as R
from tests.test_tier0 import FORWARD_ONLY, OPS, _bits, _values

#: Ops whose forward and backward NumPy must take (the README example's among them): what the
#: module is for; a change that made it refuse them would make the first run compile again.
MUST_TAKE = {"add", "sub", "mul", "div", "neg", "abs", "square", "where", "sign", "floor",
             "sqrt", "reciprocal"}  # fmt: skip
#: Ops whose forward NumPy must refuse: it calls a function whose NumPy version is not the
#: compiled kernel's (or ``**``). (exp's backward, ``g * out``, is NumPy's to run.)
MUST_REFUSE = {"exp", "log", "sin", "tanh", "pow", "atan2", "lgamma"}


def _numpy_compare(spec, make) -> bool:
    """Run ``spec`` compiled and by NumPy on ``make()``, compare the outputs bitwise; False
    (and nothing compiled) when NumPy does not take its program."""
    numpy_args = make()
    program = tier0.translate(spec, tuple(numpy_args), C.REDUCE_BLOCK)
    if program is None or program.plain is None:
        return False
    compiled = make()
    C.get_kernel(spec).dispatcher(*compiled)
    program.launch(None, tuple(numpy_args), interp=False)
    first = len(spec.inputs)
    for got, want in zip(numpy_args[first:], compiled[first:], strict=True):
        assert got.shape == want.shape and got.dtype == want.dtype
        assert _bits(got) == _bits(want), f"{spec.label}: {got.ravel()[:8]} != {want.ravel()[:8]}"
    return True


def _numpy_row(row: R.Row, compiled: list) -> bool:
    """Run ``row``'s own program by NumPy and compare its outputs bitwise with ``compiled``
    (the row's outputs in a compiled wide kernel); False when NumPy does not take it."""
    args = [*row.args, *R.fresh_outputs([row])]
    program = tier0.translate(row.spec, tuple(args), C.REDUCE_BLOCK)
    if program is None or program.plain is None:
        return False
    program.launch(None, tuple(args), interp=False)
    for got, want in zip(args[len(row.args) :], compiled, strict=True):
        assert got.shape == want.shape and got.dtype == want.dtype
        assert _bits(got) == _bits(want), f"{row.name}: {got.ravel()[:8]} != {want.ravel()[:8]}"
    return True


@pytest.mark.parametrize("dt", ["float32", "float64"])
def test_op_forwards_and_backwards_by_numpy_are_bitwise_the_compiled_kernels(dt):
    """tests/test_tier0.py's ``OPS``: which rows NumPy takes (``MUST_TAKE``, ``MUST_REFUSE``),
    and each row it takes run by NumPy and compared with the row's outputs in the compiled
    kernels of tests/test_tier0_ops.py (several rows to a kernel, tests/tier0_rows.py: the
    same kernels, so nothing compiles here that that file does not compile)."""
    fwd, ops_of = O._rows(dt)
    outs = R.outputs(fwd, f"tier0_rows_{dt}_fwd", I.N_IN, I.N_OUT)
    back = [O._backward_row(*o, out[0], dt) for o, out in zip(ops_of, outs, strict=True)]
    back_outs = iter(R.outputs([b for b in back if b], f"tier0_rows_{dt}_bwd", I.N_IN, I.N_OUT))
    back_outs = [next(back_outs) if b else None for b in back]
    taken = 0
    for k, (name, _smask, _ops) in enumerate(ops_of[: len(OPS)]):
        took = [_numpy_row(fwd[k], outs[k])]
        if back[k] is not None and name not in FORWARD_ONLY:
            took.append(_numpy_row(back[k], back_outs[k]))
        if name in MUST_TAKE:
            assert all(took), (fwd[k].name, took)
        if name in MUST_REFUSE:
            assert not took[0], fwd[k].name
        taken += sum(took)
    assert taken >= 2 * len(MUST_TAKE)


@pytest.mark.parametrize("dt", ["float32", "float64"])
@pytest.mark.parametrize("layout", ["contiguous", "row_broadcast", "transposed", "zero_d",
                                    "empty", "readonly", "accumulate", "compact"])  # fmt: skip
def test_layouts_and_accumulating_outputs_by_numpy(layout, dt):
    """``a * b + a / b`` (two members and a shared operand) over a 2-D loop, operands laid out
    as jitgrad's iteration views are; ``accumulate``: mul's backward adding both gradients
    into existing arrays (``+=``: one rounding per add); ``compact``: a column and a row
    operand passed as 1-D arrays."""
    a = _values(dt, 400, 3)[:96].reshape(8, 12)
    b = _values(dt, 400, 4)[-96:].reshape(8, 12) + np.dtype(dt).type(0.5)
    if layout == "accumulate":  # mul's backward adding into existing gradients
        spec, order = LW.op_backward(REGISTRY["mul"], "tt", (C.ACCUMULATE, C.ACCUMULATE), 2,
                                     False, dt, (None, None))  # fmt: skip
        by_role = {"g": b, "a": a, "b": np.asfortranarray(b)}
        assert _numpy_compare(spec, lambda: [by_role[r] for r in order] + [
            np.full(a.shape, 0.25, dt), np.asfortranarray(np.full(a.shape, -3.0, dt))])
        return
    if layout == "compact":
        kernel = C.get_kernel(LW.op_forward(REGISTRY["div"], "tt", 2, False, dt, dt))

        def call():
            return [np.broadcast_to(a[:, :1], a.shape), np.broadcast_to(b[0], a.shape),
                    np.zeros(a.shape, dt)]  # fmt: skip

        variant = C.for_call(kernel, call())[0]
        assert variant.spec.compact
        assert _numpy_compare(variant.spec, lambda: C.for_call(kernel, call())[1])
        return
    mul, div, add = REGISTRY["mul"], REGISTRY["div"], REGISTRY["add"]
    members = (
        LW.Apply(add, dt, dt, ((LW.MEMBER, 1), (LW.MEMBER, 2))),
        LW.Apply(mul, dt, dt, ((LW.ARG, "x0", None), (LW.ARG, "x1", None))),
        LW.Apply(div, dt, dt, ((LW.ARG, "x0", None), (LW.ARG, "x1", None))),
    )
    ndim = 0 if layout == "zero_d" else 2
    group = LW.Group(f"add_mul_div_np_{layout}", members, (("x0", False), ("x1", False)),
                     (("out", ("value", 0), C.STORE, dt),), ndim)  # fmt: skip
    spec = LW.lower(group)

    def make():
        x, y = a.copy(), b.copy()
        if layout == "row_broadcast":
            y = np.broadcast_to(y[0], x.shape)
        elif layout == "transposed":
            x, y = np.asfortranarray(x).T, np.asfortranarray(y).T
        elif layout == "zero_d":
            x, y = x[1:2, 2:3].reshape(()).copy(), y[3:4, 4:5].reshape(()).copy()
        elif layout == "empty":
            x, y = x[:0], y[:0]
        elif layout == "readonly":
            x.flags.writeable = False
        return [x, y, np.zeros(x.shape, dt)]

    assert _numpy_compare(spec, make)


def test_numpy_runs_a_new_kernel_until_hot_when_the_interpreter_is_not_built(monkeypatch):
    """Without the interpreter, a kernel NumPy can run is run there (nothing compiled) until
    hot; one it cannot take compiles at its first call, as before tier 0."""
    monkeypatch.setattr(tier0, "CALL_S", 1.0)
    monkeypatch.setattr(tier0, "ELEMENT_S", 0.0)
    monkeypatch.setattr(tier0, "BUDGET", 3.0)
    monkeypatch.setattr(tier0, "ready", lambda dtype: False)  # (another test may have built it)
    for name, plain in (("mul", True), ("exp", False)):
        spec = LW.op_forward(REGISTRY[name], "tt" if name == "mul" else "t", 1, False,
                             "float32", "float32")  # fmt: skip
        kernel = C.get_kernel(replace(spec, label=f"tier0_numpy_probe_{name}"))
        compiled = getattr(kernel.fn, "compiled", kernel.fn)
        probe = tier0.Tier0(kernel, compiled, C.REDUCE_BLOCK, interp=False)
        kernel.fn = probe
        try:
            x = np.arange(5, dtype=np.float32)
            out = np.zeros(5, np.float32)
            args = (x, x, out) if plain else (x, out)
            for k in range(3 if plain else 1):
                kernel.fn(*args)
                assert (kernel.fn is probe) == plain and probe.calls == (k + 1 if plain else 0)
            kernel.fn(*args)  # the hot call (mul) or the second one (exp): compiled
            assert not isinstance(kernel.fn, tier0.Tier0)
            want = x * x if plain else np.exp(x)  # (exp: the kernel's own, within an ulp)
            np.testing.assert_allclose(out, want, rtol=0 if plain else 1e-6)
        finally:
            kernel.fn = compiled


def test_rows_takes_only_exact_ops():
    never = {"exp", "log", "pow", "sin", "tanh", "erf", "acc_row", "reduce", "maximum", "tan"}
    assert tier0_numpy.TAKEN.isdisjoint({tier0.I.CODE[name] for name in never})


def test_an_output_compact_or_broadcast_is_not_numpys():
    """A compact output (a gradient summed over a broadcast, written through stride 0) adds
    into one element from many loop positions: NumPy's ``out += v`` on such a view buffers
    and keeps one addend, so the program is left to the interpreter or the compiled loop."""
    spec, order = LW.op_backward(REGISTRY["mul"], "tt", (C.STORE, C.ACCUMULATE), 2, False,
                                 "float32", (None, None))  # fmt: skip
    spec = replace(spec, compact=((spec.outputs[1][0], 1),))
    x = np.ones((3, 4), np.float32)
    args = [x for _ in order] + [np.zeros((3, 4), np.float32), np.zeros(4, np.float32)]
    program = tier0.translate(spec, tuple(args), C.REDUCE_BLOCK)
    assert program is not None and program.plain is None


def test_a_large_loop_compiles_at_once_without_the_interpreter(monkeypatch):
    """Above ``MAX_SIZE`` elements NumPy does not take a kernel (tier 0's budget, estimated
    for the interpreter, would keep it there too long): it compiles at its first call."""
    monkeypatch.setattr(tier0, "ready", lambda dtype: False)  # (another test may have built it)
    spec = LW.op_forward(REGISTRY["sub"], "tt", 1, False, "float64", "float64")
    kernel = C.get_kernel(replace(spec, label="tier0_numpy_large_probe"))
    compiled = getattr(kernel.fn, "compiled", kernel.fn)
    probe = tier0.Tier0(kernel, compiled, C.REDUCE_BLOCK, interp=False)
    kernel.fn = probe
    try:
        small = np.arange(float(tier0_numpy.MAX_SIZE))
        kernel.fn(small, small, np.empty_like(small))
        assert kernel.fn is probe and probe.calls == 1
        big = np.arange(float(tier0_numpy.MAX_SIZE + 1))
        out = np.empty_like(big)
        kernel.fn(big, big + 1, out)
        assert not isinstance(kernel.fn, tier0.Tier0) and probe.calls == 1
        assert (out == -1).all()
    finally:
        kernel.fn = compiled
