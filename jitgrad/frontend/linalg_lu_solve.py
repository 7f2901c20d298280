"""``torch.linalg.lu_solve`` and the deprecated ``torch.lu`` / ``torch.lu_solve`` (and their
Tensor methods): solving with the packed LU factors of ``linalg.lu_factor``.

``A = P L U``; ``left``/``adjoint`` pick the equation: ``A X = B``, ``A^H X = B``,
``X A = B`` or ``X A^H = B``. The forward runs two triangular solves in numpy; the backward
(``LinalgLuSolveBackward0``) is written with Tensor ops: ``gB`` is ``lu_solve`` of the
adjoint equation, and the gradient of ``A`` that solve implies is carried onto the packed
factors through ``A = P L U`` (``gL = tril(P^T gA U^H, -1)``, ``gU = triu(L^H P^T gA)``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes as D
from ..ops.return_types import named_result
from . import argcheck as AC
from .checks import DTYPE_WORDS
from .linalg import matmul
from .linalg_decomp import check_matrix, warn_once
from .linalg_extra import _trisolve
from .linalg_lu import check_lu_input, factor_ex, lu_unpack, mH, permutation
from .pointwise import sum_to_shape
from .recording import ResultBackward, record
from .structure import tril, triu
from .tensor import Tensor

LuWithInfo = named_result("_lu_with_info", ("LU", "pivots", "info"))


def _check(LU: Any, pivots: Any, B: Any, left: bool) -> None:  # noqa: N803
    """PyTorch's checks of ``linalg.lu_solve``'s arguments, in its order."""
    for i, (name, t) in enumerate((("LU", LU), ("pivots", pivots), ("B", B))):
        if not isinstance(t, Tensor):
            raise AC.must_be("linalg_lu_solve", name, i + 1, "Tensor", t)
    check_matrix("torch.linalg.lu_solve", LU)
    if pivots._dtype is not D.int32:
        raise RuntimeError("linalg.lu_solve: pivots should be a Tensor of scalar type torch.int32")
    if LU._dtype is not B._dtype:
        raise RuntimeError(
            "linalg.lu_solve: Expected LU and B to have the same dtype, but found LU of type "
            f"{DTYPE_WORDS[LU._dtype.name]} and B of type {DTYPE_WORDS[B._dtype.name]} instead"
        )
    if B.dim() < 2:
        raise RuntimeError("linalg.lu_solve: The input tensor B must have at least 2 dimensions.")
    n = LU.shape[-1]
    if (B.shape[-2] if left else B.shape[-1]) != n:
        raise RuntimeError(
            "linalg.lu_solve: Incompatible shapes of A and B for the equation "
            f"{'AX = B' if left else 'XA = B'} ({n}x{n} and {B.shape[-2]}x{B.shape[-1]})"
        )
    if pivots.dim() < 1 or pivots.shape[-1] != n:
        raise RuntimeError(
            "linalg.lu_solve: Number of pivots per batch should be same as the dimension of "
            "the matrix"
        )
    if tuple(pivots.shape) != tuple(LU.shape[:-1]):
        raise RuntimeError(
            "linalg.lu_solve: Expected LU.shape[:-1] and pivots.shape to be the same, but got "
            f"pivots with shape {list(pivots.shape)} instead"
        )


def _h(a: np.ndarray) -> np.ndarray:
    return np.conj(np.swapaxes(a, -1, -2))


def _solve(lu: np.ndarray, piv: np.ndarray, b: np.ndarray, adjoint: bool) -> np.ndarray:
    """``A^-1 b`` (``A^-H b`` for ``adjoint``) with ``A = P L U`` packed in ``lu``."""
    n = lu.shape[-1]
    low = np.tril(lu, -1)
    low[..., np.arange(n), np.arange(n)] = 1
    up = np.triu(lu)
    P = permutation(piv, n, lu.dtype)  # noqa: N806
    with np.errstate(all="ignore"):
        if not adjoint:  # U^-1 L^-1 P^T b
            return _trisolve(up, _trisolve(low, np.swapaxes(P, -1, -2) @ b))
        return P @ _trisolve(_h(low), _trisolve(_h(up), b))  # P L^-H U^-H b


def lu_solve(
    LU: Tensor,  # noqa: N803 - PyTorch's names
    pivots: Tensor,
    B: Tensor,  # noqa: N803
    *,
    left: bool = True,
    adjoint: bool = False,
) -> Tensor:
    """``X`` solving ``op(A) X = B`` (``X op(A) = B`` for ``left=False``) with ``op(A)`` = A,
    or ``A^H`` for ``adjoint``, given ``A``'s ``lu_factor`` result."""
    _check(LU, pivots, B, left)
    lu, piv, b = LU._value, pivots._value, B._value
    if left:
        value = _solve(lu, piv, b, adjoint)
    else:  # X op(A) = B is op(A)^H X^H = B^H
        value = _h(_solve(lu, piv, _h(b), not adjoint))
    value = value.astype(lu.dtype, copy=False)

    def backward(g: Tensor, X: Tensor) -> tuple[Tensor | None, None, Tensor | None]:  # noqa: N803
        gB = lu_solve(LU, pivots, g, left=left, adjoint=not adjoint)  # noqa: N806
        gLU = None  # noqa: N806
        if LU._requires_grad:
            if left:
                gA = -matmul(X, mH(gB)) if adjoint else -matmul(gB, mH(X))  # noqa: N806
            else:
                gA = -matmul(mH(gB), X) if adjoint else -matmul(mH(X), gB)  # noqa: N806
            P, L, U = lu_unpack(LU, pivots)  # noqa: N806
            PtgA = matmul(mH(P), gA)  # noqa: N806
            gLU = tril(matmul(PtgA, mH(U)), -1) + triu(matmul(mH(L), PtgA))  # noqa: N806
            gLU = sum_to_shape(gLU, tuple(LU.shape))  # noqa: N806
        gB = sum_to_shape(gB, tuple(B.shape)) if B._requires_grad else None  # noqa: N806
        return gLU, None, gB

    return record(
        "LinalgLuSolveBackward0", value, LU._dtype, (LU, pivots, B), backward, (LU,),
        ResultBackward,
    )


