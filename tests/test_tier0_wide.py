"""Tier 0's wide kernels: more arrays than the interpreter's slots, run as several passes.

The fused backwards of the distributions' log-densities read 9-24 arrays and write up to 10;
the interpreter has :data:`tier0_interp.N_IN` = 8 input and 8 output slots, so they used to
compile (perf/RESULTS.md, Run ttime). :mod:`jitgrad.fusion.tier0_passes` cuts such a program
into passes joined by temporaries. Here: wide kernels compared with the compiled kernel byte
for byte (float32 and float64, broadcast, strided and in-place operands, every output mode),
every op of tests/test_tier0.py's table cut into one pass per row, compared with the same
program run as one pass (which tests/test_tier0.py compares with the compiled kernel); the
mvlgamma/mvdigamma rows; and the interpreter's cache stamp covering its op table.
"""

from __future__ import annotations

import os
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest
from numpy.lib.stride_tricks import as_strided

from jitgrad.fusion import codegen as C
from jitgrad.fusion import lowering as LW
from jitgrad.fusion import tier0, tier0_passes
from jitgrad.fusion import tier0_eval as E
from jitgrad.fusion import tier0_interp as I
from jitgrad.fusion import tier0_libm as L
from jitgrad.kernels.cpu import jit
from jitgrad.ops.registry import REGISTRY
from tests.test_tier0 import FORWARD_ONLY, OPS, SPECIAL, _bits, _compare, _operands, _values

N_ARRAYS, N_OUTPUTS = 13, 10
MODES = [C.STORE, C.ACCUMULATE, C.ACCUMULATE_ROW, C.REDUCE, C.STORE] * 2


def _wide_spec(dt: str, ndim: int = 2) -> C.KernelSpec:
    """13 array operands and a scalar, 10 outputs of every mode: a chain in which each
    output reads the chain's end and an early link, so registers cross passes."""
    tanh = "_fm.tanh32" if dt == "float32" else "_fm.tanh64"
    stmts = [("t0", "x0_ * x1_")]
    for k in range(2, N_ARRAYS):
        expr = f"{tanh}(t{k - 2}) + x{k}_ * s" if k % 3 else f"t{k - 2} - x{k}_ / (x{k - 1}_ + x0_)"
        stmts.append((f"t{k - 1}", expr))
    end = f"t{N_ARRAYS - 2}"
    stmts += [(f"w{j}", f"{end} * x{j}_ - t{j}") for j in range(N_OUTPUTS)]
    base = LW.op_forward(REGISTRY["add"], "tt", ndim, False, dt, dt)
    inputs = tuple((f"x{k}", False) for k in range(N_ARRAYS)) + (("s", True),)
    outputs = tuple((f"o{j}", f"w{j}", m, dt) for j, m in enumerate(MODES))
    return replace(base, label=f"tier0_wide_probe{ndim}", stmts=tuple(stmts), inputs=inputs,
                   outputs=outputs)  # fmt: skip


def _outputs(shape: tuple, dt: str, modes: list) -> list:
    item = np.dtype(dt).itemsize
    outs = []
    for m in modes:
        if m == C.STORE:
            outs.append(np.zeros(shape, dt))
        elif m == C.ACCUMULATE:
            outs.append(np.full(shape, 0.5, dt))
        elif m == C.ACCUMULATE_ROW:
            outs.append(as_strided(np.full(shape[0], 0.25, dt), shape, (item, 0)))
        else:
            outs.append(np.full(1, 0.125, dt))
    return outs


@pytest.mark.parametrize("dt", ["float32", "float64"])
@pytest.mark.parametrize("layout", ["contiguous", "broadcast", "strided", "in_place", "empty"])
def test_wide_kernels_are_bitwise_the_compiled_kernels(layout, dt):
    """Row- and column-broadcast operands, strided views, an output that is an operand's
    memory (``x9`` stored into: read by a later pass, so copied first) and an empty loop."""
    spec = _wide_spec(dt)
    shape = (0, 300) if layout == "empty" else (6, 300)
    big = [_values(dt, 3700, 20 + k)[:3600].reshape(12, 300) for k in range(N_ARRAYS)]

    def make():
        xs = [b[: shape[0]].copy() for b in big]
        if layout == "broadcast":
            xs[3] = np.broadcast_to(big[3][0], shape)
            xs[5] = np.broadcast_to(big[5][:6, :1], shape)
        elif layout == "strided":
            xs[2], xs[9] = big[2][::2].copy(), big[9].T.copy().T[:6]
        outs = _outputs(shape, dt, MODES)
        if layout == "in_place":  # (x9 is read again after o0 is written)
            outs[0] = xs[9]
        return [*xs, np.dtype(dt).type(0.7), *outs]

    program = tier0.translate(spec, tuple(make()), C.REDUCE_BLOCK)
    passes = program.passes.passes
    assert len(passes) >= 2
    assert all(len(p.sources) <= I.N_IN and len(p.sinks) <= I.N_OUT for p in passes)
    _compare(spec, make)


