"""``linalg.solve`` and ``linalg.solve_triangular`` take complex matrices, as PyTorch's do:
values checked against numpy, gradients against central differences of a real loss
(PyTorch's convention for a complex input: dL/dRe + i dL/dIm)."""

import numpy as np
import pytest

import jitgrad as torch

RNG = np.random.default_rng(7)
A0 = RNG.standard_normal((3, 3)) + 1j * RNG.standard_normal((3, 3)) + 3 * np.eye(3)
B0 = RNG.standard_normal((3, 2)) + 1j * RNG.standard_normal((3, 2))
W = RNG.standard_normal((3, 2)) + 1j * RNG.standard_normal((3, 2))

SOLVES = {  # name: (jitgrad call, numpy reference), both on (A, B)
    "solve": (lambda A, B: torch.linalg.solve(A, B), lambda a, b: np.linalg.solve(a, b)),
    "solve_vector": (
        lambda A, B: torch.linalg.solve(A, B[:, 0]),
        lambda a, b: np.linalg.solve(a, b[:, 0]),
    ),
    "solve_right": (
        lambda A, B: torch.linalg.solve(A, B.mT, left=False).mT,
        lambda a, b: np.linalg.solve(a.T, b),
    ),
    "triangular_upper": (
        lambda A, B: torch.linalg.solve_triangular(A, B, upper=True),
        lambda a, b: np.linalg.solve(np.triu(a), b),
    ),
    "triangular_right": (
        lambda A, B: torch.linalg.solve_triangular(A, B.mT, upper=True, left=False).mT,
        lambda a, b: np.linalg.solve(np.triu(a).T, b),
    ),
    "triangular_unit": (
        lambda A, B: torch.linalg.solve_triangular(A, B, upper=False, unitriangular=True),
        lambda a, b: np.linalg.solve(np.tril(a, -1) + np.eye(3), b),
    ),
}


def _loss(x: np.ndarray) -> float:
    w = W[:, 0] if x.ndim == 1 else W
    return float((x * w).real.sum() + (np.abs(x) ** 2).sum())


def _numeric_grad(f, a: np.ndarray, b: np.ndarray, which: int) -> np.ndarray:
    args = [a, b]
    grad = np.zeros(args[which].shape, complex)
    h = 1e-6
    for idx in np.ndindex(grad.shape):
        for unit in (1, 1j):
            plus = [v.copy() for v in args]
            minus = [v.copy() for v in args]
            plus[which][idx] += h * unit
            minus[which][idx] -= h * unit
            grad[idx] += unit * (_loss(f(*plus)) - _loss(f(*minus))) / (2 * h)
    return grad


@pytest.mark.parametrize("name", sorted(SOLVES))
def test_complex_solve_values_and_gradients(name):
    fn, ref = SOLVES[name]
    A = torch.tensor(A0, requires_grad=True)
    B = torch.tensor(B0, requires_grad=True)
    X = fn(A, B)
    assert X.dtype == torch.complex128
    value = X.detach().resolve_conj().numpy()
    np.testing.assert_allclose(value, ref(A0, B0), rtol=1e-12, atol=1e-12)
    w = torch.tensor(W[:, 0] if X.dim() == 1 else W)
    ((X * w).real.sum() + (X.abs() ** 2).sum()).backward()
    for which, t in enumerate((A, B)):
        expected = _numeric_grad(ref, A0, B0, which)
        np.testing.assert_allclose(t.grad.resolve_conj().numpy(), expected, atol=1e-6)


def test_complex_solve_node_names():
    A = torch.tensor(A0, requires_grad=True)
    B = torch.tensor(B0)
    assert torch.linalg.solve(A, B).grad_fn.name() == "LinalgSolveExBackward0"
    X = torch.linalg.solve_triangular(A, B, upper=True)
    assert X.grad_fn.name() == "LinalgSolveTriangularBackward0"


def test_integer_matrix_still_refused():
    with pytest.raises(RuntimeError, match="Expected a floating point or complex tensor"):
        torch.linalg.solve(torch.ones(2, 2, dtype=torch.int64), torch.ones(2, 1))
