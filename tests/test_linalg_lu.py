"""The LU family (``torch.linalg.lu_factor``/``lu_factor_ex``/``lu``/``lu_solve``,
``torch.lu_unpack`` and the deprecated ``torch.lu``/``torch.lu_solve``) against PyTorch 2.13's
recorded factors, pivots, infos, solutions, gradients, reprs and messages
(tests/fixtures/lu_torch.json, from tests/fixtures/make_lu_torch.py), plus gradcheck in float64.
"""

from __future__ import annotations

import json
import math
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

import jitgrad as torch
from jitgrad.autograd import gradcheck
from tests.lu_cases import A3, MATRICES, error_calls, weights

DATA = json.loads((Path(__file__).parent / "fixtures" / "lu_torch.json").read_text())
CASES = DATA["cases"]


def _dtype(name: str):
    return torch.float64 if name.endswith("float64") else torch.float32


def _tol(name: str) -> float:
    return 1e-12 if name.endswith("float64") else 1e-5


@pytest.mark.parametrize("name", sorted(CASES))
def test_factors_pivots_and_info_match_pytorch(name: str) -> None:
    case, dt, tol = CASES[name], _dtype(name), _tol(name)
    A = torch.tensor(_input(name), dtype=dt)
    LU, piv, info = torch.linalg.lu_factor_ex(A)
    assert LU.dtype is dt and piv.dtype is torch.int32 and info.dtype is torch.int32
    assert piv.tolist() == case["pivots"] and info.tolist() == case["info"]
    np.testing.assert_allclose(LU.numpy(), case["LU"], rtol=tol, atol=tol)
    P, L, U = torch.linalg.lu(A)
    for got, key in ((P, "P"), (L, "L"), (U, "U")):
        np.testing.assert_allclose(got.numpy(), case[key], rtol=tol, atol=tol)
    P2, L2, U2 = torch.lu_unpack(LU, piv)
    assert P2.tolist() == P.tolist() and L2.tolist() == L.tolist() and U2.tolist() == U.tolist()


def _input(name: str) -> list:
    """The matrix a recorded case factored (the recorder's MATRICES, by case name)."""
    return MATRICES[name.rsplit("_", 1)[0]]


@pytest.mark.parametrize("name", sorted(n for n in CASES if "grad_factor" in CASES[n]))
def test_factor_and_lu_gradients_match_pytorch(name: str) -> None:
    case, dt = CASES[name], _dtype(name)
    tol = 1e-10 if dt is torch.float64 else 2e-4
    A = torch.tensor(_input(name), dtype=dt, requires_grad=True)
    LU, _ = torch.linalg.lu_factor(A)
    assert LU.grad_fn.name() == case["node_factor"] == "LinalgLuFactorExBackward0"
    (LU * weights(torch, LU.shape, dt)).sum().backward()
    np.testing.assert_allclose(A.grad.numpy(), case["grad_factor"], rtol=tol, atol=tol)
    A.grad = None
    P, L, U = torch.linalg.lu(A)
    assert L.grad_fn.name() == case["node_lu"] == "LinalgLuBackward0" and P.grad_fn is None
    ((L * weights(torch, L.shape, dt)).sum() + (U**2 * 0.5).sum()).backward()
    np.testing.assert_allclose(A.grad.numpy(), case["grad_lu"], rtol=tol, atol=tol)


@pytest.mark.parametrize("name", sorted(n for n in CASES if "B" in CASES[n]))
@pytest.mark.parametrize(("left", "adjoint"), [(1, 0), (1, 1), (0, 0), (0, 1)])
def test_lu_solve_values_and_gradients_match_pytorch(name: str, left: int, adjoint: int) -> None:
    case, dt = CASES[name], _dtype(name)
    tol = 1e-10 if dt is torch.float64 else 2e-4
    want = case[f"solve_{left}{adjoint}"]
    LU, piv = torch.linalg.lu_factor(torch.tensor(_input(name), dtype=dt))
    LU.requires_grad_()
    B = torch.tensor(case["B"], dtype=dt, requires_grad=True)
    X = torch.linalg.lu_solve(LU, piv, B if left else B.mT, left=bool(left), adjoint=bool(adjoint))
    assert X.grad_fn.name() == want["node"] == "LinalgLuSolveBackward0"
    np.testing.assert_allclose(X.detach().numpy(), want["X"], rtol=tol, atol=tol)
    (X * weights(torch, X.shape, dt)).sum().backward()
    np.testing.assert_allclose(LU.grad.numpy(), want["gLU"], rtol=tol, atol=tol)
    np.testing.assert_allclose(B.grad.numpy(), want["gB"], rtol=tol, atol=tol)


