"""The linalg differences issue 13 listed, against PyTorch 2.13's recorded answers
(tests/fixtures/linalg_left_torch.json, from tests/fixtures/make_linalg_left_torch.py over
tests/linalg_left_cases.py) and finite differences: lstsq's residuals are differentiable
outputs of the solution's ``LinalgLstsqBackward0`` node; ``torch.norm(x, 'nuc')`` is
``linalg.matrix_norm``'s nuclear norm, with its checks."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from linalg_left_cases import CUBE, LSTSQ, NUC, NUC_ERRORS, _res, lstsq_inputs, lstsq_loss

import jitgrad as torch
from jitgrad.autograd import gradcheck, gradgradcheck

DATA = json.loads((Path(__file__).parent / "fixtures" / "linalg_left_torch.json").read_text())


def _recorded(pairs: list, like: np.ndarray) -> np.ndarray:
    a = np.asarray(pairs, dtype=np.float64)
    return a[..., 0] + 1j * a[..., 1] if np.iscomplexobj(like) else a


@pytest.mark.parametrize("name", sorted(LSTSQ))
def test_lstsq_residuals_match_pytorch(name: str) -> None:
    is_complex, driver, vector = LSTSQ[name]
    want = DATA["lstsq"][name]
    a, b = lstsq_inputs(torch, is_complex)
    outs = _res(driver, vector)(torch, a, b)
    assert [o.grad_fn.name() for o in outs] == want["nodes"]
    assert (outs[0].grad_fn is outs[1].grad_fn) == want["same_node"]
    assert outs[1].dtype == torch.float64
    for got, rec in zip(outs, want["values"], strict=True):
        g = got.detach().numpy()
        np.testing.assert_allclose(g, _recorded(rec, g).reshape(g.shape), rtol=1e-9, atol=1e-12)
    lstsq_loss(torch, outs).backward()
    for leaf, rec in zip((a, b), want["grads"], strict=True):
        g = leaf.grad.numpy()
        np.testing.assert_allclose(g, _recorded(rec, g), rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("dtype", [torch.float64, torch.complex128])
def test_lstsq_residuals_gradcheck(dtype: torch.dtype) -> None:
    a, b = lstsq_inputs(torch, dtype.is_complex)

    def residuals(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return torch.linalg.lstsq(a, b, driver="gelsd").residuals

    assert gradcheck(residuals, (a, b))
    assert gradgradcheck(residuals, (a, b))


def test_lstsq_residuals_formula() -> None:
    """d/dB of ``sum |A X - B|^2`` at the minimizer is ``-2 (A X - B)``."""
    a, b = lstsq_inputs(torch, False)
    r = torch.linalg.lstsq(a, b, driver="gels")
    r.residuals.sum().backward()
    x = np.linalg.lstsq(a.detach().numpy(), b.detach().numpy(), rcond=None)[0]
    np.testing.assert_allclose(b.grad.numpy(), -2 * (a.detach().numpy() @ x - b.detach().numpy()))


@pytest.mark.parametrize("name", sorted(NUC))
def test_nuclear_norm_matches_pytorch(name: str) -> None:
    want = DATA["nuc"][name]
    x = torch.tensor(CUBE).requires_grad_()
    y = NUC[name](torch, x)
    assert y.grad_fn.name() == want["node"]
    assert list(y.shape) == want["shape"]
    np.testing.assert_allclose(y.detach().numpy(), want["value"], rtol=1e-12)
    (y * torch.arange(1, y.numel() + 1).reshape(y.shape)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), want["grad"], rtol=1e-9, atol=1e-12)


def test_nuclear_norm_is_the_sum_of_singular_values() -> None:
    x = torch.tensor(CUBE)
    want = np.linalg.svd(CUBE, compute_uv=False).sum(-1)
    np.testing.assert_allclose(x.norm("nuc", dim=(1, 2)).numpy(), want, rtol=1e-12)
    assert gradcheck(lambda t: torch.norm(t, "nuc", dim=(0, 2)), (x.requires_grad_(),))


@pytest.mark.parametrize("name", sorted(NUC_ERRORS))
def test_matrix_order_errors_match_pytorch(name: str) -> None:
    kind, message = DATA["nuc"]["errors"][name]
    with pytest.raises(Exception) as info:  # noqa: PT011 - the type is checked below
        NUC_ERRORS[name](torch)
    assert type(info.value).__name__ == kind
    assert str(info.value) == message
