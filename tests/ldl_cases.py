"""One table for ``torch.linalg.ldl_factor``/``ldl_factor_ex``/``ldl_solve``, read by the
recorder (tests/fixtures/make_ldl_torch.py, real PyTorch) and by tests/test_linalg_ldl.py
(jitgrad): symmetric matrices (some that need 2x2 pivots), right-hand sides, and the bad
calls whose exception PyTorch's is recorded; built with the module given (``T``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

A3 = [[4.0, 1.0, 2.0], [1.0, -3.0, 0.5], [2.0, 0.5, 2.0]]


def _symmetric(n: int, seed: int, batch: tuple = (), small_diag: float = 0.01) -> list:
    """A random symmetric matrix (batch) whose small diagonal forces 2x2 pivots."""
    m = np.random.default_rng(seed).standard_normal(batch + (n, n))
    m = m + np.swapaxes(m, -1, -2)
    idx = np.arange(n)
    m[..., idx, idx] *= small_diag
    return m.tolist()


MATRICES = {
    "diag_pivots3": A3,
    "two_by_two3": [[0.0, 1.0, 2.0], [1.0, 0.0, 3.0], [2.0, 3.0, 0.0]],
    "random6": _symmetric(6, 0),
    "random9": _symmetric(9, 1),
    "batch2x5": _symmetric(5, 2, (2,), 0.3),
}


def rhs(name: str) -> list:
    """A right-hand side for the matrix ``name``: its batch, n rows, two columns."""
    shape = np.asarray(MATRICES[name]).shape
    return np.random.default_rng(7).standard_normal(shape[:-1] + (2,)).tolist()


def error_calls(T: Any) -> dict[str, Callable[[], Any]]:
    A = T.tensor(A3, dtype=T.float64)
    LD, piv = T.linalg.ldl_factor(A)
    b = T.ones(3, 1, dtype=T.float64)
    return {
        "factor_zero": lambda: T.linalg.ldl_factor(T.zeros(2, 2)),
        "factor_zero_batch": lambda: T.linalg.ldl_factor(T.stack([T.eye(2), T.zeros(2, 2)])),
        "factor_ex_check": lambda: T.linalg.ldl_factor_ex(T.zeros(2, 2), check_errors=True),
        "factor_1d": lambda: T.linalg.ldl_factor(T.ones(3)),
        "factor_not_square": lambda: T.linalg.ldl_factor(T.ones(2, 3)),
        "factor_long": lambda: T.linalg.ldl_factor(T.ones(2, 2, dtype=T.int64)),
        "factor_half": lambda: T.linalg.ldl_factor(T.ones(3, 3, dtype=T.float16)),
        "factor_list": lambda: T.linalg.ldl_factor([[1.0]]),
        "solve_1d_b": lambda: T.linalg.ldl_solve(LD, piv, T.ones(3, dtype=T.float64)),
        "solve_not_square": lambda: T.linalg.ldl_solve(LD[:, :2], piv, b),
        "solve_npivots": lambda: T.linalg.ldl_solve(LD, piv[:2], b),
        "solve_float_pivots": lambda: T.linalg.ldl_solve(LD, piv.float(), b),
        "solve_dtype": lambda: T.linalg.ldl_solve(LD, piv, T.ones(3, 1)),
        "solve_rows": lambda: T.linalg.ldl_solve(LD, piv, T.ones(2, 1, dtype=T.float64)),
        "solve_list": lambda: T.linalg.ldl_solve(LD, [1], b),
        "factor_backward": lambda: T.linalg.ldl_factor(
            A.clone().requires_grad_()).LD.sum().backward(),
        "solve_backward": lambda: T.linalg.ldl_solve(
            LD.clone().requires_grad_(), piv, b).sum().backward(),
    }
