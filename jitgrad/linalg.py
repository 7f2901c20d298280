"""``jitgrad.linalg``: PyTorch's ``torch.linalg``: norms (``norm``, ``vector_norm``,
``matrix_norm``), inverses and solves (``inv``, ``det``, ``slogdet``, ``solve``,
``cholesky``: frontend/linalg_decomp.py), factorizations (``eigh``, ``qr``, ``svd``,
``svdvals``: frontend/linalg_spectral.py) and the products it re-exports. Names PyTorch has and
jitgrad lacks say so when asked for."""

from __future__ import annotations

import math
from typing import Any

from .frontend import movement as M
from .frontend.linalg import matmul
from .frontend.linalg_decomp import LinAlgError, cholesky, det, inv, slogdet, solve
from .frontend.linalg_eig import eig, eigvals
from .frontend.linalg_ex import cholesky_ex, inv_ex, solve_ex
from .frontend.linalg_extra import linalg_diagonal as diagonal
from .frontend.linalg_extra import (
    lstsq,
    matrix_power,
    matrix_rank,
    multi_dot,
    pinv,
    solve_triangular,
    vecdot,
)
from .frontend.linalg_householder import householder_product
from .frontend.linalg_ldl import ldl_factor, ldl_factor_ex, ldl_solve
from .frontend.linalg_lu import lu, lu_factor, lu_factor_ex
from .frontend.linalg_lu_solve import lu_solve
from .frontend.linalg_more import linalg_cross as cross
from .frontend.linalg_more import matrix_exp, vander
from .frontend.linalg_norm import SVD_ORDS, check_dtype, check_matrix_norm, svd_norm
from .frontend.linalg_spectral import eigh, eigvalsh, qr, svd, svdvals
from .frontend.linalg_tensor import tensorinv, tensorsolve
from .frontend.reduce import amax, amin
from .frontend.reduce import norm as _vector_norm
from .frontend.tensor import Tensor
from .helpers import missing_attribute

_MATRIX_ORDS = ("fro", "nuc", math.inf, -math.inf, 1, -1, 2, -2)


def vector_norm(
    x: Tensor,
    ord: float = 2,  # noqa: A002 - PyTorch's names
    dim: Any = None,
    keepdim: bool = False,
    *,
    dtype: Any = None,
) -> Tensor:
    """``(sum |x|^ord)^(1/ord)`` over ``dim`` (all elements by default)."""
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.vector_norm: ord must be a number, but got {ord}")
    check_dtype("linalg.vector_norm", x, dtype)
    return _vector_norm(x, ord, dim, keepdim, dtype=dtype)


def matrix_norm(
    A: Tensor,  # noqa: N803 - PyTorch's name
    ord: Any = "fro",  # noqa: A002
    dim: tuple[int, int] = (-2, -1),
    keepdim: bool = False,
    *,
    dtype: Any = None,
) -> Tensor:
    """Frobenius, or the max/min absolute column (ord 1/-1) or row (inf/-inf) sum, over the
    two dimensions ``dim``."""
    if ord not in _MATRIX_ORDS:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    rows, cols = check_matrix_norm(A, dim, dtype)
    if dtype is not None:
        A = A.to(dtype)
    if ord == "fro":
        return _vector_norm(A, 2, (rows, cols), keepdim)
    if ord in SVD_ORDS:
        return svd_norm(A, ord, rows, cols, keepdim)
    # PyTorch's composition: the 1-norms of the columns (of the rows for inf), then their
    # max/min (AmaxBackward0 over LinalgVectorNormBackward0)
    summed, picked = rows, cols
    if abs(ord) == math.inf:
        summed, picked = picked, summed
    if not keepdim and summed < picked:
        picked -= 1
    sums = _vector_norm(A, 1, summed, keepdim)
    return (amax if ord > 0 else amin)(sums, picked, keepdim=keepdim)


def norm(
    A: Tensor,  # noqa: N803
    ord: Any = None,  # noqa: A002
    dim: Any = None,
    keepdim: bool = False,
    *,
    dtype: Any = None,
) -> Tensor:
    """A vector norm (``dim`` an int, or a 1-D input) or a matrix norm (``dim`` a pair, or a
    2-D input with ``ord`` given); with neither, the 2-norm of all elements."""
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None and len(dim) == 2 or dim is None and ord is not None and A.dim() == 2:
        return matrix_norm(A, "fro" if ord is None else ord, dim or (-2, -1), keepdim, dtype=dtype)
    if dim is None and ord is not None and A.dim() != 1:
        raise RuntimeError(
            f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got "
            f"{A.dim()}D."
        )
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)


def cond(A: Tensor, p: Any = None) -> Tensor:  # noqa: N803
    """The condition number: largest over smallest singular value (``p`` None, 2; -2 the
    inverse ratio), else ``matrix_norm(A, p) * matrix_norm(inv(A), p)``."""
    if p is None or p in (2, -2):
        s = svdvals(A)
        hi, lo = M.narrow(s, -1, 0, 1), M.narrow(s, -1, s.shape[-1] - 1, 1)
        return M.squeeze(hi / lo if p != -2 else lo / hi, -1)
    return matrix_norm(A, p) * matrix_norm(inv(A), p)


__all__ = [
    "LinAlgError",
    "cholesky",
    "cholesky_ex",
    "cond",
    "cross",
    "det",
    "diagonal",
    "eig",
    "eigh",
    "eigvals",
    "eigvalsh",
    "householder_product",
    "inv",
    "inv_ex",
    "ldl_factor",
    "ldl_factor_ex",
    "ldl_solve",
    "lstsq",
    "lu",
    "lu_factor",
    "lu_factor_ex",
    "lu_solve",
    "matmul",
    "matrix_exp",
    "matrix_norm",
    "matrix_power",
    "matrix_rank",
    "multi_dot",
    "norm",
    "pinv",
    "qr",
    "slogdet",
    "solve",
    "solve_ex",
    "solve_triangular",
    "svd",
    "svdvals",
    "tensorinv",
    "tensorsolve",
    "vander",
    "vecdot",
    "vector_norm",
]

#: ``jitgrad.linalg.<name>`` for a torch.linalg function jitgrad lacks says so.
__getattr__ = missing_attribute("jitgrad.linalg")
del annotations, missing_attribute  # not PyTorch's names
