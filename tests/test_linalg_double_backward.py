"""Second derivatives through ``eigh``/``eigvalsh``, ``svd``/``svdvals`` and ``qr``: against
PyTorch's recorded values (tests/fixtures/linalg_double_torch.json, made by
tests/fixtures/make_linalg_double_torch.py from tests/linalg_double_cases.py) and against
finite differences of the first derivative (``gradgradcheck``), real and complex.

Until the backward read its factors as the node's outputs, ``create_graph`` treated them as
constants: the first gradient was right, its derivative was not.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from linalg_double_cases import CASES, run_case

import jitgrad
from jitgrad.autograd import gradgradcheck

DATA = json.loads((Path(__file__).parent / "fixtures" / "linalg_double_torch.json").read_text())


@pytest.mark.parametrize("name", list(CASES))
def test_second_derivative_as_pytorch(name: str) -> None:
    want, got = DATA["cases"][name], run_case(jitgrad, name)
    np.testing.assert_allclose(got["grad"], want["grad"], rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(got["gradgrad"], want["gradgrad"], rtol=1e-8, atol=1e-9)


@pytest.mark.parametrize("name", list(CASES))
def test_gradgradcheck(name: str) -> None:
    shape, dtype, fn = CASES[name]
    rng = np.random.default_rng(7)
    a = rng.standard_normal(shape) + (1j * rng.standard_normal(shape) if "complex" in dtype else 0)
    x = jitgrad.tensor(a, dtype=getattr(jitgrad, dtype), requires_grad=True)
    assert gradgradcheck(lambda t: tuple(fn(jitgrad, t)), (x,))


def test_plain_backward_keeps_no_graph() -> None:
    """Without ``create_graph`` the gradient is a plain tensor (the factors are constants)."""
    a = jitgrad.tensor([[2.0, 1.0], [1.0, 3.0]], dtype=jitgrad.float64, requires_grad=True)
    L, V = jitgrad.linalg.eigh(a)  # noqa: N806
    (g,) = jitgrad.autograd.grad(L.sum() + V.abs().sum(), a)
    assert g.grad_fn is None and not g.requires_grad