def lu_deprecated(A: Tensor, pivot: bool = True, get_infos: bool = False) -> tuple:  # noqa: N803
    """``torch.lu`` (deprecated): ``(LU, pivots)`` or, with ``get_infos``, ``(LU, pivots,
    info)``: a singular matrix never raises here."""
    warn_once(
        "torch.lu is deprecated in favor of torch.linalg.lu_factor / torch.linalg.lu_factor_ex "
        "and will be removed in a future PyTorch release.\nLU, pivots = torch.lu(A, "
        "compute_pivots)\nshould be replaced with\nLU, pivots = torch.linalg.lu_factor(A, "
        "compute_pivots)\nand\nLU, pivots, info = torch.lu(A, compute_pivots, get_infos=True)"
        "\nshould be replaced with\nLU, pivots, info = torch.linalg.lu_factor_ex(A, "
        "compute_pivots)"
    )
    check_lu_input("torch.lu_factor", "_lu_with_info", A, pivot)
    LU, piv, info = factor_ex(A, False)  # noqa: N806
    return LuWithInfo(LU, piv, info) if get_infos else (LU, piv)


def lu_solve_deprecated(b: Tensor, LU_data: Tensor, LU_pivots: Tensor) -> Tensor:  # noqa: N803
    """``torch.lu_solve(b, LU_data, LU_pivots)`` (deprecated; its arguments reversed)."""
    warn_once(
        "torch.lu_solve is deprecated in favor of torch.linalg.lu_solveand will be removed in a "
        "future PyTorch release.\nNote that torch.linalg.lu_solve has its arguments reversed."
        "\nX = torch.lu_solve(B, LU, pivots)\nshould be replaced with\nX = "
        "torch.linalg.lu_solve(LU, pivots, B)"
    )
    return lu_solve(LU_data, LU_pivots, b)


#: ``Tensor.lu`` / ``Tensor.lu_solve``, bound by jitgrad.methods.bind().
METHODS: dict[str, Any] = {"lu": lu_deprecated, "lu_solve": lu_solve_deprecated}

#: ``torch.lu``, ``torch.lu_solve`` (deprecated) and ``torch.lu_unpack``.
TOP_LEVEL: dict[str, Any] = {**METHODS, "lu_unpack": lu_unpack}

__all__ = ["lu_solve"]
