"""``torch.linalg.ldl_factor`` / ``ldl_factor_ex`` / ``ldl_solve``: the Bunch-Kaufman
``A = P L D L^T P^T`` factorization of symmetric matrices and solving with it, batched.

The factorization is the Numba ``sytf2`` kernel (kernels/cpu/ldl.py) on ``A``'s lower
triangle, in LAPACK's (and PyTorch's) layout: ``LD`` holds ``L`` below the diagonal and the
1x1/2x2 blocks of ``D``, its strict upper triangle zero; ``pivots`` are LAPACK's ``ipiv``
(int32; negative for a 2x2 block). PyTorch has no derivative for either op: results that
would need one get a node whose backward says so. As in PyTorch 2.13, a failed
factorization (an exactly zero pivot column) is reported by ``ldl_factor`` with its
"Unknown error code" internal assert. Complex matrices may be symmetric or, with
``hermitian=True``, Hermitian (the kernel's ``hetrf``/``hetrs`` variant: ``L D L^H``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes as D
from ..kernels.cpu.ldl import sytrf_batch, sytrs_batch
from ..ops.return_types import named_result
from . import argcheck as AC
from .checks import DTYPE_WORDS
from .linalg_decomp import check_matrix
from .recording import record_multi
from .tensor import Tensor

LDLFactorResult = named_result("linalg_ldl_factor", ("LD", "pivots"))
LDLFactorExResult = named_result("linalg_ldl_factor_ex", ("LD", "pivots", "info"))

_ASSERT = (
    'false INTERNAL ASSERT FAILED at "/__w/pytorch/pytorch/aten/src/ATen/native/'
    'BatchLinearAlgebra.cpp":1642, please report a bug to PyTorch. '
)


def _no_derivative(op: str):
    def backward(*grads: Any) -> Any:
        raise RuntimeError(f"derivative for aten::{op} is not implemented")

    return backward


def _check(fn: str, A: Tensor) -> None:  # noqa: N803
    """``check_matrix``'s checks, complex dtypes accepted."""
    check_matrix(fn, A)


def _factor(A: Any, hermitian: bool, op: str) -> tuple[Tensor, Tensor, np.ndarray]:  # noqa: N803
    if not isinstance(A, Tensor):
        raise AC.must_be(op, "input", 1, "Tensor", A)
    if A._dtype in (D.float16, D.bfloat16):
        word = "Half" if A._dtype is D.float16 else "BFloat16"
        raise NotImplementedError(f"\"ldl_factor_kernel_cpu\" not implemented for '{word}'")
    _check("torch.linalg.ldl_factor_ex", A)
    n = A.shape[-1]
    batch = tuple(A.shape[:-2])
    ld = np.ascontiguousarray(A._value).reshape((-1, n, n)).copy()
    piv = np.zeros((ld.shape[0], n), np.int32)
    info = np.zeros(ld.shape[0], np.int32)
    if ld.size:
        sytrf_batch(ld, piv, info, bool(hermitian and A._dtype.is_complex))
    ld, piv, info = ld.reshape(A._value.shape), piv.reshape(batch + (n,)), info.reshape(batch)
    LD, pv, inf = record_multi(  # noqa: N806
        "NotImplemented", [ld, piv, info], [A._dtype, D.int32, D.int32], (A,),
        _no_derivative("linalg_ldl_factor_ex"),
    )
    return LD, pv, inf


def _raise_info(fn: str, info: np.ndarray) -> None:
    """PyTorch 2.13's report of a failed factorization (an internal assert)."""
    bad = info.reshape(-1)[info.reshape(-1) != 0]
    if bad.size:
        raise RuntimeError(f"{_ASSERT}{fn}: Unknown error code: {int(bad[0])}.")


