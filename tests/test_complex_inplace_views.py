"""In-place writes through ``.real``, ``.imag``, ``view_as_real`` and ``conj`` views of a
complex tensor with history rebase the root as PyTorch does (``CopySlices``), with PyTorch's
values, node names (root and view) and gradients, and no warning; a write through a view of
a leaf that requires grad is refused with PyTorch's error. Checked against PyTorch 2.13's
recorded answers (tests/fixtures/complex_inplace_torch.json, made by
tests/fixtures/make_complex_inplace_torch.py from tests/complex_inplace_cases.py)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from complex_inplace_cases import CASES, REAL_ROOT, run, run_real_root

import jitgrad
from jitgrad.autograd import gradcheck, gradgradcheck

DATA = json.loads((Path(__file__).parent / "fixtures" / "complex_inplace_torch.json").read_text())
ARRAYS = ("values", "view_values", "zz_grad", "w_grad")


@pytest.mark.parametrize("name", list(CASES))
def test_write_through_complex_view_as_pytorch(name: str) -> None:
    want, got = DATA["cases"][name], run(jitgrad, name)
    if "error" in want:
        assert got == want
        return
    assert "error" not in got, got
    for key in ARRAYS:
        if want[key] is None:
            assert got[key] is None, key
        else:
            np.testing.assert_allclose(got[key], want[key], rtol=1e-12, atol=1e-12, err_msg=key)
    assert {k: v for k, v in got.items() if k not in ARRAYS} == {
        k: v for k, v in want.items() if k not in ARRAYS
    }


@pytest.mark.parametrize("name", list(REAL_ROOT))
def test_write_through_view_as_complex_of_real_root_as_pytorch(name: str) -> None:
    want, got = DATA["real_root"][name], run_real_root(jitgrad, name)
    for key in ("values", "view_values", "x_grad"):
        np.testing.assert_allclose(got.pop(key), want.pop(key), rtol=1e-12, err_msg=key)
    assert got == want


def _imag_mul_then_abs(z: jitgrad.Tensor, w: jitgrad.Tensor) -> jitgrad.Tensor:
    y = z * 1
    y.imag.mul_(w)
    y.conj().add_(1j)
    return y.abs()


def _complex_view_of_real_write(x: jitgrad.Tensor) -> jitgrad.Tensor:
    y = x * 1
    jitgrad.view_as_complex(y).conj().mul_(2j)
    return (y * y).sum()


def test_gradcheck_through_complex_view_writes() -> None:
    """Numerical against analytic first and second derivatives of writes through .imag and
    conj (both inputs), and through a conj of view_as_complex of a real root."""
    z = jitgrad.tensor([1 + 2j, 3 - 1j, -0.5 + 0.25j], dtype=jitgrad.complex128, requires_grad=True)
    w = jitgrad.tensor([0.5, -2.0, 3.0], dtype=jitgrad.float64, requires_grad=True)
    assert gradcheck(_imag_mul_then_abs, (z, w))
    assert gradgradcheck(_imag_mul_then_abs, (z, w))
    x = jitgrad.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=jitgrad.float64, requires_grad=True)
    assert gradcheck(_complex_view_of_real_write, (x,))
    assert gradgradcheck(_complex_view_of_real_write, (x,))
