"""Capture derives its elementwise ops from the op declarations (issue 14): a declared op
that capture's hand-written table never named (erf, atan, atan2, hypot, erfc, asinh) is
recorded, interpreted and run as straight-line source, bit for bit as eager, in float32 and
float64, values and gradients. On main these ran eagerly (no program was captured)."""

from __future__ import annotations

import pytest

import jitgrad as torch
from jitgrad.capture import interp, optable, straight
from tests.test_capture_ops import replays_bitwise

OPS = [
    ("erf atan", lambda a, b: torch.erf(a) * torch.atan(b) + a.erf() + b.atan()),
    ("atan2 hypot", lambda a, b: torch.atan2(a, b) + torch.hypot(a * 2, b) + a.atan2(b)),
    ("erfc asinh", lambda a, b: torch.erfc(a) + torch.asinh(b * a)),
]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("name, f", OPS, ids=[o[0] for o in OPS])
def test_declared_ops_capture_bitwise(name: str, f, dtype) -> None:
    torch.manual_seed(1)
    a = (torch.randn(5, dtype=dtype) * 2).requires_grad_()
    b = (torch.randn(5, dtype=dtype) + 0.5).requires_grad_()
    replays_bitwise(f, a, b)


def _every_op(a, b):
    """The programs of :data:`OPS` as one: straight-line source is a Numba compile per
    program (~3.4 s of CPU each, against one shared interpreter build), so one program per
    dtype renders all six declarations (a wrong formula changes the sums' bits)."""
    first, second, third = (f(a, b) for _, f in OPS)
    return first + second + third


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["f32", "f64"])
def test_declared_ops_run_as_straight_line_source_bitwise(dtype) -> None:
    torch.manual_seed(1)
    a = (torch.randn(1, dtype=dtype) * 2).requires_grad_()  # one-element rows become
    b = (torch.randn(1, dtype=dtype) + 0.5).requires_grad_()  # straight-line statements
    compiled = replays_bitwise(_every_op, a, b, "max-autotune")
    assert "run as straight-line source" in compiled.explain(), compiled.explain()


def test_every_form_is_a_declaration_rendered_per_dtype() -> None:
    """The interpreter's and straight-line source's formulas are the declarations' renderings:
    erf's derivative names the declared constant; float32 and float64 render apart."""
    code = optable.TABLE["erf"].grads[0][0]
    f32, f64 = interp.branches("float32")[code], interp.branches("float64")[code]
    assert "np.float32(1.1283791670955126)" in f32 and "np.float64(1.1283791670955126)" in f64
    assert straight.templates("float32")["exp"] == "_fm.exp32({x})"
    assert interp.source("float32")[0] != interp.source("float64")[0]
    assert optable.TABLE["atan2"].node == "Atan2Backward0"