def test_a_wide_int64_kernel_is_bitwise_the_compiled_kernel():
    """The int64 interpreter in passes: 11 operands (extremes: wrapping products, ``//`` and
    ``%`` of negative operands), 9 outputs stored or added into."""
    stmts = [("t0", "x0_ * x1_ + x2_")]
    link = "(t{0} // (x{1}_ | 1)) - x{2}_ % (x{1}_ | 1)"
    stmts += [(f"t{k}", link.format(k - 1, k, k + 1)) for k in range(1, 9)]
    stmts += [(f"w{j}", f"t8 ^ (t{j} >> (x10_ & 7))") for j in range(9)]
    base = LW.op_forward(REGISTRY["add"], "tt", 1, False, "int64", "int64")
    modes = [C.STORE, C.ACCUMULATE, C.STORE] * 3
    outputs = tuple((f"o{j}", f"w{j}", m, "int64") for j, m in enumerate(modes))
    spec = replace(base, label="tier0_wide_int_probe", stmts=tuple(stmts), outputs=outputs,
                   inputs=tuple((f"x{k}", False) for k in range(11)))  # fmt: skip
    rng = np.random.default_rng(5)
    extremes = [0, 1, -1, 7, -7, 2**62, -(2**62), 2**63 - 1, -(2**63)]
    xs = [np.concatenate([np.roll(extremes, k), rng.integers(-(2**40), 2**40, 31)])
          for k in range(11)]  # fmt: skip
    call = (*xs, *(np.zeros(40, np.int64) for _ in modes))
    program = tier0.translate(spec, call, C.REDUCE_BLOCK)
    assert program.dtype == "int64" and len(program.passes.passes) >= 2
    _compare(spec, lambda: [*xs, *(np.full(40, 3, np.int64) for _ in modes)])


def test_a_wide_kernel_starts_in_tier0_and_runs_there(monkeypatch):
    """``attach`` no longer refuses a spec for its number of arrays: its calls run in the
    interpreter (built or loaded first here) with the compiled kernel's values."""
    spec = replace(_wide_spec("float64", 1), label="tier0_wide_attach_probe",
                   outputs=tuple((f"o{j}", f"w{j}", C.STORE, "float64") for j in range(10)))
    kernel = C.get_kernel(spec)
    compiled = getattr(kernel.fn, "compiled", kernel.fn)
    kernel.fn = compiled
    monkeypatch.setattr(tier0, "_on_disk", lambda kernel: False)  # (an earlier run's code)
    I.loop("float64")
    xs = [_values("float64", 40, 30 + k) for k in range(N_ARRAYS)]

    def call():
        return [*xs, 0.7, *(np.zeros(xs[0].shape) for _ in range(N_OUTPUTS))]

    try:
        tier0.attach(kernel, C.REDUCE_BLOCK)
        probe = kernel.fn
        assert isinstance(probe, tier0.Tier0)
        got = call()
        kernel.fn(*got)
        assert probe.calls == 1 and kernel.fn is probe  # interpreted, not handed over
    finally:
        kernel.fn = compiled
    want = call()
    kernel.dispatcher(*want)
    assert [_bits(a) for a in got] == [_bits(a) for a in want]


def _split(program, n_in: int = I.N_IN, n_out: int = I.N_OUT, max_rows: int = 1 << 30):
    """``program`` (one pass) cut into passes of at most ``n_in`` inputs, ``n_out`` outputs
    and ``max_rows`` rows."""
    program.passes = tier0_passes.split(program.ins, program.uses, program.shape, n_in, n_out,
                                        max_rows)  # fmt: skip
    return program


def _one_and_split(spec: C.KernelSpec, make, **cut: int) -> list:
    """Run ``spec``'s program as one pass and cut into passes (``cut``: :func:`_split`'s
    limits) on ``make()``; compare every output bitwise; return the one pass's call."""
    whole, again = make(), make()
    label = SimpleNamespace(name=spec.label)
    program = tier0.translate(spec, tuple(whole), C.REDUCE_BLOCK)
    assert program is not None
    program.launch(label, tuple(whole))
    split = _split(tier0.translate(spec, tuple(again), C.REDUCE_BLOCK), **cut)
    computed = sum(r[0] not in (I.LOAD, I.CONST) for r in split.ins[1:])
    passes = split.passes.passes
    assert len(passes) == computed if "max_rows" in cut else len(passes) > 1
    split.launch(label, tuple(again))
    first = len(spec.inputs)
    assert [_bits(a) for a in again[first:]] == [_bits(a) for a in whole[first:]], spec.label
    return whole


CASES = [(*case, dt) for dt in ("float32", "float64") for case in OPS]


@pytest.mark.parametrize(("name", "smask", "positive", "dt"), CASES,
                         ids=[f"{o}_{m}-{dt}" for o, m, _, dt in CASES])  # fmt: skip
