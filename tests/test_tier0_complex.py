"""Tier 0's complex interpreter (issue 16 section 3): complex kernels run without a compile.

Complex kernels compiled at their first call (tests/test_complex.py: 83 compiles, 20.8 CPU s
in perf/RESULTS.md Run ttime). Each case renders a kernel the way jitgrad does (the one
lowering, each op's complex form) and compares tier 0's outputs with the compiled kernel's
byte for byte (any NaN counting as one NaN, as in tests/test_tier0.py): forwards and
backwards in complex64 and complex128, the mixed kernels a complex op with a real operand
or a narrower result gets (a float32 or float64 gradient of the real part, a complex128
gradient narrowed into complex64), with inf, NaN and -0.0 parts among the operands.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from numpy.lib.stride_tricks import as_strided

from jitgrad.fusion import codegen as C
from jitgrad.fusion import lowering as LW
from jitgrad.fusion import tier0, tier0_complex
from jitgrad.ops.registry import REGISTRY, complex_form
from tests import tier0_rows as R
from tests.test_tier0 import _compare, layout_pair

PARTS = [0.0, -0.0, 1.0, -1.0, 0.5, np.inf, -np.inf, np.nan, 1e-40, 88.5, -104.0, 3e38]
#: every pair of special parts, then random values
SPECIAL = [complex(r, i) for r, i in itertools.product(PARTS, PARTS)]
_REAL = {"complex64": "float32", "complex128": "float64"}


def _values(dt: str, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    rand = (rng.standard_normal(n) + 1j * rng.standard_normal(n)) * 3
    v = np.concatenate([np.roll(SPECIAL, seed * 7), rand])
    return v.astype(dt) if dt.startswith("complex") else v.real.astype(dt)


#: (op, operand mask) of every op with a complex form; pow with a scalar exponent too
OPS = [
    ("abs", "t"), ("add", "tt"), ("add_scaled", "tts"), ("cos", "t"), ("cosh", "t"),
    ("cube", "t"), ("div", "tt"), ("eq", "tt"), ("exp", "t"), ("isfinite", "t"),
    ("isinf", "t"), ("isnan", "t"), ("log", "t"), ("mul", "tt"), ("mul", "ts"), ("ne", "tt"),
    ("neg", "t"), ("pow", "tt"), ("pow", "ts"), ("reciprocal", "t"), ("sgn", "t"),
    ("sin", "t"), ("sinh", "t"), ("sqrt", "t"), ("square", "t"), ("sub", "tt"),
    ("sub_scaled", "tts"), ("tanh", "t"), ("where", "ttt"),
]  # fmt: skip
N = 40
SIZE = N + len(SPECIAL)


def _operands(op, smask: str, dt: str) -> list:
    out = []
    for i, m in enumerate(smask):
        if op.condition and i == 0:
            out.append(_values("float64", SIZE, 7)[:SIZE] > 0)
        elif m == "t":
            out.append(_values(dt, N, 1 + i))
        else:
            out.append(np.dtype(dt).type(0.75 - 0.5j + i))
    return out


def _result_dtype(form, dt: str) -> str:
    return {"real": _REAL[dt], "bool": "bool"}.get(form.result, dt)


def _modes(form, smask: str) -> tuple:
    return tuple(
        C.STORE if m == "t" and g is not None and not (form.condition and i == 0) else None
        for i, (m, g) in enumerate(zip(smask, form.grads, strict=False))
    )


def _rows(dt: str) -> tuple[list, list]:
    """Every op of ``OPS`` in ``dt``: its forward rows (boolean results left out: tier 0
    refuses them) and its backward rows, the forward's output as the wide kernels compute it."""
    fwd, bwd, meta = [], [], []
    for name, smask in OPS:
        form = complex_form(REGISTRY[name])
        ops, odt = _operands(form, smask, dt), _result_dtype(form, dt)
        if odt != "bool":
            spec = LW.op_forward(form, smask, 1, False, dt, odt)
            outs = [lambda odt=odt: np.zeros(SIZE, odt)]
            fwd.append(R.Row(f"{name}_{smask}-{dt} forward", spec, ops, outs))
            meta.append((name, smask, form, ops))
    for (name, smask, form, ops), (out,) in zip(meta, R.outputs(fwd, f"tier0_cx_{dt}_fwd"),
                                                strict=True):  # fmt: skip
        modes = _modes(form, smask)
        if any(modes):
            spec, order = LW.op_backward(form, smask, modes, 1, False, dt, (None,) * len(smask))
            by_role = {"g": _values(dt, N, 9), "out": out, **dict(zip("abc", ops, strict=False))}
            outs = [lambda: np.zeros(SIZE, dt) for m in modes if m]
            bwd.append(R.Row(f"{name}_{smask}-{dt} backward", spec, [by_role[r] for r in order],
                             outs))  # fmt: skip
    return fwd, bwd


