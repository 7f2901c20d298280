"""``torch.linalg.tensorinv`` / ``tensorsolve`` (real and complex): the defining identities
(``tensordot`` with the input), PyTorch 2.13's node names and messages (checked against it
when written), and gradcheck through the compositions."""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad as torch
from jitgrad.autograd import gradcheck

RNG = np.random.default_rng(11)


def _random(shape: tuple[int, ...], complex_: bool) -> np.ndarray:
    a = RNG.standard_normal(shape)
    return a + 1j * RNG.standard_normal(shape) if complex_ else a


@pytest.mark.parametrize("complex_", [False, True], ids=["real", "complex"])
def test_tensorinv_inverts_under_tensordot(complex_: bool) -> None:
    a = _random((4, 6, 8, 3), complex_)
    x = torch.linalg.tensorinv(torch.tensor(a, requires_grad=True), ind=2)
    assert tuple(x.shape) == (8, 3, 4, 6)
    assert x.grad_fn.name() == "ReshapeAliasBackward0"
    assert x.grad_fn.next_functions[0][0].name() == "LinalgInvExBackward0"
    product = np.tensordot(x.detach().numpy(), a, 2)  # (8, 3) x (8, 3) identity
    np.testing.assert_allclose(product.reshape(24, 24), np.eye(24), atol=1e-9)


@pytest.mark.parametrize("complex_", [False, True], ids=["real", "complex"])
def test_tensorsolve_solves_under_tensordot(complex_: bool) -> None:
    a, b = _random((6, 2, 3), complex_), _random((2, 3), complex_)
    x = torch.linalg.tensorsolve(torch.tensor(a, requires_grad=True), torch.tensor(b), dims=(0,))
    assert tuple(x.shape) == (6,)
    assert x.grad_fn.name() == "ViewBackward0"
    assert x.grad_fn.next_functions[0][0].name() == "LinalgSolveExBackward0"
    moved = np.moveaxis(a, 0, -1)  # dims go to the end: (2, 3, 6)
    np.testing.assert_allclose(np.tensordot(moved, x.detach().numpy(), 1), b, atol=1e-12)


@pytest.mark.parametrize("complex_", [False, True], ids=["real", "complex"])
def test_gradcheck(complex_: bool) -> None:
    a = torch.tensor(_random((2, 3, 6), complex_), requires_grad=True)
    b = torch.tensor(_random((2, 3), complex_), requires_grad=True)
    assert gradcheck(lambda t: torch.linalg.tensorinv(t, ind=2), (a,))
    assert gradcheck(torch.linalg.tensorsolve, (a, b))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: torch.linalg.tensorinv(torch.zeros(2, 3, 6), ind=0),
            "Expected a strictly positive integer for 'ind', but got 0",
        ),
        (
            lambda: torch.linalg.tensorinv(torch.zeros(2, 3, 4, 6), ind=1),
            "Expected self to satisfy the requirement prod(self.shape[ind:]) == "
            "prod(self.shape[:ind]), but got 72 != 2",
        ),
        (
            lambda: torch.linalg.tensorsolve(torch.zeros(2, 3, 6), torch.zeros(2, 2)),
            "Expected self to satisfy the requirement prod(self.shape[other.ndim:]) == "
            "prod(self.shape[:other.ndim]), but got 6 != 4",
        ),
        (
            lambda: torch.linalg.tensorinv(torch.zeros(2, 2), 1),
            "inv: The diagonal element 1 is zero, the inversion could not be completed because "
            "the input matrix is singular.",
        ),
    ],
    ids=["ind_zero", "inv_shape", "solve_shape", "singular"],
)
def test_errors_are_pytorchs(call, message: str) -> None:
    with pytest.raises(RuntimeError) as err:
        call()
    assert str(err.value) == message
