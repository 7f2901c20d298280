"""More of ``torch.linalg``: ``solve_triangular``, ``pinv``, ``lstsq``, ``matrix_power``,
``multi_dot``, ``matrix_rank``, ``vecdot``, ``diagonal`` (``cond`` is in jitgrad/linalg.py,
beside ``matrix_norm``).

``solve_triangular``, ``pinv`` and ``lstsq`` are one node each (PyTorch's names) over
LAPACK through ``numpy.linalg`` (see :mod:`.linalg_decomp`), with PyTorch's backward
formulas as Tensor ops; the rest are PyTorch's own compositions of matmul, inverse and
reductions, so their graphs show the same nodes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import dtypes as D
from ..ops.return_types import named_result
from . import functions as F
from . import linalg_geqrf as GQ
from . import linalg_householder as HH
from . import movement as M
from .checks import DTYPE_WORDS
from .conjugate import conj
from .linalg import matmul, mm
from .linalg_decomp import check_matrix, inv, mH
from .linalg_norm import norm
from .pointwise import sum_to_shape
from .recording import ResultBackward, record, record_multi
from .structure import diagonal, tril, triu
from .tensor import Tensor, _make

LstsqResult = named_result("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))


# ---- triangular solve ------------------------------------------------------------------------
def _triangle(a: Tensor, upper: bool, unit: bool) -> Tensor:
    """The triangle of ``a`` that the solve reads (unit diagonal when ``unit``)."""
    t = triu(a) if upper else tril(a)
    if not unit:
        return t
    eye = _make(np.eye(a.shape[-1], dtype=a._value.dtype), a._dtype)
    return t * (1 - eye) + eye


def solve_triangular(
    A: Tensor,  # noqa: N803 - PyTorch's names
    B: Tensor,  # noqa: N803
    *,
    upper: bool,
    left: bool = True,
    unitriangular: bool = False,
) -> Tensor:
    """``X`` with ``A X = B`` (``X A = B`` for ``left=False``), reading only the ``upper``
    or lower triangle of ``A`` (``LinalgSolveTriangularBackward0``)."""
    check_matrix("linalg.solve_triangular", A)
    a = np.triu(A._value) if upper else np.tril(A._value)
    if unitriangular:
        a = a.copy()
        idx = np.arange(a.shape[-1])
        a[..., idx, idx] = 1
    with np.errstate(all="ignore"):
        if left:
            value = _trisolve(a, B._value)
        else:
            value = np.swapaxes(
                _trisolve(np.swapaxes(a, -1, -2), np.swapaxes(B._value, -1, -2)), -1, -2
            )

    def backward(g: Tensor, out: Tensor) -> tuple[Tensor | None, Tensor | None]:
        at = mH(_triangle(A, upper, unitriangular))  # (^H: ^T for real matrices)
        if left:  # gB = A^-H g, gA = -gB X^H
            gb = solve_triangular(at, g, upper=not upper, unitriangular=unitriangular)
            ga = -matmul(gb, mH(out))
        else:  # X A = B: gB = g A^-H, gA = -X^H gB
            gb = solve_triangular(at, g, upper=not upper, left=False, unitriangular=unitriangular)
            ga = -matmul(mH(out), gb)
        ga = triu(ga, 1 if unitriangular else 0) if upper else tril(ga, -1 if unitriangular else 0)
        return (
            sum_to_shape(ga, tuple(A.shape)) if A._requires_grad else None,
            sum_to_shape(gb, tuple(B.shape)) if B._requires_grad else None,
        )

    return record(
        "LinalgSolveTriangularBackward0", value, A._dtype, (A, B), backward, (A,), ResultBackward
    )


def _trisolve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a^-1 b`` for triangular ``a`` (LAPACK's general solve: numpy has no trtrs); a zero
    on the diagonal gives inf/nan as PyTorch's trsm does, not an error."""
    try:
        return np.linalg.solve(
            a, np.broadcast_to(b, np.broadcast_shapes(a.shape[:-2], b.shape[:-2]) + b.shape[-2:])
        )
    except np.linalg.LinAlgError:
        return np.full(np.broadcast_shapes(a.shape[:-1] + (1,), b.shape), np.nan, b.dtype)


# ---- pseudo-inverse, least squares -----------------------------------------------------------
def _pinv_backward(g: Tensor, P: Tensor, A: Tensor) -> Tensor:  # noqa: N803
    """d pinv(A): ``-P^H g P^H`` plus the terms of the projections onto A's range and
    null space (Golub & Pereyra), as PyTorch's ``pinv_backward`` (``^H``: ``^T`` if real)."""
    pt = mH(P)
    ga = -matmul(pt, matmul(g, pt))
    ap = matmul(A, P)
    pa = matmul(P, A)
    eye_m = _make(np.eye(A.shape[-2], dtype=A._value.dtype), A._dtype)
    eye_n = _make(np.eye(A.shape[-1], dtype=A._value.dtype), A._dtype)
    ga = ga + matmul(eye_m - ap, matmul(mH(g), matmul(P, pt)))
    return ga + matmul(matmul(pt, P), matmul(mH(g), eye_n - pa))


