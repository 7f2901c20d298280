"""``torch.geqrf`` and ``torch.ormqr`` against PyTorch 2.13's answers recorded in
tests/fixtures/linalg_geqrf_torch.json (tests/fixtures/make_linalg_geqrf_torch.py): values,
node names, output numbers, gradients and error messages; plus formulas (``Q R`` rebuilds
the input, ``ormqr`` is a product with ``householder_product``'s ``Q``)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from linalg_geqrf_cases import ERRORS, GEQRF, ORMQR, ormqr_call

import jitgrad as torch

REC = json.loads((Path(__file__).parent / "fixtures" / "linalg_geqrf_torch.json").read_text())


def _close(t: torch.Tensor, rec: list, tol: float = 1e-10) -> None:
    """``t`` equals a recorded value (complex recorded as ``[real, imag]`` pairs)."""
    got = t.detach().numpy()
    want = np.asarray(rec)
    if np.iscomplexobj(got):
        want = want[..., 0] + 1j * want[..., 1]
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


@pytest.mark.parametrize("name", list(GEQRF))
def test_geqrf_matches_pytorch(name: str) -> None:
    x, dtype = GEQRF[name]
    grad = not dtype.startswith("complex")
    inp = torch.tensor(x, dtype=getattr(torch, dtype), requires_grad=grad)
    r = torch.geqrf(inp) if name != "batch" else inp.geqrf()
    rec = REC["geqrf"][name]
    assert "return_types." + type(r).__name__ == rec["type"].removeprefix("torch.")
    assert [t.grad_fn.name() if t.grad_fn else None for t in r] == rec["nodes"]
    assert [r.a.output_nr, r.tau.output_nr] == rec["output_nr"]
    assert r.a.dtype == inp.dtype and r.tau.dtype == inp.dtype
    tol = 1e-5 if dtype in ("float32", "complex64") else 1e-10
    _close(r.a, rec["a"], tol)
    _close(r.tau, rec["tau"], tol)


def test_geqrf_reflectors_rebuild_input() -> None:
    """Formula: Q (from householder_product of the reflectors) times R is the input."""
    x = torch.tensor(GEQRF["tall"][0])
    a, tau = torch.geqrf(x)
    q = torch.linalg.householder_product(a, tau)
    np.testing.assert_allclose((q @ torch.triu(a[:3])).numpy(), x.numpy(), atol=1e-12)


@pytest.mark.parametrize("name", list(ORMQR))
def test_ormqr_matches_pytorch(name: str) -> None:
    y, a, tau, c = ormqr_call(torch, name)
    rec = REC["ormqr"][name]
    assert y.grad_fn.name() == rec["node"]
    edges = [(e[0].name(), e[1]) for e in y.grad_fn.next_functions]
    assert edges == [("torch::autograd::AccumulateGrad", 0)] * 3
    _close(y, rec["value"])
    for t, g in zip((a, tau, c), rec["grads"], strict=True):
        _close(t.grad, g)


def test_ormqr_is_product_with_q() -> None:
    """Formula: Tensor.ormqr(tau, c) is householder_product's Q (square) times c."""
    a0, tau0, shape, _, _ = ORMQR["left"]
    a, tau = torch.tensor(a0), torch.tensor(tau0)
    c = torch.tensor(np.arange(10.0).reshape(shape))
    sq = torch.cat([a, torch.zeros(5, 2, dtype=torch.float64)], dim=-1)
    q = torch.linalg.householder_product(sq, tau)
    np.testing.assert_allclose(a.ormqr(tau, c).numpy(), (q @ c).numpy(), atol=1e-12)
    got = a.ormqr(tau, c.mT, left=False, transpose=True).numpy()
    np.testing.assert_allclose(got, (c.mT @ q.mT).numpy(), atol=1e-12)


def test_ormqr_double_backward() -> None:
    """The backward is made of Tensor ops: a second derivative through it matches finite
    differences of the first."""
    a0, tau0, shape, _, _ = ORMQR["left"]
    c = torch.tensor(np.ones(shape))

    def grad_tau(t: np.ndarray) -> np.ndarray:
        tau = torch.tensor(t, requires_grad=True)
        y = torch.ormqr(torch.tensor(a0), tau, c)
        (g,) = torch.autograd.grad((y**2).sum(), tau, create_graph=True)
        return g

    tau = torch.tensor(tau0, requires_grad=True)
    y = torch.ormqr(torch.tensor(a0), tau, c)
    (g,) = torch.autograd.grad((y**2).sum(), tau, create_graph=True)
    (h,) = torch.autograd.grad(g[0], tau)
    eps = 1e-6
    fd = [
        (grad_tau(tau0 + eps * e)[0].item() - grad_tau(tau0 - eps * e)[0].item()) / (2 * eps)
        for e in np.eye(3)
    ]
    np.testing.assert_allclose(h.numpy(), fd, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_pytorch(name: str) -> None:
    kind, message = REC["errors"][name]
    with pytest.raises(getattr(__builtins__, kind, None) or eval(kind)) as info:  # noqa: S307
        ERRORS[name](torch)
    assert type(info.value).__name__ == kind
    assert str(info.value) == message
