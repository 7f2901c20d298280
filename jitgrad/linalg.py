"""``jitgrad.linalg``: PyTorch's ``torch.linalg`` norms (``norm``, ``vector_norm``,
``matrix_norm``) and the products it re-exports. Decompositions (inv, solve, svd, qr ...)
are not implemented: asking for one says so."""

from __future__ import annotations

import math
from typing import Any

from .helpers import missing_attribute
from .ops import functions as F
from .ops.linalg import matmul
from .ops.reduce import amax, amin
from .ops.reduce import norm as _vector_norm
from .ops.reduce import sum as _sum
from .ops.structure import cross as _cross
from .tensor import Tensor

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
    if A.dim() < 2:
        raise RuntimeError(
            "linalg.matrix_norm: The input tensor A must have at least 2 dimensions."
        )
    if dtype is not None:
        A = A.to(dtype)
    if ord == "fro":
        return _vector_norm(A, 2, dim, keepdim)
    if ord not in _MATRIX_ORDS:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if ord in ("nuc", 2, -2):
        raise NotImplementedError(
            f"linalg.matrix_norm with ord={ord} needs singular values (not implemented in jitgrad)"
        )
    row, col = (d % A.dim() for d in dim)
    summed_dim, kept_dim = (row, col) if abs(ord) == 1 else (col, row)
    sums = _sum(F.abs(A), summed_dim, keepdim=True)
    pick = amax if ord > 0 else amin
    out = pick(sums, kept_dim, keepdim=True)
    if not keepdim:
        out = out.squeeze(max(row, col)).squeeze(min(row, col))
    return out


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


def cross(input: Tensor, other: Tensor, *, dim: int = -1) -> Tensor:  # noqa: A002
    """``torch.linalg.cross``: ``torch.cross`` with the last dimension by default."""
    return _cross(input, other, dim)


__all__ = ["cross", "matmul", "matrix_norm", "norm", "vector_norm"]

#: ``jitgrad.linalg.<name>`` for a torch.linalg function jitgrad lacks says so.
__getattr__ = missing_attribute("jitgrad.linalg")