def pinv(
    A: Tensor,  # noqa: N803
    *,
    atol: float | None = None,
    rtol: float | None = None,
    hermitian: bool = False,
) -> Tensor:
    """Moore-Penrose pseudo-inverse (``LinalgPinvBackward0``); singular values below
    ``max(atol, rtol * largest)`` count as zero (default rtol: eps * max(m, n))."""
    if isinstance(A, Tensor) and A.dim() < 2:
        word = DTYPE_WORDS[A._dtype.name]
        raise RuntimeError(
            f"linalg.pinv({word}{{{list(A.shape)}}}): expected a tensor with 2 or more "
            "dimensions of float, double, cfloat or cdouble types"
        )
    check_matrix("linalg.pinv", A, square=False)
    a = A._value
    u, sv, vh = np.linalg.svd(a, full_matrices=False)
    if rtol is None:
        rtol = 0.0 if atol is not None and atol > 0 else np.finfo(a.dtype).eps * max(a.shape[-2:])
    largest = sv.max(-1, initial=0.0)
    cutoff = np.maximum(atol or 0.0, rtol * largest)[..., None]
    with np.errstate(divide="ignore"):
        s_inv = np.where(sv > cutoff, 1 / np.where(sv > 0, sv, 1), 0).astype(a.dtype)
    value = np.ascontiguousarray(
        np.conj(np.swapaxes(vh, -1, -2)) * s_inv[..., None, :] @ np.conj(np.swapaxes(u, -1, -2))
    )
    return record(
        "LinalgPinvBackward0",
        value,
        A._dtype,
        (A,),
        lambda g, out: _pinv_backward(g, out, A),
        (A,),
        ResultBackward,
    )


def _pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:  # noqa: A002
    return pinv(input, rtol=rcond)


def lstsq(
    A: Tensor,  # noqa: N803
    B: Tensor,  # noqa: N803
    rcond: float | None = None,
    *,
    driver: str | None = None,
) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """Least-squares ``X`` minimizing ``||A X - B||`` (``LinalgLstsqBackward0``). What else
    comes back follows the LAPACK driver PyTorch names: the rank unless 'gels', singular values
    for 'gelsd'/'gelss', squared residuals for all but the default 'gelsy' when ``A`` is tall
    and of full rank; what a driver does not compute is an empty tensor."""
    check_matrix("linalg.lstsq", A, square=False)
    vector = B.dim() == A.dim() - 1
    b = B._value[..., None] if vector else B._value
    p = np.linalg.pinv(A._value)
    value = np.asarray(p @ b, A._value.dtype)
    value = value[..., 0] if vector else value
    rank = np.asarray(np.linalg.matrix_rank(A._value), np.int64)

    real = D.real_of(A._dtype)
    m, n = A.shape[-2:]
    res_value = np.zeros((0,), real.np)
    with_residuals = driver not in (None, "gelsy") and m > n and bool(np.all(rank == n))
    if with_residuals:
        col = value[..., None] if vector else value
        res_value = np.asarray((np.abs(np.asarray(A._value @ col) - b) ** 2).sum(axis=-2), real.np)

    def backward(g: Tensor | None = None, g_res: Tensor | None = None) -> tuple:
        bcol = M.unsqueeze(B, -1) if vector else B
        ga = gb = None
        if g is not None:
            P = pinv(A)  # noqa: N806
            gcol = M.unsqueeze(g, -1) if vector else g
            ga = _pinv_backward(matmul(gcol, mH(bcol)), P, A) if A._requires_grad else None
            gb = M.squeeze(matmul(mH(P), gcol), -1) if vector else matmul(mH(P), gcol)
        if g_res is not None and g_res.numel() > 0:
            ga, gb = _residuals_backward(g_res, A, bcol, vector, ga, gb)
        return (ga if A._requires_grad else None), (gb if B._requires_grad else None)

    solution, residuals = record_multi(
        "LinalgLstsqBackward0", [value, res_value], [A._dtype, real], (A, B), backward, (A, B)
    )
    empty = _make(np.zeros((0,), real.np), real)
    svals = empty
    if driver in ("gelsd", "gelss"):
        svals = _make(np.asarray(np.linalg.svd(A._value, compute_uv=False), real.np), real)
    ranks = _make(np.zeros((0,), np.int64) if driver == "gels" else rank, D.int64)
    return LstsqResult(solution, residuals, ranks, svals)


