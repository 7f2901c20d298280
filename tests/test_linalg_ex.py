"""``linalg.cholesky_ex`` / ``inv_ex`` / ``solve_ex`` return LAPACK's ``info``, as PyTorch 2.13.

Expected factors, infos and messages are the literals PyTorch 2.13.0 (CPU) printed for the same
calls. A singular matrix's inv/solve values are LAPACK's non-finite leftovers in PyTorch and
NaN in jitgrad (documented in jitgrad/frontend/linalg_ex.py): only their info is compared.
"""

import numpy as np
import pytest

import jitgrad as torch

F64 = torch.float64
NOT_PD = [[4.0, 2.0, 1.0], [2.0, 1.0, 3.0], [1.0, 3.0, 2.0]]
SINGULAR = [[1.0, 2.0], [2.0, 4.0]]
SINGULAR3 = [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]]


def test_cholesky_ex_not_positive_definite_returns_partial_factor_and_info():
    L, info = torch.linalg.cholesky_ex(torch.tensor(NOT_PD, dtype=F64))
    assert L.tolist() == [[2.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.5, 3.0, 2.0]]
    assert info.dtype == torch.int32 and info.item() == 2 and info.shape == ()
    U, info = torch.linalg.cholesky_ex(torch.tensor(NOT_PD, dtype=F64), upper=True)
    assert U.tolist() == [[2.0, 1.0, 0.5], [0.0, 0.0, 3.0], [0.0, 0.0, 2.0]]
    assert info.item() == 2


def test_cholesky_ex_batch_infos():
    B = torch.tensor(
        [[[4.0, 2.0], [2.0, 3.0]], [[1.0, 2.0], [2.0, 1.0]], [[-1.0, 0.0], [0.0, 1.0]]],
        dtype=F64,
    )
    L, info = torch.linalg.cholesky_ex(B)
    np.testing.assert_allclose(
        L.numpy(),
        [
            [[2.0, 0.0], [1.0, 1.4142135623730951]],
            [[1.0, 0.0], [2.0, -3.0]],
            [[-1.0, 0.0], [0.0, 1.0]],
        ],
        rtol=1e-15,
    )
    assert info.tolist() == [0, 2, 1]
    z = torch.zeros(3, 3, dtype=F64)
    z[0, 0] = 1
    L, info = torch.linalg.cholesky_ex(z)
    assert L.tolist() == [[1.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]] and info.item() == 2


def test_ex_success_is_the_ordinary_op_with_zero_info():
    A = torch.tensor([[4.0, 2.0], [2.0, 3.0]], dtype=F64, requires_grad=True)
    L, info = torch.linalg.cholesky_ex(A)
    assert info.item() == 0 and type(L.grad_fn).__name__ == "LinalgCholeskyExBackward0"
    Ai, info = torch.linalg.inv_ex(torch.tensor([[2.0, 0.0], [0.0, 4.0]]))
    assert Ai.tolist() == [[0.5, 0.0], [0.0, 0.25]] and info.item() == 0
    assert info.dtype == torch.int32
    X, info = torch.linalg.solve_ex(torch.eye(2), torch.ones(2))
    assert X.tolist() == [1.0, 1.0] and info.item() == 0


@pytest.mark.parametrize(("a", "info"), [(SINGULAR, 2), (SINGULAR3, 3)])
def test_inv_ex_and_solve_ex_singular_info(a, info):
    A = torch.tensor(a, dtype=F64)
    Ai, got = torch.linalg.inv_ex(A)
    assert got.item() == info and Ai.shape == A.shape and not torch.isfinite(Ai).all()
    X, got = torch.linalg.solve_ex(A, torch.ones(len(a), dtype=F64))
    assert got.item() == info and X.shape == (len(a),) and not torch.isfinite(X).all()


def test_ex_batch_with_one_singular_matrix():
    B = torch.stack([torch.eye(2, dtype=F64), torch.tensor(SINGULAR, dtype=F64)])
    Ai, info = torch.linalg.inv_ex(B)
    assert info.tolist() == [0, 2] and Ai[0].tolist() == [[1.0, 0.0], [0.0, 1.0]]
    X, info = torch.linalg.solve_ex(B, torch.ones(2, 2, dtype=F64))
    assert info.tolist() == [0, 2] and X[0].tolist() == [1.0, 1.0]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda B: torch.linalg.inv_ex(B, check_errors=True),
            "linalg.inv_ex: (Batch element 1): The diagonal element 2 is zero, the inversion "
            "could not be completed because the input matrix is singular.",
        ),
        (
            lambda B: torch.linalg.solve_ex(B, torch.ones(2, 2, dtype=F64), check_errors=True),
            "torch.linalg.solve_ex: (Batch element 1): The solver failed because the input "
            "matrix is singular.",
        ),
        (
            lambda B: torch.linalg.cholesky_ex(B, check_errors=True),
            "linalg.cholesky_ex: (Batch element 1): The factorization could not be completed "
            "because the input is not positive-definite (the leading minor of order 2 is not "
            "positive-definite).",
        ),
    ],
)
def test_ex_check_errors_messages(call, message):
    B = torch.stack([torch.eye(2, dtype=F64), torch.tensor(SINGULAR, dtype=F64)])
    with pytest.raises(torch.linalg.LinAlgError) as info:
        call(B)
    assert str(info.value) == message
