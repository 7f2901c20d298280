"""``torch.linalg.lu_factor`` / ``lu_factor_ex`` / ``lu`` and ``torch.lu_unpack``: the LU
factorization with partial pivoting, ``A = P L U``, batched over leading dimensions.

The factors come from the Numba ``getrf`` kernel (kernels/cpu/lu.py: numpy never returns them
and SciPy is not a dependency), packed as LAPACK and PyTorch pack them: one ``LU`` matrix with
the unit-lower ``L`` below the diagonal and ``U`` on and above it, and 1-based ``int32``
pivots (row ``i`` was swapped with row ``pivots[i]``). ``A`` may be rectangular: ``L`` is
``m x k`` and ``U`` ``k x n`` with ``k = min(m, n)``.

The backwards are PyTorch's ``linalg_lu_backward`` (square, wide and tall cases) and the
unpacking rules, written with Tensor ops (triangular solves, matmul), so a second derivative
is recorded too. As on PyTorch's CPU, ``pivot=False`` is refused.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes as D
from ..kernels.cpu.lu import getrf_batch
from ..ops.return_types import named_result
from . import argcheck as AC
from . import movement as M
from .checks import DTYPE_WORDS
from .conjugate import conj
from .join_split import cat
from .linalg import matmul
from .linalg_extra import _trisolve, solve_triangular
from .recording import record_multi
from .structure import tril, triu
from .tensor import Tensor, _make

LUFactorResult = named_result("linalg_lu_factor", ("LU", "pivots"))
LUFactorExResult = named_result("linalg_lu_factor_ex", ("LU", "pivots", "info"))
LUResult = named_result("linalg_lu", ("P", "L", "U"))
LUUnpackResult = named_result("lu_unpack", ("P", "L", "U"))

_LAPACK = (D.float32, D.float64, D.complex64, D.complex128)


def check_lu_input(fn: str, op: str, A: Any, pivot: bool = True) -> None:  # noqa: N803
    """PyTorch's checks, in its order: a Tensor, at least 2-D, a LAPACK dtype, pivoting
    (``fn`` heads the messages, ``op`` is the name a TypeError gives)."""
    if not isinstance(A, Tensor):
        raise AC.must_be(op, "A", 1, "Tensor", A)
    if A.dim() < 2:
        raise RuntimeError(
            f"{fn}: Expected tensor with 2 or more dimensions. Got size: {list(A.shape)} instead"
        )
    if A._dtype not in _LAPACK:
        raise NotImplementedError(f"\"lu_cpu\" not implemented for '{_word(A._dtype)}'")
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")


def _word(dt: D.dtype) -> str:
    return DTYPE_WORDS.get(dt.name) or {"float16": "Half", "bfloat16": "BFloat16"}[dt.name]


def factor(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(LU, pivots, info)`` of each matrix of ``a`` (a copy is factored)."""
    batch, (m, n) = a.shape[:-2], a.shape[-2:]
    lu = np.ascontiguousarray(a).reshape((-1, m, n)).copy()
    piv = np.zeros((lu.shape[0], min(m, n)), np.int32)
    info = np.zeros(lu.shape[0], np.int32)
    if lu.size:
        getrf_batch(lu, piv, info)
    return lu.reshape(a.shape), piv.reshape(batch + piv.shape[-1:]), info.reshape(batch)


def mH(x: Tensor) -> Tensor:  # noqa: N802 - PyTorch's name
    """The conjugate transpose of each matrix (the transpose of a real one)."""
    t = M.transpose(x, -2, -1)
    return conj(t) if x._dtype.is_complex else t


def permutation(piv: np.ndarray, m: int, dtype: np.dtype) -> np.ndarray:
    """``P`` (batched, m x m) from LAPACK pivots: ``A = P L U``."""
    perm = np.broadcast_to(np.arange(m), piv.shape[:-1] + (m,)).copy()
    rows = perm.reshape(-1, m)
    swaps = piv.reshape(-1, piv.shape[-1]).astype(np.intp) - 1
    every = np.arange(rows.shape[0])
    for i in range(swaps.shape[1]):  # the swaps in order, all matrices at once
        j = swaps[:, i]
        head = rows[:, i].copy()
        rows[:, i] = rows[every, j]
        rows[every, j] = head
    P = np.zeros(perm.shape + (m,), dtype)  # noqa: N806
    np.put_along_axis(P, perm[..., None], 1, axis=-1)  # P^T[i, perm[i]] = 1
    return np.swapaxes(P, -1, -2)


