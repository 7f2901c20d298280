"""``linalg.cholesky_ex`` / ``inv_ex`` / ``solve_ex``: LAPACK's ``info`` instead of an error.

With ``check_errors=False`` (the default) PyTorch never raises on a matrix that cannot be
factored: it returns what LAPACK left and ``info`` per matrix (int32). ``info`` here is
LAPACK's: for Cholesky, the order of the first leading minor that is not positive-definite;
for inv/solve, the 1-based index of the first zero pivot of the partially pivoted LU
(``getrf``). The factorization of a matrix that succeeds is the ordinary differentiable op.

What a failed matrix's result holds: Cholesky follows the unblocked ``potf2`` (columns before
the failing one factored, its diagonal the non-positive value, the rest A's lower triangle),
which is what PyTorch 2.13 returns for small matrices (LAPACK's blocked/recursive variants
used for large ones may leave other values there); inv/solve fill a failed matrix with NaN
(PyTorch: whatever non-finite values getri/getrs produce). A batch with a failed matrix
gives a result without autograd history.
"""

from __future__ import annotations

import numpy as np

from .. import dtypes as D
from ..ops.return_types import named_result
from .linalg_decomp import LinAlgError, _zero_pivot, cholesky, cholesky_source, inv, solve
from .tensor import Tensor, _make

#: PyTorch's ``torch.return_types.linalg_*_ex``: the result and ``info`` by name too.
CholeskyExResult = named_result("linalg_cholesky_ex", ("L", "info"))
InvExResult = named_result("linalg_inv_ex", ("inverse", "info"))
SolveExResult = named_result("linalg_solve_ex", ("result", "info"))


def _potf2(a: np.ndarray) -> tuple[np.ndarray, int]:
    """Lower Cholesky of one matrix by columns, stopping at the first failure (``potf2``;
    complex: ``zpotf2``, which reads the real part of the diagonal)."""
    low = np.tril(a).astype(a.dtype, copy=True)
    n = low.shape[0]
    for j in range(n):
        ajj = (low[j, j] - low[j, :j] @ np.conj(low[j, :j])).real
        if not ajj > 0:  # NaN fails too, as LAPACK's disnan check
            low[j, j] = ajj
            return low, j + 1
        ajj = np.sqrt(ajj)
        low[j, j] = ajj
        if j + 1 < n:
            low[j + 1 :, j] = (low[j + 1 :, j] - low[j + 1 :, :j] @ np.conj(low[j, :j])) / ajj
    return low, 0


def _nan(dtype: np.dtype) -> complex | float:
    """NaN of ``dtype``: ``nan+nanj`` for a complex one, as PyTorch's failed result."""
    return complex(np.nan, np.nan) if dtype.kind == "c" else np.nan


def _matrices(a: np.ndarray) -> np.ndarray:
    return a.reshape((-1, *a.shape[-2:]))


def _info(batch: tuple[int, ...], values: list[int]) -> Tensor:
    return _make(np.asarray(values, np.int32).reshape(batch), D.int32)


def _reraise(err: LinAlgError) -> LinAlgError:
    """The same error under the ``_ex`` function's name (PyTorch's message prefix)."""
    head, _, tail = str(err).partition(": ")
    return type(err)(f"{head}_ex: {tail}")


def cholesky_ex(
    A: Tensor,  # noqa: N803
    *,
    upper: bool = False,
    check_errors: bool = False,
) -> tuple[Tensor, Tensor]:
    """``(L, info)``; see the module docstring for a matrix that is not positive-definite."""
    batch = tuple(A.shape[:-2])
    try:
        info = _info(batch, [0] * int(np.prod(batch)))
        return CholeskyExResult(cholesky(A, upper=upper), info)
    except LinAlgError as err:
        if check_errors:
            raise _reraise(err) from None
    src = cholesky_source(A._value, upper)
    pairs = [_potf2(m) for m in _matrices(src)]
    low = np.stack([p[0] for p in pairs]).reshape(src.shape)
    value = np.swapaxes(low, -1, -2).copy() if upper else low
    return CholeskyExResult(_make(value, A._dtype), _info(batch, [p[1] for p in pairs]))


def _lu_failure(
    A: Tensor,  # noqa: N803
    err: LinAlgError,
    check_errors: bool,
) -> tuple[np.ndarray, Tensor]:
    """After ``inv``/``solve`` raised: the error's ``_ex`` form, or a mask of the matrices
    that failed and the infos."""
    if check_errors:
        raise _reraise(err) from None
    infos = [_zero_pivot(m) for m in _matrices(A._value)]
    return np.asarray(infos) != 0, _info(tuple(A.shape[:-2]), infos)


def inv_ex(A: Tensor, *, check_errors: bool = False) -> tuple[Tensor, Tensor]:  # noqa: N803
    """``(inverse, info)``; a singular matrix's inverse is NaN here (see the module doc)."""
    batch = tuple(A.shape[:-2])
    try:
        return InvExResult(inv(A), _info(batch, [0] * int(np.prod(batch))))
    except LinAlgError as err:
        failed, info = _lu_failure(A, err, check_errors)
    mats = _matrices(A._value)
    out = np.full(mats.shape, _nan(mats.dtype), mats.dtype)
    for i, bad in enumerate(failed):
        if not bad:
            out[i] = np.linalg.inv(mats[i])
    return InvExResult(_make(out.reshape(A._value.shape), A._dtype), info)


def solve_ex(
    A: Tensor,  # noqa: N803
    B: Tensor,  # noqa: N803
    *,
    left: bool = True,
    check_errors: bool = False,
) -> tuple[Tensor, Tensor]:
    """``(X, info)``; a singular matrix's solution is NaN here (see the module doc)."""
    batch = tuple(A.shape[:-2])
    try:
        return SolveExResult(solve(A, B, left=left), _info(batch, [0] * int(np.prod(batch))))
    except LinAlgError as err:
        failed, info = _lu_failure(A, err, check_errors)
    mats = _matrices(A._value).copy()
    mats[failed] = np.eye(mats.shape[-1])  # solved as identity, then overwritten with NaN
    res = solve(_make(mats.reshape(A._value.shape), A._dtype), B, left=left)
    x = res._value.copy()
    if x.shape[: len(batch)] == batch:
        x[failed.reshape(batch)] = _nan(x.dtype)
    else:
        x[...] = _nan(x.dtype)
    return SolveExResult(_make(x, res._dtype), info)
