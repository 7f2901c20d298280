"""``torch.linalg.tensorinv`` / ``tensorsolve``: the inverse and the solve of a tensor read as a
matrix (its leading dimensions the rows, the rest the columns).

PyTorch's own compositions, so the graphs show its nodes: ``tensorinv`` reshapes, inverts
(``LinalgInvExBackward0``) and reshapes back (``ReshapeAliasBackward0``: PyTorch's inverse
is column-major, so its reshape is an alias; here a recorded copy under that name);
``tensorsolve`` moves ``dims`` to the end, reshapes, solves (``LinalgSolveExBackward0``) and
views the solution (``ViewBackward0``). Real and complex alike.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from . import movement as M
from .linalg import _view
from .linalg_decomp import LinAlgError, inv, solve
from .tensor import Tensor


def tensorinv(A: Tensor, ind: int = 2) -> Tensor:  # noqa: N803 - PyTorch's names
    """``X`` with ``tensordot(X, A, ind)`` the identity: shape ``A.shape[ind:] +
    A.shape[:ind]``."""
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    start, end = tuple(A.shape[:ind]), tuple(A.shape[ind:])
    rows, cols = math.prod(start), math.prod(end)
    if rows != cols:
        raise RuntimeError(
            "Expected self to satisfy the requirement prod(self.shape[ind:]) == "
            f"prod(self.shape[:ind]), but got {cols} != {rows}"
        )
    try:
        inverse = inv(M.reshape(A, (cols, cols)))
    except LinAlgError as err:  # PyTorch's message names at::inverse here, not linalg.inv
        raise type(err)(str(err).replace("linalg.inv: ", "inv: ", 1)) from None
    return _view(inverse, end + start, "ReshapeAliasBackward0")


def tensorsolve(
    A: Tensor,  # noqa: N803
    B: Tensor,  # noqa: N803
    dims: Sequence[int] | None = None,
) -> Tensor:
    """``X`` with ``tensordot(A, X, X.ndim) == B``: ``A``'s dimensions ``dims`` (moved to the
    end first) and the ones after ``B.ndim`` are ``X``'s."""
    if dims is not None:
        nd = A.dim()
        dims = list(dims)
        A = M.movedim(A, dims, list(range(nd - len(dims), nd)))  # noqa: N806
    result_shape = tuple(A.shape[B.dim() :])
    rows, cols = math.prod(B.shape), math.prod(result_shape)
    if rows != cols:
        raise RuntimeError(
            "Expected self to satisfy the requirement prod(self.shape[other.ndim:]) == "
            f"prod(self.shape[:other.ndim]), but got {cols} != {rows}"
        )
    x = solve(M.reshape(A, (rows, cols)), M.reshape(B, (rows,)))
    return M.reshape(x, result_shape)


__all__ = ["tensorinv", "tensorsolve"]
