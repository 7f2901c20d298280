"""The rest of torch's everyday matrix functions: ``addmv``, ``addr``, ``addbmm`` (and their
in-place forms, with ``baddbmm_``), ``chain_matmul``, ``cholesky_solve``,
``cholesky_inverse``, ``matrix_exp``, ``linalg.vander``, ``linalg.cross``.

Each product is one node with PyTorch's name (``AddmvBackward0`` ...); backwards are
PyTorch's formulas as Tensor ops. ``matrix_exp`` is scaling and squaring of a Taylor series
(numpy has no ``expm``); its backward is PyTorch's block trick, the upper-right block of
``exp([[A^H, G], [0, A^H]])`` (^T for a real A), so it differentiates again.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autocast_state import STATE as AUTOCAST
from ..autocast_state import lower as autocast_lower
from . import argcheck as AC
from . import movement as M
from .conjugate import conj
from .inplace_result import written_into_self
from .linalg import bmm, matmul, mv, outer
from .linalg_addmm import add_product_backward, baddbmm, blend
from .linalg_decomp import check_matrix, mH, mT, warn_once
from .linalg_extra import multi_dot
from .pointwise import sum_to_shape
from .recording import ResultBackward, record
from .sorting import cumprod
from .structure import cross
from .tensor import Tensor, _make


def addmv(
    input: Tensor,  # noqa: A002 - PyTorch's names
    mat: Tensor,
    vec: Tensor,
    *,
    beta: float = 1,
    alpha: float = 1,
) -> Tensor:
    """``beta * input + alpha * (mat @ vec)`` (``AddmvBackward0``)."""
    AC.tensor_args("addmv", ("input", "mat", "vec"), (input, mat, vec))
    out = blend(input, mv(mat.detach(), vec.detach()), beta, alpha)

    backward = add_product_backward(
        input, mat, vec, beta, alpha, lambda g: outer(g, conj(vec)), lambda g: mv(mH(mat), g)
    )
    return record("AddmvBackward0", out, mat._dtype, (input, mat, vec), backward, (mat, vec))


def addr(
    input: Tensor,  # noqa: A002
    vec1: Tensor,
    vec2: Tensor,
    *,
    beta: float = 1,
    alpha: float = 1,
) -> Tensor:
    """``beta * input + alpha * outer(vec1, vec2)`` (``AddrBackward0``)."""
    AC.tensor_args("addr", ("input", "vec1", "vec2"), (input, vec1, vec2))
    out = blend(input, outer(vec1.detach(), vec2.detach()), beta, alpha)

    backward = add_product_backward(
        input, vec1, vec2, beta, alpha, lambda g: mv(g, conj(vec2)), lambda g: mv(mT(g), conj(vec1))
    )
    return record("AddrBackward0", out, vec1._dtype, (input, vec1, vec2), backward, (vec1, vec2))


def addbmm(
    input: Tensor,  # noqa: A002
    batch1: Tensor,
    batch2: Tensor,
    *,
    beta: float = 1,
    alpha: float = 1,
) -> Tensor:
    """``beta * input + alpha * sum_b batch1[b] @ batch2[b]`` (``AddbmmBackward0``)."""
    if AUTOCAST.dtype is not None:  # torch.autocast('cpu'): computed in its dtype
        input, batch1, batch2 = autocast_lower(input, batch1, batch2)
    AC.tensor_args("addbmm", ("input", "batch1", "batch2"), (input, batch1, batch2))
    product = bmm(batch1.detach(), batch2.detach()).sum(0)
    out = blend(input, product, beta, alpha)

    backward = add_product_backward(
        input, batch1, batch2, beta, alpha, lambda h: bmm(h, mH(batch2)),
        lambda h: bmm(mH(batch1), h),
        lambda g: g.unsqueeze(0).expand(batch1.shape[0], *g.shape),  # (methods: device views)
    )  # fmt: skip

    inputs = (input, batch1, batch2)
    return record("AddbmmBackward0", out, batch1._dtype, inputs, backward, (batch1, batch2))


def chain_matmul(*matrices: Tensor) -> Tensor:
    """Deprecated in PyTorch (it warns once): ``linalg.multi_dot`` of the matrices."""
    warn_once(
        "torch.chain_matmul is deprecated and will be removed in a future PyTorch release. "
        "Use torch.linalg.multi_dot instead, which accepts a list of two or more tensors "
        "rather than multiple parameters."
    )
    return multi_dot(matrices)


# ---- Cholesky-based ------------------------------------------------------------------------
def _gram(L: Tensor, upper: bool) -> np.ndarray:  # noqa: N803
    """``L L^H`` (``U^H U`` for an upper factor)."""
    a = L._value
    ah = np.conj(np.swapaxes(a, -1, -2))
    return ah @ a if upper else a @ ah


def cholesky_solve(B: Tensor, L: Tensor, upper: bool = False) -> Tensor:  # noqa: N803
    """``X`` with ``(L L^H) X = B`` for a Cholesky factor ``L`` (``CholeskySolveBackward0``)."""
    value = np.linalg.solve(_gram(L, upper), B._value).astype(B._value.dtype)

    def backward(g: Tensor, out: Tensor) -> tuple:
        gb = cholesky_solve(g, L, upper)
        common = matmul(gb, mH(out))
        common = common + mH(common)
        gl = -(matmul(L, common) if upper else matmul(common, L))
        return (
            sum_to_shape(gb, tuple(B.shape)) if B._requires_grad else None,
            sum_to_shape(gl, tuple(L.shape)) if L._requires_grad else None,
        )

    return record(
        "CholeskySolveBackward0", value, B._dtype, (B, L), backward, (B, L), ResultBackward
    )


def cholesky_inverse(L: Tensor, upper: bool = False) -> Tensor:  # noqa: N803
    """``(L L^H)^-1`` from a Cholesky factor (``CholeskyInverseBackward0``)."""
    value = np.linalg.inv(_gram(L, upper)).astype(L._value.dtype)

    def backward(g: Tensor, out: Tensor) -> Tensor:
        common = matmul(out, matmul(g + mH(g), out))
        return -(matmul(L, common) if upper else matmul(common, L))

    return record("CholeskyInverseBackward0", value, L._dtype, (L,), backward, (L,), ResultBackward)


# ---- matrix exponential --------------------------------------------------------------------
def _expm(a: np.ndarray) -> np.ndarray:
    """exp(a) per matrix: scale by 2^-s until the 1-norm is below 1/2, sum the Taylor series
    to rounding (at most 30 terms), square s times."""
    out = np.empty_like(a)
    n = a.shape[-1]
    for index in np.ndindex(*a.shape[:-2]):
        m = a[index].astype(np.result_type(a.dtype, np.float64))  # complex stays complex
        norm = np.abs(m).sum(0).max() if n else 0.0
        s = max(0, math.ceil(math.log2(norm / 0.5))) if norm > 0.5 else 0
        m = m / 2.0**s
        total = np.eye(n)
        term = np.eye(n)
        for k in range(1, 30):
            term = term @ m / k
            total = total + term
            if np.abs(term).max(initial=0.0) <= 1e-17 * np.abs(total).max(initial=1.0):
                break
        for _ in range(s):
            total = total @ total
        out[index] = total
    return out


def matrix_exp(A: Tensor) -> Tensor:  # noqa: N803
    """The matrix exponential (``LinalgMatrixExpBackward0``)."""
    check_matrix("linalg.matrix_exp", A)
    value = _expm(A._value)
    n = A.shape[-1]

    def backward(g: Tensor) -> Tensor:
        at = mH(A)
        zeros = _make(np.zeros(at.shape, A._value.dtype), A._dtype)
        top = M.cat([at, g], dim=-1)
        bottom = M.cat([zeros, at], dim=-1)
        big = matrix_exp(M.cat([top, bottom], dim=-2))
        return M.narrow(M.narrow(big, -2, 0, n), -1, n, n)

    return record("LinalgMatrixExpBackward0", value, A._dtype, (A,), backward, (A,))


# ---- compositions ----------------------------------------------------------------------------
def vander(x: Tensor, *, N: int | None = None) -> Tensor:  # noqa: N803
    """Columns ``x^0, x^1, ... x^(N-1)`` (PyTorch's composition: a cumprod after a ones
    column, ``CatBackward0``)."""
    n = x.shape[-1] if N is None else N
    if n < 1:
        raise RuntimeError("N must be greater than 1.")
    ones = _make(np.ones((*x.shape, 1), x._value.dtype), x._dtype)
    if n == 1:
        return ones
    col = M.expand(M.unsqueeze(x, -1), (*x.shape, n - 1))
    return M.cat([ones, cumprod(col, -1)], dim=-1)


def linalg_cross(input: Tensor, other: Tensor, *, dim: int = -1) -> Tensor:  # noqa: A002
    return cross(input, other, dim)


def _inplace(fn: Any) -> Any:
    return written_into_self(fn, fn.__name__ + "_")


__all__ = [
    "addbmm",
    "addmv",
    "addr",
    "chain_matmul",
    "cholesky_inverse",
    "cholesky_solve",
    "matrix_exp",
]

METHODS: dict[str, Any] = {
    "addmv": addmv,
    "addr": addr,
    "addbmm": addbmm,
    "cholesky_solve": cholesky_solve,
    "cholesky_inverse": cholesky_inverse,
    "matrix_exp": matrix_exp,
    "addmv_": _inplace(addmv),
    "addr_": _inplace(addr),
    "addbmm_": _inplace(addbmm),
    "baddbmm_": _inplace(baddbmm),
}