@pytest.mark.parametrize("shape", [(3, 3), (2, 3, 3), (2, 5), (5, 2), (2, 2, 4), (1, 4, 3)])
def test_gradcheck_factor_lu_unpack(shape) -> None:
    gen = np.random.default_rng(sum(shape))
    A = torch.tensor(gen.standard_normal(shape), requires_grad=True)
    assert gradcheck(lambda a: torch.linalg.lu_factor(a).LU, (A,))
    assert gradcheck(lambda a: torch.linalg.lu(a)[1:], (A,))
    assert gradcheck(lambda a: torch.linalg.lu(a).U, (A,))  # L's gradient not asked for
    assert gradcheck(lambda a: torch.linalg.lu(a).L, (A,))
    piv = torch.linalg.lu_factor(A.detach()).pivots
    assert gradcheck(lambda a: torch.lu_unpack(a, piv)[1:], (A,))


@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("adjoint", [False, True])
def test_gradcheck_lu_solve_broadcast(left: bool, adjoint: bool) -> None:
    gen = np.random.default_rng(3)
    LU, piv = torch.linalg.lu_factor(torch.tensor(gen.standard_normal((2, 3, 3))))
    LU.requires_grad_()
    B = torch.tensor(gen.standard_normal((3, 2) if left else (2, 3)), requires_grad=True)
    assert gradcheck(
        lambda lu, b: torch.linalg.lu_solve(lu, piv, b, left=left, adjoint=adjoint), (LU, B)
    )


def test_solution_solves_the_system_batched_and_empty() -> None:
    gen = np.random.default_rng(0)
    a, b = gen.standard_normal((4, 5, 5)), gen.standard_normal((4, 5, 2))
    X = torch.linalg.lu_solve(*torch.linalg.lu_factor(torch.tensor(a)), torch.tensor(b))
    np.testing.assert_allclose(X.numpy(), np.linalg.solve(a, b), rtol=1e-10, atol=1e-10)
    assert [list(t.shape) for t in torch.linalg.lu(torch.ones(0, 3, 2))] == DATA[
        "empty_lu_shapes"]
    LU, piv = torch.linalg.lu_factor(torch.ones(0, 3, 3))
    assert LU.shape == (0, 3, 3) and piv.shape == (0, 3) and piv.dtype is torch.int32


def test_complex_factor_matches_pytorch() -> None:
    LU = torch.linalg.lu_factor(torch.tensor([[1, 2], [3, 4j]], dtype=torch.complex128)).LU
    want = np.asarray(DATA["complex_LU"])
    np.testing.assert_allclose(LU.numpy(), want[..., 0] + 1j * want[..., 1], rtol=1e-12)


