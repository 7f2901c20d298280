"""The linalg differences issue 13 listed, against PyTorch 2.13's recorded answers
(tests/fixtures/linalg_left_torch.json, from tests/fixtures/make_linalg_left_torch.py over
tests/linalg_left_cases.py) and finite differences: lstsq's residuals are differentiable
outputs of the solution's ``LinalgLstsqBackward0`` node; ``torch.norm(x, 'nuc')`` is
``linalg.matrix_norm``'s nuclear norm, with its checks; ``linalg.householder_product``
(``torch.orgqr``) is one ``LinalgHouseholderProductBackward0`` node with PyTorch's errors;
``ldl_factor``/``ldl_solve`` take ``hermitian=True`` complex matrices (LAPACK's hetrf/hetrs)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from linalg_left_cases import (
    CUBE,
    HH_A,
    HH_TAU,
    HOUSEHOLDER,
    HOUSEHOLDER_ERRORS,
    LDL_HERMITIAN,
    LDL_RHS,
    LSTSQ,
    NUC,
    NUC_ERRORS,
    _res,
    householder_loss,
    lstsq_inputs,
    lstsq_loss,
)

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


def _edges(node) -> list:
    """The recorder's walk: ``[name, output_nr]`` of each edge, depth first."""
    out = []
    for nxt, nr in node.next_functions:
        if nxt is not None:
            out.append([nxt.name(), nr])
            out += _edges(nxt)
    return out


@pytest.mark.parametrize("name", sorted(NUC))
def test_nuclear_norm_matches_pytorch(name: str) -> None:
    want = DATA["nuc"][name]
    x = torch.tensor(CUBE).requires_grad_()
    y = NUC[name](torch, x)
    assert y.grad_fn.name() == want["node"]
    assert _edges(y.grad_fn) == want["edges"]
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


@pytest.mark.parametrize("name", sorted(HOUSEHOLDER))
def test_householder_product_matches_pytorch(name: str) -> None:
    a_value, tau_value, _, call = HOUSEHOLDER[name]
    want = DATA["householder"][name]
    a, tau = torch.tensor(a_value).requires_grad_(), torch.tensor(tau_value).requires_grad_()
    q = call(torch, a, tau)
    assert q.grad_fn.name() == want["node"]
    got = q.detach().numpy()
    np.testing.assert_allclose(got, _recorded(want["value"], got), rtol=1e-12, atol=1e-14)
    householder_loss(torch, q).backward()
    for leaf, rec in zip((a, tau), want["grads"], strict=True):
        g = leaf.grad.numpy()
        np.testing.assert_allclose(g, _recorded(rec, g), rtol=1e-9, atol=1e-12)


def test_householder_product_is_the_q_of_qr() -> None:
    """numpy's raw QR (LAPACK geqrf) stores the reflectors; their product is its Q."""
    a = np.array([[2.0, -1.0, 0.5], [1.0, 3.0, -2.0], [0.5, 0.2, 1.0], [-1.0, 1.5, 0.3]])
    h, tau = np.linalg.qr(a, mode="raw")
    q = torch.linalg.householder_product(torch.tensor(h.T.copy()), torch.tensor(tau))
    np.testing.assert_allclose(q.numpy(), np.linalg.qr(a)[0], atol=1e-12)


@pytest.mark.parametrize("dtype", [torch.float64, torch.complex128])
def test_householder_product_gradcheck(dtype: torch.dtype) -> None:
    a = torch.tensor(HH_A).to(dtype).requires_grad_()
    tau = torch.tensor(HH_TAU).to(dtype).requires_grad_()
    assert gradcheck(torch.linalg.householder_product, (a, tau))
    assert gradgradcheck(torch.linalg.householder_product, (a, tau))


@pytest.mark.parametrize("name", sorted(HOUSEHOLDER_ERRORS))
def test_householder_product_errors_match_pytorch(name: str) -> None:
    kind, message = DATA["householder"]["errors"][name]
    with pytest.raises(Exception) as info:  # noqa: PT011 - the type is checked below
        HOUSEHOLDER_ERRORS[name](torch)
    assert type(info.value).__name__ == kind
    assert str(info.value) == message


@pytest.mark.parametrize("name", sorted(LDL_HERMITIAN))
def test_ldl_hermitian_matches_pytorch(name: str) -> None:
    want = DATA["ldl_hermitian"][name]
    h = LDL_HERMITIAN[name]
    LD, piv = torch.linalg.ldl_factor(torch.tensor(h), hermitian=True)  # noqa: N806
    assert piv.tolist() == want["pivots"]
    ld = LD.numpy()
    np.testing.assert_allclose(ld, _recorded(want["LD"], ld), rtol=1e-10, atol=1e-12)
    n = h.shape[-1]
    x = torch.linalg.ldl_solve(LD, piv, torch.tensor(LDL_RHS[:n]), hermitian=True).numpy()
    np.testing.assert_allclose(x, _recorded(want["solve"], x), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(h @ x, np.broadcast_to(LDL_RHS[:n], x.shape), atol=1e-10)


def test_ldl_hermitian_reads_the_lower_triangle_and_real_diagonal() -> None:
    """LAPACK reads the lower triangle and the diagonal's real parts only."""
    h = LDL_HERMITIAN["two_by_two_blocks"]
    junk = np.tril(h, -1) + np.diag(np.diag(h) + 3j) + np.triu(np.ones_like(h) * 7, 1)
    want = torch.linalg.ldl_factor(torch.tensor(h), hermitian=True)
    got = torch.linalg.ldl_factor(torch.tensor(junk), hermitian=True)
    assert got.pivots.tolist() == want.pivots.tolist()
    np.testing.assert_allclose(got.LD.numpy(), want.LD.numpy(), rtol=1e-13)
