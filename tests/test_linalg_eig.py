"""``torch.linalg.eig``/``eigvals`` against PyTorch 2.13's recorded values and gradients
(tests/fixtures/eig_torch.json, from tests/fixtures/make_eig_torch.py).

Eigenvectors are compared up to a unit phase per column: both come from LAPACK's geev (unit
norm, largest component real), but PyTorch's LAPACK build is not numpy's, so the last bits and
the phase of a column are not guaranteed to agree.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import jitgrad as torch

CASES = json.loads((Path(__file__).parent / "fixtures" / "eig_torch.json").read_text())["cases"]


def _complex(pairs: list) -> np.ndarray:
    a = np.asarray(pairs)
    return a[..., 0] + 1j * a[..., 1]


def _tol(dtype: str) -> float:
    return 1e-10 if dtype == "complex128" else 2e-5


@pytest.mark.parametrize("name", sorted(CASES))
def test_values_and_vectors_match_pytorch(name: str) -> None:
    case = CASES[name]
    dt = torch.float64 if name.endswith("float64") else torch.float32
    L, V = torch.linalg.eig(torch.tensor(case["A"], dtype=dt))
    assert str(L.dtype) == f"jitgrad.{case['dtype']}" and V.dtype is L.dtype
    tol = _tol(case["dtype"])
    want_L, want_V = _complex(case["L"]), _complex(case["V"])
    order = [int(np.argmin(abs(want_L - v))) for v in L.numpy()]
    assert sorted(order) == list(range(len(order)))
    np.testing.assert_allclose(L.numpy(), want_L[order], atol=tol, rtol=0)
    got = V.numpy()
    np.testing.assert_allclose(np.linalg.norm(got, axis=0), 1.0, atol=tol)
    for j, k in enumerate(order):  # the same column up to a unit phase
        phase = np.vdot(want_V[:, k], got[:, j])
        assert abs(abs(phase) - 1) < 10 * tol
        np.testing.assert_allclose(got[:, j], want_V[:, k] * phase, atol=10 * tol)
    np.testing.assert_allclose(torch.linalg.eigvals(torch.tensor(case["A"], dtype=dt)).numpy(),
                               L.numpy(), atol=tol)


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradients_match_pytorch(name: str) -> None:
    case = CASES[name]
    dt = torch.float64 if name.endswith("float64") else torch.float32
    tol = 1e-9 if dt is torch.float64 else 2e-4
    A = torch.tensor(case["A"], dtype=dt, requires_grad=True)
    L = torch.linalg.eigvals(A)
    assert L.grad_fn.name() == case["node"] == "LinalgEigBackward0"
    (L.real.sum() + (L.imag**2).sum() + (L.real**2 * 0.5).sum()).backward()
    assert A.grad.dtype is dt
    np.testing.assert_allclose(A.grad.numpy(), case["grad_eigvals"], atol=tol, rtol=tol)
    A.grad = None
    L, V = torch.linalg.eig(A)
    w = torch.arange(V.numel(), dtype=dt).reshape(V.shape) / 7
    ((V.abs() ** 2 * w).sum() + L.real.sum()).backward()
    np.testing.assert_allclose(A.grad.numpy(), case["grad_eig"], atol=tol, rtol=tol)


def test_real_input_gives_complex_and_bad_input_errors() -> None:
    # PyTorch 2.13: eigvals of a real matrix is complex; these messages are PyTorch's
    assert torch.linalg.eigvals(torch.eye(2)).dtype is torch.complex64
    assert torch.linalg.eigvals(torch.eye(2, dtype=torch.complex128)).dtype is torch.complex128
    with pytest.raises(RuntimeError, match="must be batches of square matrices"):
        torch.linalg.eig(torch.ones(2, 3))
    nan = torch.tensor([[1.0, float("nan")], [0.0, 1.0]])
    with pytest.raises(RuntimeError, match="^torch.linalg.eig: input tensor should not contain"):
        torch.linalg.eig(nan)
    with pytest.raises(RuntimeError, match="^torch.linalg.eig: input tensor should not contain"):
        torch.linalg.eigvals(nan.requires_grad_())
    # without grad PyTorch answers: tensor([nan+nanj, nan+nanj]) for this inf matrix
    inf = torch.linalg.eigvals(torch.tensor([[1.0, float("inf")], [0.0, 1.0]]))
    assert inf.dtype is torch.complex64 and inf.isnan().all()
    with pytest.raises(RuntimeError, match="Expected a floating point or complex tensor"):
        torch.linalg.eig(torch.ones(2, 2, dtype=torch.int64))
    batch = torch.linalg.eigvals(torch.stack([torch.eye(2), 2 * torch.eye(2)]))
    assert batch.shape == (2, 2) and batch.real.tolist() == [[1.0, 1.0], [2.0, 2.0]]
