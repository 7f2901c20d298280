"""One table for the LU family, read by the recorder (tests/fixtures/make_lu_torch.py, real
PyTorch) and by tests/test_linalg_lu.py (jitgrad): the matrices factored, the right-hand
sides solved, the loss weights, and the bad calls whose exception PyTorch's is recorded;
each call is built with the module it is given (``torch`` or ``jitgrad``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

A3 = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 10.0]]

MATRICES = {
    "square3": A3,
    "batch2x3": [[[0.5, -1.2, 0.3], [0.7, 0.1, -0.4], [1.1, 0.2, 0.9]],
                 [[2.0, 1.0, 0.5], [0.0, -1.0, 0.25], [4.0, 0.5, 3.0]]],
    "wide2x4": [[0.3, -0.8, 1.5, 0.2], [1.7, 0.4, -0.6, 0.9]],
    "tall4x2": [[0.3, -0.8], [1.5, 0.2], [-1.7, 0.4], [-0.6, 0.9]],
    "singular": [[1.0, 2.0], [2.0, 4.0]],
    "zero_col": [[0.0, 1.0], [0.0, 0.0]],
    "ones4x2": [[1.0, 1.0]] * 4,
}
#: The shape of B solved against each of these matrices' factors.
RHS = {"square3": (3, 2), "batch2x3": (2, 3, 1)}


def weights(T: Any, shape: Any, dtype: Any) -> Any:
    """Fixed loss weights ``(arange % 5 - 2) / 3`` of a shape."""
    n = 1
    for s in shape:
        n *= s
    return (T.arange(n, dtype=dtype).reshape(tuple(shape)) % 5 - 2) / 3


def error_calls(T: Any) -> dict[str, Callable[[], Any]]:
    """Calls that raise, by name."""
    A = T.tensor(A3, dtype=T.float64)
    LU, piv = T.linalg.lu_factor(A)
    S = T.tensor([[1.0, 2.0], [2.0, 4.0]])
    b31 = T.ones(3, 1, dtype=A.dtype)
    return {
        "factor_singular": lambda: T.linalg.lu_factor(S),
        "factor_singular_batch": lambda: T.linalg.lu_factor(T.stack([T.eye(2), S])),
        "factor_ex_check": lambda: T.linalg.lu_factor_ex(S, check_errors=True),
        "factor_no_pivot": lambda: T.linalg.lu_factor(A, pivot=False),
        "lu_no_pivot": lambda: T.linalg.lu(A, pivot=False),
        "factor_1d": lambda: T.linalg.lu_factor(T.ones(3)),
        "lu_1d": lambda: T.linalg.lu(T.ones(3)),
        "factor_long": lambda: T.linalg.lu_factor(T.ones(3, 3, dtype=T.int64)),
        "factor_half": lambda: T.linalg.lu_factor(T.ones(3, 3, dtype=T.float16)),
        "factor_list": lambda: T.linalg.lu_factor([[1.0]]),
        "solve_shapes": lambda: T.linalg.lu_solve(LU, piv, T.ones(2, 1, dtype=A.dtype)),
        "solve_shapes_right": lambda: T.linalg.lu_solve(
            LU, piv, T.ones(1, 2, dtype=A.dtype), left=False),
        "solve_dtype": lambda: T.linalg.lu_solve(LU, piv, T.ones(3, 1)),
        "solve_pivot_dtype": lambda: T.linalg.lu_solve(LU, piv.long(), b31),
        "solve_not_square": lambda: T.linalg.lu_solve(LU[:, :2], piv, b31),
        "solve_1d_b": lambda: T.linalg.lu_solve(LU, piv, T.ones(3, dtype=A.dtype)),
        "solve_npivots": lambda: T.linalg.lu_solve(LU, piv[:2], b31),
        "unpack_long": lambda: T.lu_unpack(LU, piv.long()),
        "unpack_1d": lambda: T.lu_unpack(LU[0], piv),
        "lu_deprecated_no_pivot": lambda: T.lu(A, pivot=False),
    }