def _unpack(lu: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    m, n = lu.shape[-2:]
    k = min(m, n)
    low = np.tril(lu[..., :, :k], -1)
    idx = np.arange(k)
    low[..., idx, idx] = 1
    return low, np.triu(lu[..., :k, :])


def _trsolve(
    A: Tensor,  # noqa: N803
    B: Tensor,  # noqa: N803
    *,
    upper: bool,
    left: bool = True,
    unitriangular: bool = False,
) -> Tensor:
    """``linalg.solve_triangular`` (recorded, so differentiable again) for real matrices; for
    complex ones, which jitgrad's solve_triangular does not take, the same solve in numpy
    (a first derivative of LU stays exact; a second one is not recorded)."""
    if not A._dtype.is_complex:
        return solve_triangular(A, B, upper=upper, left=left, unitriangular=unitriangular)
    a = np.triu(A._value) if upper else np.tril(A._value)
    if unitriangular:
        idx = np.arange(a.shape[-1])
        a[..., idx, idx] = 1
    b = B._value
    if left:
        x = _trisolve(a, b)
    else:
        x = np.swapaxes(_trisolve(np.swapaxes(a, -1, -2), np.swapaxes(b, -1, -2)), -1, -2)
    return _make(np.ascontiguousarray(x).astype(A._value.dtype), A._dtype)


def lu_backward(
    gL: Tensor | None, gU: Tensor | None, P: Tensor, L: Tensor, U: Tensor  # noqa: N803
) -> Tensor:
    """PyTorch's ``linalg_lu_backward``: ``gA = P L^-H [tril(L^H gL, -1) + triu(gU U^H)] U^-H``
    for a square matrix; the wide and tall cases add the extra block of U or L."""
    m, n = L.shape[-2], U.shape[-1]
    k = min(m, n)
    if m == n:
        terms = [t for t in (gL is not None and tril(matmul(mH(L), gL), -1),
                             gU is not None and triu(matmul(gU, mH(U)))) if t is not False]
        g = terms[0] if len(terms) == 1 else terms[0] + terms[1]
        g = _trsolve(mH(U), g, upper=False, left=False)
        g = _trsolve(mH(L), g, upper=True, unitriangular=True)
    elif m < n:  # wide: U = [U1 | U2]
        g = None if gL is None else matmul(mH(L), gL)
        if gU is not None:
            h = -matmul(triu(gU), mH(U))
            g = h if g is None else g + h
        g = _trsolve(mH(M.narrow(U, -1, 0, k)), tril(g, -1), upper=False, left=False)
        if gU is not None:
            g = cat([g + triu(M.narrow(gU, -1, 0, k)), M.narrow(gU, -1, k, n - k)], dim=-1)
        g = _trsolve(mH(L), g, upper=True, unitriangular=True)
        if gU is None:
            g = cat([g, _zeros(U, tuple(g.shape[:-1]) + (n - k,))], dim=-1)
    else:  # tall: L = [L1; L2]
        g = None if gU is None else matmul(gU, mH(U))
        if gL is not None:
            h = -matmul(mH(L), tril(gL, -1))
            g = h if g is None else g + h
        g = _trsolve(mH(M.narrow(L, -2, 0, k)), triu(g), upper=True, unitriangular=True)
        if gL is not None:
            g = cat([g + tril(M.narrow(gL, -2, 0, k), -1), M.narrow(gL, -2, k, m - k)], dim=-2)
        g = _trsolve(mH(U), g, upper=False, left=False)
        if gL is None:
            g = cat([g, _zeros(L, (m - k, g.shape[-1]), tuple(g.shape[:-2]))], dim=-2)
    return matmul(P, g)


def _zeros(like: Tensor, shape: tuple, batch: tuple = ()) -> Tensor:
    return _make(np.zeros(tuple(batch) + tuple(shape), like._value.dtype), like._dtype)


def lu_factor_ex(
    A: Tensor,  # noqa: N803 - PyTorch's names
    *,
    pivot: bool = True,
    check_errors: bool = False,
) -> tuple[Tensor, Tensor, Tensor]:
    """``(LU, pivots, info)``: ``info`` is LAPACK's (the first zero pivot, 1-based, or 0)."""
    check_lu_input("torch.lu_factor", "linalg_lu_factor_ex", A, pivot)
    return factor_ex(A, check_errors)


def factor_ex(A: Tensor, check_errors: bool) -> tuple[Tensor, Tensor, Tensor]:  # noqa: N803
    """``lu_factor_ex`` of a checked ``A``."""
    lu, piv, info = factor(A._value)
    if check_errors:
        _check_info("torch.linalg.lu_factor_ex", info)

    def backward(g: Tensor, *_: Any) -> Tensor:
        LU = outs[0]  # noqa: N806
        P = _make(permutation(piv, LU.shape[-2], lu.dtype), A._dtype)  # noqa: N806
        L, U = (_make(x, A._dtype) for x in _unpack(LU._value))  # noqa: N806
        k = min(LU.shape[-2:])
        gL = M.narrow(tril(g, -1), -1, 0, k)  # noqa: N806
        gU = M.narrow(triu(g), -2, 0, k)  # noqa: N806
        return lu_backward(gL, gU, P, L, U)

    outs = record_multi("LinalgLuFactorExBackward0", [lu, piv, info],
                        [A._dtype, D.int32, D.int32], (A,), backward)
    return LUFactorExResult(*outs)


def _check_info(fn: str, info: np.ndarray) -> None:
    """PyTorch's error for the first matrix with a zero pivot."""
    bad = np.flatnonzero(info.reshape(-1))
    if bad.size:
        at = int(bad[0])
        where = f"(Batch element {at}): " if info.ndim else ""
        k = int(info.reshape(-1)[at])
        raise RuntimeError(
            f"{fn}: {where}U[{k},{k}] is zero and using it on lu_solve would result in a "
            "division by zero. If you still want to perform the factorization, consider "
            "calling linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)"
        )


def lu_factor(A: Tensor, *, pivot: bool = True) -> tuple[Tensor, Tensor]:  # noqa: N803
    """``(LU, pivots)``; a matrix with a zero pivot raises (``lu_factor_ex`` reports it)."""
    check_lu_input("torch.lu_factor", "linalg_lu_factor", A, pivot)
    LU, piv, info = factor_ex(A, False)  # noqa: N806
    _check_info("torch.linalg.lu_factor", info._value)
    return LUFactorResult(LU, piv)


def lu(A: Tensor, *, pivot: bool = True) -> tuple[Tensor, Tensor, Tensor]:  # noqa: N803
    """``(P, L, U)`` with ``A = P L U`` (``LinalgLuBackward0``); never raises on a singular
    matrix. ``P`` has no gradient."""
    check_lu_input("linalg.lu", "linalg_lu", A, pivot)
    lu_, piv, _ = factor(A._value)
    P = _make(permutation(piv, A.shape[-2], lu_.dtype), A._dtype)  # noqa: N806

    def backward(gL: Tensor | None = None, gU: Tensor | None = None) -> Tensor:  # noqa: N803
        return lu_backward(gL, gU, P, outs[0], outs[1])

    outs = record_multi("LinalgLuBackward0", list(_unpack(lu_)), [A._dtype] * 2, (A,), backward)
    return LUResult(P, *outs)


def lu_unpack(
    LU_data: Tensor,  # noqa: N803 - PyTorch's names
    LU_pivots: Tensor,  # noqa: N803
    unpack_data: bool = True,
    unpack_pivots: bool = True,
) -> tuple[Tensor, Tensor, Tensor]:
    """``(P, L, U)`` from ``lu_factor``'s result (``LuUnpackBackward0`` for L and U); a part
    not asked for is an empty tensor."""
    for name, t in (("LU_data", LU_data), ("LU_pivots", LU_pivots)):
        if not isinstance(t, Tensor):
            raise AC.must_be("lu_unpack", name, 1 if name == "LU_data" else 2, "Tensor", t)
    if LU_data.dim() < 2:
        raise RuntimeError(
            "torch.lu_unpack: Expected tensor with 2 or more dimensions. Got size: "
            f"{list(LU_data.shape)} instead"
        )
    if LU_pivots._dtype is not D.int32:
        raise RuntimeError(
            "torch.lu_unpack: LU_pivots is expected to be a contiguous tensor of torch.int32 "
            "dtype.\nNote: this function is intended to be used with the output produced by "
            "torch.linalg.lu_factor"
        )
    m, n = LU_data.shape[-2:]
    dt = LU_data._dtype
    empty = _make(np.zeros(0, dt.np), dt)
    P = empty  # noqa: N806
    if unpack_pivots:
        piv = np.broadcast_to(LU_pivots._value, LU_data.shape[:-2] + LU_pivots.shape[-1:])
        if piv.size and (piv.min() < 1 or piv.max() > m):
            raise RuntimeError(
                "torch.lu_unpack: pivots must be between 1 and m, where m is the number of "
                "rows of the input"  # jitgrad's own words: PyTorch does not check
            )
        P = _make(permutation(piv, m, dt.np), dt)  # noqa: N806
    if not unpack_data:
        return LUUnpackResult(P, empty, empty)

    def backward(gL: Tensor | None = None, gU: Tensor | None = None) -> Tensor:  # noqa: N803
        parts = []
        if gL is not None:
            parts.append(_pad(tril(gL, -1), m, n))
        if gU is not None:
            parts.append(_pad(triu(gU), m, n))
        return parts[0] if len(parts) == 1 else parts[0] + parts[1]

    outs = record_multi("LuUnpackBackward0", list(_unpack(LU_data._value)), [dt] * 2,
                        (LU_data,), backward)
    return LUUnpackResult(P, *outs)


def _pad(g: Tensor, m: int, n: int) -> Tensor:
    """A gradient of ``L`` (m x k) or ``U`` (k x n) zero-padded to ``LU``'s m x n."""
    batch = tuple(g.shape[:-2])
    r, c = g.shape[-2:]
    if c < n:
        g = cat([g, _zeros(g, (r, n - c), batch)], dim=-1)
    if r < m:
        g = cat([g, _zeros(g, (m - r, n), batch)], dim=-2)
    return g


__all__ = ["lu", "lu_factor", "lu_factor_ex", "lu_unpack"]