def test_reprs_and_result_types() -> None:
    A = torch.tensor(A3, dtype=torch.float64)

    def same(got: str, want: str) -> None:
        assert got == want.replace("torch.float64", "jitgrad.float64").replace(
            "torch.int32", "jitgrad.int32")
    same(repr(torch.linalg.lu_factor(A)), DATA["repr_factor"])
    same(repr(torch.linalg.lu_factor_ex(A)), DATA["repr_factor_ex"])
    same(repr(torch.linalg.lu(A)), DATA["repr_lu"])
    same(repr(torch.lu_unpack(*torch.linalg.lu_factor(A))), DATA["repr_unpack"])
    assert [list(t.shape) for t in torch.lu_unpack(
        *torch.linalg.lu_factor(A), unpack_data=False)] == DATA["unpack_parts"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        old = torch.lu(A)
        same(repr(torch.lu(A, get_infos=True)), DATA["repr_lu_info"])
        assert type(old).__name__ == DATA["lu_type"]
        assert old[0].tolist() == A.lu()[0].tolist()
        x = torch.lu_solve(torch.ones(3, 1, dtype=A.dtype), *old)
        np.testing.assert_allclose(x.numpy(), DATA["lu_solve_old"], atol=1e-12)
        np.testing.assert_allclose(torch.ones(3, 1, dtype=A.dtype).lu_solve(*old).numpy(),
                                   DATA["lu_solve_old"], atol=1e-12)


def test_deprecation_warnings_are_pytorchs() -> None:
    from jitgrad.frontend import linalg_decomp  # its warn_once, shared by the linalg modules

    linalg_decomp._WARNED.clear()
    A = torch.tensor(A3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        LU, piv = torch.lu(A)
        torch.lu_solve(torch.ones(3, 1), LU, piv)
        torch.lu(A)  # once a process, as TORCH_WARN_ONCE
    assert [str(w.message) for w in caught] == DATA["warnings"]


KINDS = {"RuntimeError": RuntimeError, "TypeError": TypeError,
         "NotImplementedError": NotImplementedError}


@pytest.mark.parametrize("key", sorted(DATA["errors"]))
def test_bad_input_raises_pytorchs_error(key: str) -> None:
    kind, message = DATA["errors"][key]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(KINDS[kind], match=f"^{re.escape(message)}$"):
            error_calls(torch)[key]()


def test_singular_ex_keeps_lapacks_factors() -> None:
    # info is the first zero pivot (1-based); the factorization goes on past it
    LU, piv, info = torch.linalg.lu_factor_ex(torch.tensor([[0.0, 0.0], [0.0, 0.0]]))
    assert LU.tolist() == [[0.0, 0.0], [0.0, 0.0]] and piv.tolist() == [1, 2]
    assert info.tolist() == 1
    P, L, U = torch.linalg.lu(torch.tensor([[1.0, 2.0], [2.0, 4.0]]))  # never raises
    assert U.tolist() == [[2.0, 4.0], [0.0, 0.0]]


def test_complex_gradcheck_factor_and_solve() -> None:
    gen = np.random.default_rng(8)
    z = torch.tensor(gen.standard_normal((3, 3)) + 1j * gen.standard_normal((3, 3)),
                     requires_grad=True)
    assert gradcheck(lambda x: torch.linalg.lu(x)[1:], (z,))
    assert gradcheck(lambda x: torch.linalg.lu_factor(x).LU, (z,))
    LU, piv = torch.linalg.lu_factor(z.detach())
    LU.requires_grad_()
    b = torch.tensor(gen.standard_normal((3, 2)) + 1j * gen.standard_normal((3, 2)),
                     requires_grad=True)
    for adj in (False, True):
        assert gradcheck(lambda lu, x, a=adj: torch.linalg.lu_solve(lu, piv, x, adjoint=a),
                         (LU, b))
        assert gradcheck(
            lambda lu, x, a=adj: torch.linalg.lu_solve(lu, piv, x.mT, left=False, adjoint=a),
            (LU, b),
        )


def test_non_contiguous_input_and_nan() -> None:
    a = torch.tensor(np.random.default_rng(9).standard_normal((4, 4))).mT
    P, L, U = torch.linalg.lu(a)
    np.testing.assert_allclose((P @ L @ U).numpy(), a.numpy(), atol=1e-12)
    LU, piv, info = torch.linalg.lu_factor_ex(torch.tensor([[1.0, float("nan")], [2.0, 3.0]]))
    # PyTorch 2.13: the NaN propagates into U, no error and info 0
    assert piv.tolist() == [2, 2] and info.item() == 0 and LU[0].tolist() == [2.0, 3.0]
    assert LU[1, 0].item() == 0.5 and math.isnan(LU[1, 1].item())