def test_every_op_cut_into_narrow_passes_is_bitwise_one_pass(name, smask, positive, dt):
    """Forward and backward of each op of tests/test_tier0.py's table (which compares one
    pass with the compiled kernel), cut into one pass per row: every register read by a
    later row crosses in a temporary."""
    op = REGISTRY[name]
    n = 40
    ops = _operands(op, smask, positive, dt, n)
    size = n + len(SPECIAL)
    fwd = LW.op_forward(op, smask, 1, False, dt, dt)
    out = _one_and_split(fwd, lambda: [*ops, np.zeros(size, dt)], max_rows=1)[-1]
    modes = tuple(
        C.STORE if m == "t" and g is not None and not (op.condition and i == 0) else None
        for i, (m, g) in enumerate(zip(smask, op.grads, strict=False))
    )
    if not any(modes) or (name in FORWARD_ONLY and dt == "float32"):
        return
    spec, order = LW.op_backward(op, smask, modes, 1, False, dt, (None,) * len(smask))
    by_role = {"g": _values(dt, n, 9), "out": out, **dict(zip("abc", ops, strict=False))}
    grads = sum(m is not None for m in modes)
    _one_and_split(spec, lambda: [by_role[r] for r in order]
                   + [np.zeros(size, dt) for _ in range(grads)], max_rows=1)  # fmt: skip


@pytest.mark.parametrize("dt", ["float32", "float64"])
@pytest.mark.parametrize("mode", [C.ACCUMULATE, C.ACCUMULATE_ROW, C.REDUCE])
def test_accumulating_and_reducing_outputs_cut_into_passes_are_bitwise_one_pass(mode, dt):
    """The wide probe with every output in one mode, cut into passes of 4 inputs and 1
    output (so each reduction has its own pass); a 1-D reduction over several blocks."""
    ndim = 1 if mode == C.REDUCE else 2
    spec = _wide_spec(dt, ndim)
    spec = replace(spec, outputs=tuple((o[0], o[1], mode, dt) for o in spec.outputs))
    shape = (2 * C.REDUCE_BLOCK + 300,) if ndim == 1 else (5, 70)
    size = int(np.prod(shape))
    xs = [_values(dt, size, 40 + k)[:size].reshape(shape) for k in range(N_ARRAYS)]
    outputs = [mode] * N_OUTPUTS
    make = lambda: [*xs, np.dtype(dt).type(0.7), *_outputs(shape, dt, outputs)]  # noqa: E731
    _one_and_split(spec, make, n_in=4, n_out=1)


def test_a_row_that_fits_no_pass_is_refused():
    spec = LW.op_forward(REGISTRY["where"], "ttt", 1, False, "float64", "float64")
    call = (np.ones(3) > 0, np.ones(3), np.ones(3), np.zeros(3))
    program = tier0.translate(spec, call, C.REDUCE_BLOCK)
    with pytest.raises(ValueError, match="does not fit 2 inputs"):
        _split(program, 2, 1)


@pytest.mark.parametrize("p", [1, 3, np.int64(4)])
def test_mvlgamma_and_its_backward_with_an_integer_dimension_are_bitwise_compiled(p):
    """``_k.mvlgamma(x, p)`` and ``_k.mvdigamma(x, p)`` (Wishart's log-density and its
    backward) with ``p`` an integer argument: float64 programs run them in tier 0 (their
    float32 results are float64 values the compiled expression uses unrounded: compiled)."""
    op = REGISTRY["mvlgamma"]
    x = np.concatenate([_values("float64", 40, 11, True) + 1.5, [np.nan, np.inf, 0.25, -1.0]])
    fwd = LW.op_forward(op, "ts", 1, False, "float64", "float64")
    out = _compare(fwd, lambda: [x, p, np.zeros(x.size)])[-1]
    spec, order = LW.op_backward(op, "ts", (C.STORE, None), 1, False, "float64", (None, None))
    by_role = {"g": _values("float64", x.size, 9)[: x.size], "out": out, "a": x, "b": p}
    _compare(spec, lambda: [by_role[r] for r in order] + [np.zeros(x.size)])
    f32 = LW.op_forward(op, "ts", 1, False, "float32", "float32")
    call = (x.astype(np.float32), p, np.zeros(x.size, np.float32))
    assert tier0.translate(f32, call, C.REDUCE_BLOCK) is None


@pytest.mark.parametrize("table", [E, L])
def test_the_interpreters_cached_code_is_stale_once_its_op_table_changes(table, monkeypatch):
    """The interpreter loop compiles tier0_eval's and tier0_libm's rows: a change there (two
    op codes added here renumbered the output modes) must not load a loop compiled before it,
    which read every row as another op (its file's stamp covered tier0_interp.py only)."""
    dispatcher = getattr(I.RUN["float64"], "dispatcher", I.RUN["float64"])
    locator = dispatcher._cache._impl.locator
    before = locator.get_source_stamp()
    path, digest = os.path.realpath(table.__file__), jit._file_digest
    monkeypatch.setattr(jit, "_file_digest",
                        lambda p, *a: b"changed" if p == path else digest(p, *a))  # fmt: skip
    assert locator.get_source_stamp() != before