@pytest.mark.parametrize("dt", ["complex64", "complex128"])
def test_complex_forwards_and_backwards_are_bitwise_the_compiled_kernels(dt):
    """Every op with a complex form, forward and backward, several rows to a compiled kernel
    (tests/tier0_rows.py; a failure names the row). Boolean results (comparisons, ``isnan``)
    compile and are not compared; none of them has a backward."""
    fwd, bwd = _rows(dt)
    assert len(fwd) == sum(complex_form(REGISTRY[o]).result != "bool" for o, _ in OPS)
    assert len(bwd) > len(fwd) // 2
    R.compare(fwd, f"tier0_cx_{dt}_fwd", _compare)
    R.compare(bwd, f"tier0_cx_{dt}_bwd", _compare)


MIXED = [("add", "tt"), ("sub", "tt"), ("mul", "tt"), ("div", "tt"), ("pow", "tt")]


def _mixed_rows(dt: str) -> list:
    """The backward of each ``MIXED`` op with the second operand's gradient stored or added
    into (an output already holding values, as a broadcast operand's gradient is), the
    gradients of dtypes (``dt``, real), (real, ``dt``) and for complex128 (complex64,
    float64); the forward's output from the op rows' wide kernels."""
    fwd, _ = _rows(dt)
    outs = dict(zip([r.name for r in fwd], R.outputs(fwd, f"tier0_cx_{dt}_fwd"), strict=True))
    rows = []
    gdts_all = [(dt, _REAL[dt]), (_REAL[dt], dt)]
    gdts_all += [("complex64", "float64")] if dt == "complex128" else []
    for name, smask in MIXED:
        form = complex_form(REGISTRY[name])
        ops = _operands(form, smask, dt)
        (out,) = outs[f"{name}_{smask}-{dt} forward"]
        by_role = {"g": _values(dt, N, 9), "out": out, **dict(zip("ab", ops, strict=False))}
        for second, gdts in itertools.product((C.STORE, C.ACCUMULATE), gdts_all):
            spec, order = LW.op_backward(form, smask, (C.STORE, second), 1, False, dt, gdts)
            start = _values(gdts[1], N, 11)
            made = [lambda g=gdts[0]: np.zeros(SIZE, g), lambda v=start: v.copy()]
            rows.append(R.Row(f"{name}_{smask}-{dt} backward {gdts} {second}", spec,
                              [by_role[r] for r in order], made))  # fmt: skip
    return rows


@pytest.mark.parametrize("dt", ["complex64", "complex128"])
def test_mixed_dtype_gradients_are_bitwise_the_compiled_kernels(dt):
    """The kernels of a complex op whose operand is real (its gradient: the real part, in
    float32/float64) or of a narrower dtype (a complex128 gradient narrowed into complex64),
    stored or added into (``+=`` in the output's dtype): each row's program is the complex
    interpreter's, the rows compared several to a compiled kernel (tests/tier0_rows.py)."""
    rows = _mixed_rows(dt)
    assert len(rows) == len(MIXED) * (6 if dt == "complex128" else 4)
    for row in rows:
        program = tier0.translate(row.spec, (*row.args, *R.fresh_outputs([row])), C.REDUCE_BLOCK)
        assert program is not None and program.dtype == tier0_complex.DTYPE, row.name
    R.compare(rows, f"tier0_cx_{dt}_mixed", _compare)


def _chain(dt: str, out_dt: str, mode: str, ndim: int = 2) -> C.KernelSpec:
    """``exp(a * b) + a`` over a 2-D loop into ``out`` of ``out_dt`` in ``mode``."""
    mul, exp, add = (complex_form(REGISTRY[n]) for n in ("mul", "exp", "add"))
    members = (
        LW.Apply(add, dt, dt, ((LW.MEMBER, 1), (LW.ARG, "x0", None))),
        LW.Apply(exp, dt, dt, ((LW.MEMBER, 2),)),
        LW.Apply(mul, dt, dt, ((LW.ARG, "x0", None), (LW.ARG, "x1", None))),
    )
    group = LW.Group("cx_chain", members, (("x0", False), ("x1", False)),
                     (("out", ("value", 0), mode, out_dt),), ndim)  # fmt: skip
    return LW.lower(group)


