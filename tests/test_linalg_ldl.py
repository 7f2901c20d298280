"""``torch.linalg.ldl_factor``/``ldl_factor_ex``/``ldl_solve`` against PyTorch 2.13's recorded
factors, pivots (1x1 and 2x2 Bunch-Kaufman blocks), infos, solutions, reprs and messages
(tests/fixtures/ldl_torch.json, from tests/fixtures/make_ldl_torch.py over
tests/ldl_cases.py), and the solutions against numpy's solve."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

import jitgrad as torch
from tests.ldl_cases import A3, MATRICES, error_calls, rhs

DATA = json.loads((Path(__file__).parent / "fixtures" / "ldl_torch.json").read_text())
KINDS = {"RuntimeError": RuntimeError, "TypeError": TypeError, "IndexError": IndexError,
         "NotImplementedError": NotImplementedError}


@pytest.mark.parametrize("name", sorted(DATA["cases"]))
def test_factor_and_solve_match_pytorch(name: str) -> None:
    case = DATA["cases"][name]
    matrix, dt = name.rsplit("_", 1)
    dtype = getattr(torch, dt)
    tol = 1e-10 if dt == "float64" else 2e-4
    A = torch.tensor(MATRICES[matrix], dtype=dtype)
    LD, piv, info = torch.linalg.ldl_factor_ex(A)
    assert LD.dtype is dtype and piv.dtype is torch.int32 and info.dtype is torch.int32
    assert piv.tolist() == case["pivots"] and info.tolist() == case["info"]
    np.testing.assert_allclose(LD.numpy(), case["LD"], rtol=tol, atol=tol)
    B = torch.tensor(rhs(matrix), dtype=dtype)
    X = torch.linalg.ldl_solve(LD, piv, B)
    assert [list(LD.shape), list(piv.shape), list(X.shape)] == case["shapes"]
    np.testing.assert_allclose(X.numpy(), case["X"], rtol=tol, atol=tol)
    if dt == "float64":
        want = np.linalg.solve(np.asarray(MATRICES[matrix]), np.asarray(rhs(matrix)))
        np.testing.assert_allclose(X.numpy(), want, rtol=1e-9, atol=1e-9)


def test_complex_symmetric_and_reprs() -> None:
    sym = torch.tensor([[1, 2 + 1j], [2 + 1j, 3]], dtype=torch.complex128)
    LD, piv = torch.linalg.ldl_factor(sym)
    want = np.asarray(DATA["complex_LD"])
    np.testing.assert_allclose(LD.numpy(), want[..., 0] + 1j * want[..., 1], rtol=1e-12)
    assert piv.tolist() == DATA["complex_pivots"]
    A = torch.tensor(A3, dtype=torch.float64)
    for got, key in ((torch.linalg.ldl_factor(A), "repr_factor"),
                     (torch.linalg.ldl_factor_ex(A, hermitian=True), "repr_factor_ex")):
        want = DATA[key].replace("torch.float64", "jitgrad.float64")
        assert repr(got) == want.replace("torch.int32", "jitgrad.int32")
    assert type(torch.linalg.ldl_factor(A.requires_grad_()).LD.grad_fn).__name__ == DATA["node"]


def test_empty_batch() -> None:
    LD, piv = torch.linalg.ldl_factor(torch.ones(0, 3, 3))
    assert LD.shape == (0, 3, 3) and piv.shape == (0, 3) and piv.dtype is torch.int32
    assert torch.linalg.ldl_solve(LD, piv, torch.ones(0, 3, 2)).shape == (0, 3, 2)


@pytest.mark.parametrize("key", sorted(DATA["errors"]))
def test_bad_input_raises_pytorchs_error(key: str) -> None:
    kind, message = DATA["errors"][key]
    with pytest.raises(KINDS[kind], match=f"^{re.escape(message)}$"):
        error_calls(torch)[key]()
