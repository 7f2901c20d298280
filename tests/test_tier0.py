"""Tier 0 (jitgrad.fusion.tier0): the interpreter computes bitwise what the compiled kernel does.

Each case renders a kernel the way jitgrad does (the one lowering), runs the compiled kernel
and tier 0's program on the same inputs with separate outputs of the same layout, and compares
the outputs' bytes (any NaN counting as one NaN): layouts (broadcast, strided, transposed, 0-d,
empty) and the accumulating and reducing output modes. The op table below (the op
declarations' forwards and backwards in float32 and float64 on ordinary and special values)
is compared in tests/test_tier0_ops.py, several rows to a compiled kernel.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest
from numpy.lib.stride_tricks import as_strided

from jitgrad import helpers
from jitgrad.fusion import codegen as C
from jitgrad.fusion import lowering as LW
from jitgrad.fusion import tier0, tier0_translate
from jitgrad.fusion import tier0_interp as I
from jitgrad.fusion import tier0_libm as L
from jitgrad.ops.registry import REGISTRY

SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, np.inf, -np.inf, np.nan, 1e-40, 88.5, -104.0, 1e5 + 0.3]


def _values(dt: str, n: int, seed: int, positive: bool = False) -> np.ndarray:
    rng = np.random.default_rng(seed)
    v = np.concatenate([SPECIAL, rng.standard_normal(n) * 3]).astype(dt)
    return np.abs(v) if positive else v


def _bits(a: np.ndarray) -> bytes:
    """The bytes of ``a`` with every NaN made the one quiet NaN: which operand's NaN an
    arithmetic instruction passes on (its sign, its payload) depends on the order LLVM puts
    commutative operands in, which is not a value anyone can observe through jitgrad."""
    a = np.array(a)
    if a.dtype.kind in "fc":
        a[np.isnan(a)] = np.nan
    return a.tobytes()


def _compare(spec: C.KernelSpec, make, owners: list | None = None) -> list:
    """Run ``spec`` compiled and in tier 0 on ``make()`` (a fresh call: inputs then outputs,
    the same values each time), compare every output bitwise and return tier 0's call.
    ``owners``: what each output is named by in a failure (a wide kernel's op rows)."""
    kernel = C.get_kernel(spec)
    compiled, interpreted = make(), make()
    program = tier0.translate(spec, tuple(interpreted), C.REDUCE_BLOCK)
    assert program is not None, f"tier 0 refused {spec.label}"
    kernel.dispatcher(*compiled)
    program.launch(kernel, tuple(interpreted))
    first = len(spec.inputs)
    assert len(interpreted) > first
    names = owners or [spec.label] * (len(compiled) - first)
    for got, want, name in zip(interpreted[first:], compiled[first:], names, strict=True):
        assert got.shape == want.shape
        if _bits(got) != _bits(want):
            bad = np.flatnonzero(got.ravel().view(np.uint8) != want.ravel().view(np.uint8))
            raise AssertionError(f"{name}: tier 0 {got.ravel()[:8]} != {want.ravel()[:8]}"
                                 f" (first differing byte {bad[0]})")  # fmt: skip
    return interpreted


def layout_pair(layout: str, base, other, big) -> tuple:
    """Fresh copies of ``base`` and ``other`` (two 8x12 blocks of ``big``, 16x24) in one of
    the layouts jitgrad's kernels meet: broadcast either way, strided, transposed, 0-d, empty,
    read-only; anything else as they are."""
    a, b = base.copy(), other.copy()
    if layout == "row_broadcast":
        b = np.broadcast_to(b[0], a.shape)
    elif layout == "column_broadcast":
        b = np.broadcast_to(b[:, :1], a.shape)
    elif layout == "strided":
        a, b = big.copy()[:8, ::2], big.copy()[::2, :12]
    elif layout == "transposed":
        a, b = a.T, b.T
    elif layout == "zero_d":
        a, b = a[1:2, 2:3].reshape(()), b[3:4, 4:5].reshape(())
    elif layout == "empty":
        a, b = a[:0], b[:0]
    elif layout == "readonly":
        a.flags.writeable = False
    return a, b


#: (op, operand mask, operands that must be positive)
OPS = [
    ("add", "tt", ""), ("sub", "tt", ""), ("mul", "tt", ""), ("div", "tt", ""),
    ("neg", "t", ""), ("exp", "t", ""), ("log", "t", "a"), ("log1p", "t", ""),
    ("expm1", "t", ""), ("sqrt", "t", "a"), ("rsqrt", "t", "a"), ("sin", "t", ""),
    ("cos", "t", ""), ("tanh", "t", ""), ("sigmoid", "t", ""), ("relu", "t", ""),
    ("abs", "t", ""), ("square", "t", ""), ("reciprocal", "t", ""), ("maximum", "tt", ""),
    ("minimum", "tt", ""), ("pow", "tt", "a"), ("where", "ttt", ""), ("clamp_min", "tt", ""),
    ("silu", "t", ""), ("gelu", "t", ""), ("gelu_tanh", "t", ""), ("sign", "t", ""),
    ("floor", "t", ""), ("hardtanh", "tss", ""), ("softplus", "tss", ""), ("mul", "ts", ""),
    ("sub", "st", ""), ("cube", "t", ""),
    ("tan", "t", ""), ("log2", "t", "a"), ("log10", "t", "a"), ("exp2", "t", ""),
    ("asin", "t", ""), ("acos", "t", ""), ("atan", "t", ""), ("sinh", "t", ""),
    ("cosh", "t", ""), ("asinh", "t", ""), ("acosh", "t", "a"), ("atanh", "t", ""),
    ("round", "t", ""), ("lgamma", "t", ""), ("atan2", "tt", ""), ("hypot", "tt", ""),
    ("fmod", "tt", ""), ("remainder", "tt", ""), ("copysign", "tt", ""),
    ("div_floor", "tt", ""), ("fmod", "ts", ""),
    ("add_scaled", "tts", ""), ("sub_scaled", "tts", ""), ("addcmul", "ttt", ""),
    ("lerp", "ttt", ""), ("lerp", "tts", ""),
]  # fmt: skip
#: ``_k``'s special functions (tier0_libm.SPECIAL_UNARY/BINARY: float64 kernels only)
SPECIAL_OPS = [
    ("digamma", "t", ""), ("erfinv", "t", ""), ("i0", "t", ""), ("special_i0e", "t", ""),
    ("special_i1", "t", ""), ("special_i1e", "t", ""), ("special_ndtri", "t", "a"),
    ("special_log_ndtr", "t", ""), ("special_erfcx", "t", ""), ("special_zeta", "tt", "ab"),
    ("igamma", "tt", "ab"), ("igammac", "tt", "ab"), ("lgamma", "t", ""),
]  # fmt: skip
#: ops whose float32 backward calls a function tier 0 does not take there (lgamma's digamma)
FORWARD_ONLY = {"lgamma"}


def _operands(op, smask: str, positive: str, dt: str, n: int) -> list:
    out = []
    for i, m in enumerate(smask):
        role = "abc"[i]
        if op.condition and i == 0:
            out.append(_values(dt, n, 7)[: n + len(SPECIAL)] > 0)
        elif m == "t":
            out.append(_values(dt, n, 1 + i, role in positive))
        else:
            out.append(np.dtype(dt).type(0.75 + i))
    return out


CASES = [(*case, dt) for dt in ("float32", "float64") for case in OPS] + [
    (*case, "float64") for case in SPECIAL_OPS
]


LAYOUTS = ["contiguous", "row_broadcast", "column_broadcast", "strided", "transposed",
           "zero_d", "empty", "readonly"]  # fmt: skip


@pytest.mark.parametrize("dt", ["float32", "float64"])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_layouts_of_a_fused_chain_are_bitwise_the_compiled_kernels(layout, dt):
    """``tanh(a * b) + a`` as a two-member group over a 2-D (0-d) loop, with operands laid
    out as jitgrad's iteration views are."""
    ndim = 0 if layout == "zero_d" else 2
    mul, tanh, add = REGISTRY["mul"], REGISTRY["tanh"], REGISTRY["add"]
    members = (
        LW.Apply(add, dt, dt, ((LW.MEMBER, 1), (LW.ARG, "x0", None))),
        LW.Apply(tanh, dt, dt, ((LW.MEMBER, 2),)),
        LW.Apply(mul, dt, dt, ((LW.ARG, "x0", None), (LW.ARG, "x1", None))),
    )
    group = LW.Group("add_tanh_mul", members, (("x0", False), ("x1", False)),
                     (("out", ("value", 0), C.STORE, dt),), ndim)  # fmt: skip
    spec = LW.lower(group)
    big = _values(dt, 400, 3)[:384].reshape(16, 24)
    base, other = big[:8, :12], big[8:, 12:]

    def make():
        a, b = layout_pair(layout, base, other, big)
        return [a, b, np.zeros(a.shape, dt)]

    _compare(spec, make)


@pytest.mark.parametrize("dt", ["float32", "float64"])
@pytest.mark.parametrize(
    ("ndim", "mode"),
    [(2, C.ACCUMULATE), (2, C.ACCUMULATE_ROW), (2, C.REDUCE), (1, C.REDUCE), (0, C.REDUCE)],
)
def test_accumulating_and_reducing_outputs_are_bitwise_the_compiled_kernels(ndim, mode, dt):
    """mul's backward with b's gradient summed over a broadcast: added into a row-broadcast
    view, summed per row, reduced to one value (a 2-D running sum; a 1-D one by blocks, over
    more than one block)."""
    op = REGISTRY["mul"]
    spec, order = LW.op_backward(op, "tt", (C.STORE, mode), ndim, False, dt, (None, None))
    shape = {2: (9, 700), 1: (2 * C.REDUCE_BLOCK + 300,), 0: ()}[ndim]
    size = int(np.prod(shape))
    g = _values(dt, size, 5)[:size].reshape(shape)
    a = _values(dt, size, 6)[:size].reshape(shape)
    b = _values(dt, size, 8)[:size].reshape(shape)
    by_role = {"g": g, "a": a, "b": b}

    def make():
        ga = np.zeros(shape, dt)
        item = np.dtype(dt).itemsize
        if mode == C.ACCUMULATE:  # one row, added into by every row of the loop
            gb = as_strided(np.full(shape[1], 0.25, dt), shape, (0, item))
        elif mode == C.ACCUMULATE_ROW:  # one value per row
            gb = as_strided(np.full(shape[0], 0.25, dt), shape, (item, 0))
        else:
            gb = np.full(1, 0.25, dt)
        return [by_role[r] for r in order] + [ga, gb]

    _compare(spec, make)


@pytest.mark.parametrize("dt", ["float32", "float64"])
def test_eight_outputs_of_every_mode_are_bitwise_the_compiled_kernels(dt):
    """Up to :data:`tier0_interp.N_OUT` = 8 outputs (fused backwards of optimizers and gated
    cells write 5-7: the corpus compiled 8 such kernels at ~0.2-1 s each when tier 0 had 4
    slots): stored, added into, summed per row and reduced, each from its own statement."""
    tanh, mul = REGISTRY["tanh"], REGISTRY["mul"]
    members = (
        LW.Apply(tanh, dt, dt, ((LW.MEMBER, 1),)),
        LW.Apply(mul, dt, dt, ((LW.ARG, "x0", None), (LW.ARG, "x1", None))),
    )
    group = LW.Group("tanh_mul", members, (("x0", False), ("x1", False)),
                     (("out", ("value", 0), C.STORE, dt),), 2)  # fmt: skip
    base = LW.lower(group)
    local = base.outputs[0][1]
    modes = [C.STORE, C.ACCUMULATE, C.ACCUMULATE_ROW, C.REDUCE] * 2
    stmts = base.stmts + tuple((f"w{j}", f"({local} * x0_) - x1_" if j % 2 else f"{local} + x0_")
                               for j in range(8))  # fmt: skip
    spec = replace(base, stmts=stmts, label="tier0_eight_outputs",
                   outputs=tuple((f"o{j}", f"w{j}", m, dt) for j, m in enumerate(modes)))
    assert len(spec.outputs) == I.N_OUT == 8
    a, b = _values(dt, 120, 3)[:120].reshape(8, 15), _values(dt, 120, 4)[:120].reshape(8, 15)

    def make():
        item = np.dtype(dt).itemsize
        outs = []
        for m in modes:
            if m == C.STORE:
                outs.append(np.zeros(a.shape, dt))
            elif m == C.ACCUMULATE:
                outs.append(np.full(a.shape, 0.5, dt))
            elif m == C.ACCUMULATE_ROW:
                outs.append(as_strided(np.full(8, 0.25, dt), a.shape, (item, 0)))
            else:
                outs.append(np.full(1, 0.125, dt))
        return [a, b, *outs]

    _compare(spec, make)


def test_compact_variants_run_in_tier0_as_the_broadcast_views_they_stand_for():
    """A 2-D loop with a column and a row operand: :func:`codegen.for_call` passes them as
    1-D arrays to a compact variant, which tier 0 reads as the broadcasts they stand for."""
    spec = LW.op_forward(REGISTRY["add"], "tt", 2, False, "float32", "float32")
    kernel = C.get_kernel(spec)
    row = _values("float32", 40, 2)[-48:]  # (finite values: numpy warns on inf - inf)
    col = _values("float32", 40, 3)[-16:].reshape(16, 1)

    def call():
        return [np.broadcast_to(col, (16, 48)), np.broadcast_to(row, (16, 48)),
                np.zeros((16, 48), np.float32)]  # fmt: skip

    variant = C.for_call(kernel, call())[0]
    assert variant.spec.compact == (("a", 0), ("b", 1))
    got = _compare(variant.spec, lambda: C.for_call(kernel, call())[1])
    np.testing.assert_array_equal(got[-1], col + row)


def test_what_tier0_refuses_compiles():
    """Unsigned integer kernels (a comparison of them too), functions outside the table and
    mixed float dtypes are not translated (they compile at their first call). (Boolean
    outputs are taken since t0cover: tests/test_tier0_bool.py; int64 kernels since tcmd:
    tests/test_tier0_int.py; int8/int16/int32 since gen19: tests/test_tier0_narrow.py.)"""
    add = LW.op_forward(REGISTRY["add"], "tt", 1, False, "uint32", "uint32")
    ints = [np.arange(3, dtype=np.uint32)] * 2 + [np.zeros(3, np.uint32)]
    assert tier0.translate(add, tuple(ints), C.REDUCE_BLOCK) is None
    polygamma = LW.op_forward(REGISTRY["polygamma"], "tt", 1, False, "float64", "float64")
    assert tier0.translate(polygamma, (np.ones(3),) * 2 + (np.zeros(3),), C.REDUCE_BLOCK) is None
    digamma = LW.op_forward(REGISTRY["digamma"], "t", 1, False, "float32", "float32")
    call = (np.ones(3, np.float32), np.zeros(3, np.float32))
    assert tier0.translate(digamma, call, C.REDUCE_BLOCK) is None  # (special: float64 only)
    lt = LW.op_forward(REGISTRY["lt"], "tt", 1, False, "uint16", "bool")
    call = (np.arange(3, dtype=np.uint16), np.ones(3, np.uint16), np.zeros(3, bool))
    assert tier0.translate(lt, call, C.REDUCE_BLOCK) is None
    mixed = LW.op_forward(REGISTRY["add"], "tt", 1, False, "float64", "float64")
    call = (np.ones(3, np.float32), np.ones(3), np.zeros(3))
    assert tier0.translate(mixed, call, C.REDUCE_BLOCK) is None


def test_a_kernel_is_interpreted_until_hot_then_compiled(monkeypatch):
    """Each call spends its estimated cost from the budget; the call that would overspend it
    hands over to the compiled kernel, at once when one call costs more than the budget."""
    monkeypatch.setattr(tier0, "CALL_S", 1.0)
    monkeypatch.setattr(tier0, "ELEMENT_S", 0.0)
    monkeypatch.setattr(tier0, "BUDGET", 64.0)
    spec = replace(LW.op_forward(REGISTRY["mul"], "tt", 1, False, "float32", "float32"),
                   label="tier0_probe")  # fmt: skip
    kernel = C.get_kernel(spec)
    compiled = getattr(kernel.fn, "compiled", kernel.fn)  # (tier 0 may have attached itself)
    probe = tier0.Tier0(kernel, compiled, C.REDUCE_BLOCK)
    kernel.fn = probe
    try:
        x = np.arange(5, dtype=np.float32)
        out = np.zeros(5, np.float32)
        for k in range(64):
            kernel.fn(x, x, out)
            assert kernel.fn is probe and probe.calls == k + 1
        np.testing.assert_array_equal(out, x * x)
        kernel.fn(x, x, out)  # the hot call: handed over to the compiled kernel
        assert not isinstance(kernel.fn, tier0.Tier0)
        probe(x, x + 1, out)  # a caller that kept the Tier0 object runs the compiled kernel
        np.testing.assert_array_equal(out, x * (x + 1))
        assert probe.calls == 64
        kernel.fn = fresh = tier0.Tier0(kernel, compiled, C.REDUCE_BLOCK)
        monkeypatch.setattr(tier0, "ELEMENT_S", 1.0)
        big = np.ones(64, np.float32)
        kernel.fn(big, big, np.zeros_like(big))  # a large loop compiles at once
        assert not isinstance(kernel.fn, tier0.Tier0) and fresh.calls == 0
    finally:
        kernel.fn = compiled


def test_an_output_whose_elements_share_memory_compiles():
    """An expanded tensor written in place (``e.masked_fill_(...)`` on ``base.expand(3)``)
    ends with the value of the last write, which only the compiled loop's order gives:
    tier 0 hands such a call over instead of interpreting it (a merged tree once left the
    first write in place, and tests/test_overlap.py failed only when the interpreter was
    already on disk)."""
    spec = replace(LW.op_forward(REGISTRY["mul"], "tt", 1, False, "float64", "float64"),
                   label="tier0_overlap_probe")  # fmt: skip
    kernel = C.get_kernel(spec)
    compiled = getattr(kernel.fn, "compiled", kernel.fn)
    probe = tier0.Tier0(kernel, compiled, C.REDUCE_BLOCK)
    kernel.fn = probe
    try:
        x = np.arange(1.0, 4.0)
        base = np.zeros(1)
        kernel.fn(x, x, as_strided(base, (3,), (0,)))
        assert probe.calls == 0 and not isinstance(kernel.fn, tier0.Tier0)
        assert base.tolist() == [9.0]
    finally:
        kernel.fn = compiled


def test_debug_launch_lines_say_tier0(monkeypatch, caplog):
    spec = LW.op_forward(REGISTRY["sub"], "tt", 1, False, "float64", "float64")
    kernel = C.get_kernel(spec)
    call = (np.ones(4), np.arange(4.0), np.zeros(4))
    program = tier0.translate(spec, call, C.REDUCE_BLOCK)
    monkeypatch.setattr(helpers, "DEBUG", 1)
    with caplog.at_level("DEBUG", logger="jitgrad"):
        program.launch(kernel, call)
    assert any(f"launch {kernel.name} tier0 f64[4]" in r.getMessage() for r in caplog.records)
    np.testing.assert_array_equal(call[2], [1.0, 0.0, -1.0, -2.0])


def test_jitgrad_tier0_0_turns_it_off():
    code = "from jitgrad.fusion import tier0; print(tier0.ENABLED)"
    env = {**os.environ, "JITGRAD_TIER0": "0"}
    res = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert res.stdout.strip() == "False", res.stderr
    env["JITGRAD_TIER0"] = "1"
    res = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert res.stdout.strip() == "True", res.stderr


def test_op_codes_and_output_modes_agree_with_codegen():
    assert sorted(I.CODE.values()) == list(range(len(I.OPS)))  # one code per name
    libm = set(L.UNARY + L.BINARY)
    named = [name for name in I.OPS if name not in libm]
    assert all(I.CODE[name] == getattr(I, name.upper()) for name in named)
    # tier0_libm's rows are numbered from TAN and ATAN2, in its order
    assert [I.CODE[name] - I.TAN for name in L.UNARY] == list(range(len(L.UNARY)))
    assert [I.CODE[name] - I.ATAN2 for name in L.BINARY] == list(range(len(L.BINARY)))
    assert set(L.CALLS.values()) <= libm
    assert set(tier0_translate._MODES) == {C.STORE, C.ACCUMULATE, C.ACCUMULATE_ROW, C.REDUCE}


def test_a_kernel_whose_compiled_code_is_cached_is_not_interpreted(tmp_path):
    """The cache directory is listed once; a kernel with a code file there loads it as before."""
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "_gen_mul_0123._gen_mul_0123-11.py311.89ab.nbc").write_bytes(b"")
    cached = SimpleNamespace(name="_gen_mul_0123", path=tmp_path / "_gen_mul_0123.py")
    fresh = SimpleNamespace(name="_gen_mul_4567", path=tmp_path / "_gen_mul_4567.py")
    assert tier0._on_disk(cached)
    assert not tier0._on_disk(fresh)