LAYOUTS = ["row_broadcast", "strided", "transposed", "zero_d", "empty", "readonly", "float"]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dt", ["complex64", "complex128"])
def test_layouts_of_a_complex_chain_are_bitwise_the_compiled_kernels(layout, dt):
    """A fused two-member group over broadcast, strided, transposed, 0-d, empty and
    read-only operands, and a real operand (``float``: promoted as Numba promotes it)."""
    big = _values(dt, 400, 3)[:384].reshape(16, 24)
    base, other = big[:8, :12], big[8:, 12:]

    def make():
        a, b = layout_pair(layout, base, other, big)
        if layout == "float":
            b = b.real.copy()
        return [a, b, np.zeros(a.shape, dt)]

    spec = _chain(dt, dt, C.STORE, 0 if layout == "zero_d" else 2)
    if layout == "float":  # the real operand as the lowering casts it (x1 real, promoted)
        spec = LW.lower(LW.Group("cx_mixed", (LW.Apply(complex_form(REGISTRY["mul"]), dt, dt, (
            (LW.ARG, "x0", None), (LW.ARG, "x1", None))),), (("x0", False), ("x1", False)),
            (("out", ("value", 0), C.STORE, dt),), 2))  # fmt: skip
    _compare(spec, make)


@pytest.mark.parametrize("dt", ["complex64", "complex128"])
def test_an_expanded_gradient_added_into_runs_only_in_place(dt):
    """A stride-0 output added into (a broadcast operand's gradient): a complex128 one is
    added into element by element in the compiled loop's order, as compiled; a narrower one
    would go through a scratch copy (whose elements do not share memory), so it compiles."""
    spec = _chain(dt, dt, C.ACCUMULATE)
    a, b = _values(dt, 60, 4)[:60].reshape(5, 12), _values(dt, 60, 5)[:60].reshape(5, 12)

    def make():
        row = _values(dt, 12, 6)[-12:].copy()
        return [a, b, as_strided(row, a.shape, (0, row.itemsize))]

    kernel = C.get_kernel(spec)
    tier0_complex.loop()  # (built, or loaded from the cache: so take() may interpret)
    t0 = tier0.Tier0(kernel, kernel.dispatcher, C.REDUCE_BLOCK)
    try:
        taken = t0.take(tuple(make())) is not None
    finally:
        kernel.fn = t0.compiled
    assert taken == (dt == "complex128")
    if dt == "complex128":
        _compare(spec, make)


def test_what_complex_programs_refuse():
    """Boolean outputs, row sums and reductions, integer operands and integer scalars
    compile as before."""
    c = _values("complex64", 3, 1)[-3:]
    eq = complex_form(REGISTRY["eq"])
    fwd = LW.op_forward(eq, "tt", 1, False, "complex64", "bool")
    assert tier0.translate(fwd, (c, c, np.zeros(3, bool)), C.REDUCE_BLOCK) is None
    a = c[:2].reshape(1, 2).repeat(3, 0)
    for mode in (C.REDUCE, C.ACCUMULATE_ROW):
        out = np.zeros(1, c.dtype) if mode == C.REDUCE else np.zeros((3, 2), c.dtype)
        assert tier0.translate(_chain("complex64", "complex64", mode), (a, a, out), 0) is None
    mul = LW.op_forward(complex_form(REGISTRY["mul"]), "ts", 1, False, "complex64", "complex64")
    assert tier0.translate(mul, (c, 2, np.zeros(3, c.dtype)), C.REDUCE_BLOCK) is None
    assert tier0.translate(mul, (np.arange(3), c, np.zeros(3, c.dtype)), 0) is None
    assert tier0.translate(mul, (c, np.complex64(2), np.zeros(3, c.dtype)), 0) is not None


@pytest.mark.parametrize("gdt", ["complex64", "float32", "complex128"])
def test_compact_gradients_added_into_are_bitwise_the_compiled_kernels(gdt):
    """mul's backward over a 2-D loop with ``b`` broadcast along the rows: its gradient is
    added into the row it is (a compact variant), in complex64, in float32 (a real ``b``'s
    gradient: the real part) or complex128, each addition in the output's dtype and in the
    compiled loop's order."""
    dt = "complex128" if gdt == "complex128" else "complex64"
    form = complex_form(REGISTRY["mul"])
    spec, order = LW.op_backward(form, "tt", (C.STORE, C.ACCUMULATE), 2, False, dt, (dt, gdt))
    kernel = C.get_kernel(spec)
    g, a = (_values(dt, 200, s)[:192].reshape(16, 12) for s in (2, 3))
    b = _values(dt, 20, 4)[-12:]
    by_role = {"g": g, "a": a, "b": np.broadcast_to(b, (16, 12))}

    def call():
        start = _values(gdt, 20, 5)[-12:].copy()
        gb = as_strided(start, (16, 12), (0, start.itemsize))
        return [by_role[r] for r in order] + [np.zeros((16, 12), dt), gb]

    variant, args = C.for_call(kernel, call())
    assert ("gb", 1) in variant.spec.compact
    assert tier0.translate(variant.spec, tuple(args), C.REDUCE_BLOCK).dtype == "complex"
    _compare(variant.spec, lambda: C.for_call(kernel, call())[1])