def _residuals_backward(
    g: Tensor, A: Tensor, bcol: Tensor, vector: bool, ga: Any, gb: Any  # noqa: N803
) -> tuple[Tensor, Tensor]:
    """The residuals' share of lstsq's gradient, added to the solution's. They are
    ``|A X - B|^2`` summed over rows, and (A full rank and tall, the only case they are
    computed) ``X`` minimizes them, so ``X``'s own change adds nothing: ``2 (A X - B) g``
    for ``B`` (negated), times ``X^H`` for ``A``; ``X`` rebuilt as ``pinv(A) B`` so that a
    double backward sees it move."""
    xcol = matmul(pinv(A), bcol)
    r2 = (matmul(A, xcol) - bcol) * M.unsqueeze(g, -2) * 2
    da, db = matmul(r2, mH(xcol)), -r2
    db = M.squeeze(db, -1) if vector else db
    return (da if ga is None else ga + da), (db if gb is None else gb + db)


# ---- compositions ----------------------------------------------------------------------------
def matrix_power(A: Tensor, n: int) -> Tensor:  # noqa: N803
    """``A`` times itself ``n`` times (``n < 0``: of its inverse), by PyTorch's binary
    decomposition, so the graph is its chain of ``MmBackward0`` nodes."""
    check_matrix("linalg.matrix_power", A)
    if n == 0:
        eye = np.broadcast_to(np.eye(A.shape[-1], dtype=A._value.dtype), A._value.shape)
        return F.clone(A).copy_(_make(eye.copy(), A._dtype))
    a = inv(A) if n < 0 else A
    n = abs(n)
    if n == 1:
        return F.clone(a)
    if n == 2:
        return matmul(a, a)
    if n == 3:
        return matmul(matmul(a, a), a)
    z = result = None
    while n > 0:
        bit, n = n % 2, n // 2
        z = a if z is None else matmul(z, z)
        if bit:
            result = z if result is None else matmul(result, z)
    return result  # type: ignore[return-value]


def multi_dot(tensors: Sequence[Tensor]) -> Tensor:
    """The product of a chain of matrices (the first and last may be vectors), in the
    cheaper order for three; the result viewed to its final shape (``ViewBackward0``)."""
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    mats = list(tensors)
    first_vec, last_vec = mats[0].dim() == 1, mats[-1].dim() == 1
    if first_vec:
        mats[0] = M.unsqueeze(mats[0], 0)
    if last_vec:
        mats[-1] = M.unsqueeze(mats[-1], -1)
    if len(mats) == 3:
        a, b, c = mats
        (p, q), r, s = a.shape, b.shape[1], c.shape[1]
        out = mm(a, mm(b, c)) if q * r * s + p * q * s < p * q * r + p * r * s else mm(mm(a, b), c)
    else:
        out = mats[0]
        for m in mats[1:]:
            out = mm(out, m)
    shape = tuple(out.shape)
    final = shape[int(first_vec) : len(shape) - int(last_vec)]
    return M.reshape(out, final)


def matrix_rank(
    A: Tensor,  # noqa: N803
    *,
    atol: float | None = None,
    rtol: float | None = None,
    hermitian: bool = False,
) -> Tensor:
    """The number of singular values above ``max(atol, rtol * largest)`` (int64)."""
    check_matrix("linalg.matrix_rank", A, square=False)
    s = np.linalg.svd(A._value, compute_uv=False)
    if rtol is None:
        rtol = 0.0 if atol is not None and atol > 0 else np.finfo(s.dtype).eps * max(A.shape[-2:])
    largest = s.max(-1, initial=0.0)
    tol = np.maximum(atol or 0.0, rtol * largest)
    return _make(np.asarray((s > tol[..., None]).sum(-1), np.int64), D.int64)


def vecdot(x: Tensor, y: Tensor, *, dim: int = -1) -> Tensor:
    """``sum(conj(x) * y, dim)`` (``SumBackward1`` over ``MulBackward0``; PyTorch's conj is
    a lazy bit with no node, jitgrad's a ``ConjBackward0`` below the product)."""
    return F.mul(conj(x), y).sum(dim)


def linalg_diagonal(A: Tensor, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:  # noqa: N803
    return diagonal(A, offset, dim1, dim2)


__all__ = [
    "linalg_diagonal",
    "lstsq",
    "matrix_power",
    "matrix_rank",
    "multi_dot",
    "pinv",
    "solve_triangular",
    "vecdot",
]

#: ``norm`` here overrides :mod:`.reduce`'s (bound before) with the one that takes 'nuc'.
METHODS: dict[str, Any] = {
    "matrix_power": matrix_power, "pinverse": _pinverse, "norm": norm, **HH.METHODS, **GQ.METHODS
}  # fmt: skip

#: jitgrad.<name>
TOP_LEVEL: dict[str, Any] = {
    "pinverse": _pinverse, "matrix_power": matrix_power, "norm": norm,
    **HH.TOP_LEVEL, **GQ.TOP_LEVEL,
}  # fmt: skip