def ldl_factor_ex(
    A: Tensor,  # noqa: N803 - PyTorch's names
    *,
    hermitian: bool = False,
    check_errors: bool = False,
) -> tuple[Tensor, Tensor, Tensor]:
    """``(LD, pivots, info)``; ``info`` is LAPACK's (the first zero pivot column, or 0)."""
    LD, piv, info = _factor(A, hermitian, "linalg_ldl_factor_ex")  # noqa: N806
    if check_errors:
        _raise_info("torch.linalg.ldl_factor_ex", info._value)
    return LDLFactorExResult(LD, piv, info)


def ldl_factor(A: Tensor, *, hermitian: bool = False) -> tuple[Tensor, Tensor]:  # noqa: N803
    """``(LD, pivots)`` of the Bunch-Kaufman factorization of symmetric (``hermitian``:
    Hermitian) ``A``."""
    LD, piv, info = _factor(A, hermitian, "linalg_ldl_factor")  # noqa: N806
    _raise_info("torch.linalg.ldl_factor", info._value)
    return LDLFactorResult(LD, piv)


def _check_solve(LD: Any, pivots: Any, B: Any) -> None:  # noqa: N803
    """PyTorch's checks of ``ldl_solve``'s arguments, in its order and words."""
    for i, (name, t) in enumerate((("LD", LD), ("pivots", pivots), ("B", B))):
        if not isinstance(t, Tensor):
            raise AC.must_be("linalg_ldl_solve", name, i + 1, "Tensor", t)
    fn = "torch.linalg.ldl_solve"
    _check(fn, LD)
    if B.dim() < 2:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [-{max(B.dim(), 1)}, "
            f"{max(B.dim(), 1) - 1}], but got -2)"
        )
    n = LD.shape[-1]
    if tuple(pivots.shape) != tuple(LD.shape[:-1]):
        raise RuntimeError(
            f"{fn}: Expected LD.shape[:-1] and pivots.shape to be the same, but got pivots "
            f"with shape {list(pivots.shape)} instead"
        )
    if pivots._dtype.is_floating_point or pivots._dtype.is_complex or pivots._dtype is D.bool_:
        raise RuntimeError(
            f"{fn}: Expected pivots to be integers. Got {DTYPE_WORDS[pivots._dtype.name]}"
        )
    if B._dtype is not LD._dtype:
        raise RuntimeError(
            f"Expected b and A to have the same dtype, but found b of type "
            f"{DTYPE_WORDS[B._dtype.name]} and A of type {DTYPE_WORDS[LD._dtype.name]} instead."
        )
    if B.shape[-2] != n:
        raise RuntimeError(
            f"Incompatible matrix sizes for {fn}: each A matrix is {n} by {n} but each b "
            f"matrix is {B.shape[-2]} by {B.shape[-1]}"
        )


def ldl_solve(
    LD: Tensor,  # noqa: N803 - PyTorch's names
    pivots: Tensor,
    B: Tensor,  # noqa: N803
    *,
    hermitian: bool = False,
) -> Tensor:
    """``X`` with ``A X = B`` from ``A``'s ``ldl_factor`` result (no derivative, as PyTorch)."""
    _check_solve(LD, pivots, B)
    n = LD.shape[-1]
    batch = tuple(np.broadcast_shapes(tuple(LD.shape[:-2]), tuple(B.shape[:-2])))
    r = B.shape[-1]
    ld = np.ascontiguousarray(np.broadcast_to(LD._value, batch + (n, n))).reshape((-1, n, n))
    piv = np.ascontiguousarray(np.broadcast_to(pivots._value, batch + (n,)), np.int32)
    x = np.broadcast_to(B._value, batch + (n, r)).reshape((-1, n, r)).copy()
    if x.size:
        sytrs_batch(ld, piv.reshape((-1, n)), x, bool(hermitian and LD._dtype.is_complex))
    (out,) = record_multi("NotImplemented", [x.reshape(batch + (n, r))], [LD._dtype],
                          (LD, B), _no_derivative("linalg_ldl_solve"))
    return out


__all__ = ["ldl_factor", "ldl_factor_ex", "ldl_solve"]
