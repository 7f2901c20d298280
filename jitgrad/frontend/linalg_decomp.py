"""Matrix functions that solve: ``inv``, ``det``, ``slogdet``, ``logdet``, ``solve`` and
``cholesky`` (``torch.linalg``'s names, batched over leading dimensions).

The factorizations run in LAPACK through ``numpy.linalg`` (float32 stays float32): Numba's
own ``np.linalg`` inside ``@njit`` needs SciPy, which is not a jitgrad dependency, and a
hand-written LU in Numba would be slower than LAPACK for every size that matters. The
backwards follow PyTorch's ``FunctionsManual.cpp`` formulas and are written with Tensor
ops (matmul, solve, tril ...), so ``create_graph=True`` differentiates them again.
Failures raise PyTorch's ``linalg.LinAlgError`` (a RuntimeError) with its words.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes as D
from ..engine.grad_mode import STATE
from ..helpers import warn as warn_user
from ..ops.return_types import named_result
from . import argcheck as AC
from . import functions as F
from . import movement as M
from .checks import DTYPE_WORDS
from .conjugate import conj
from .linalg import matmul
from .pointwise import sum_to_shape
from .recording import ResultBackward, record, record_multi
from .structure import tril
from .tensor import Tensor, _make


class _LinAlgError(RuntimeError):
    """``torch.linalg.LinAlgError``: a factorization or solve failed on singular or
    indefinite input (PyTorch's class is named ``_LinAlgError`` too)."""


LinAlgError = _LinAlgError


SlogdetResult = named_result("linalg_slogdet", ("sign", "logabsdet"))


def check_matrix(fn: str, a: Any, square: bool = True, name: str = "A") -> None:
    """PyTorch's checks: a Tensor, at least 2-D, floating or complex, square (its order of
    messages). Every ``torch.linalg`` function takes complex matrices."""
    if not isinstance(a, Tensor):
        raise AC.must_be(fn.replace(".", "_"), name, 1, "Tensor", a)
    if a.dim() < 2:
        raise RuntimeError(f"{fn}: The input tensor {name} must have at least 2 dimensions.")
    if square and a.shape[-1] != a.shape[-2]:
        raise RuntimeError(
            f"{fn}: {name} must be batches of square matrices, but they are "
            f"{a.shape[-2]} by {a.shape[-1]} matrices"
        )
    if not (a._dtype.is_floating_point or a._dtype.is_complex):
        raise RuntimeError(
            f"{fn}: Expected a floating point or complex tensor as input. Got "
            f"{DTYPE_WORDS[a._dtype.name]}"
        )


def mT(x: Tensor) -> Tensor:  # noqa: N802 - PyTorch's name
    return M.transpose(x, -2, -1)


def mH(x: Tensor) -> Tensor:  # noqa: N802 - PyTorch's name
    """The conjugate transpose: what the backward of a complex solve multiplies by
    (``mT`` for a real ``x``, with no conjugation node)."""
    return M.transpose(conj(x), -2, -1)


#: The ends of PyTorch's phase messages: ``(eigen|singular) vectors`` then these words.
EIG_PHASE = ("eigenvectors", "this quantity, so it is ill-defined.")
SVD_PHASE = ("singular vectors", "this phase term, making it ill-defined.")


def check_phase(fn: str, phase: np.ndarray, words: tuple[str, str]) -> None:
    """PyTorch's gauge check: complex eigen/singular vectors are defined up to a unit phase
    per column, so a loss that reads that phase (``phase``: the imaginary parts it depends
    on, zero when it does not) has no gradient. PyTorch's lax tolerance (1e-2) avoids false
    alarms."""
    if not np.allclose(phase, 0, rtol=1e-2, atol=1e-2):
        raise RuntimeError(
            f"{fn}: The {words[0]} in the complex case are specified up to multiplication by "
            f"e^{{i phi}}. The specified loss function depends on {words[1]}"
        )


def _batch_prefix(arr: np.ndarray, index: tuple[int, ...]) -> str:
    """PyTorch names the failing matrix of a batch: ``(Batch element 3): ``."""
    if arr.ndim == 2:
        return ""
    flat = int(np.ravel_multi_index(index, arr.shape[:-2]))
    return f"(Batch element {flat}): "


def _first_failure(arr: np.ndarray, test) -> tuple[tuple[int, ...], int]:
    """The first matrix of a batch on which ``test`` (matrix -> failing order or 0) fails."""
    for index in np.ndindex(*arr.shape[:-2]):
        order = test(arr[index])
        if order:
            return index, order
    return (), 0


def _zero_pivot(m: np.ndarray) -> int:
    """1-based index of the first zero pivot of LU with partial pivoting (LAPACK getrf's
    ``info``), or 0. Only run on the error path."""
    u = m.astype(np.result_type(m.dtype, np.float64))  # complex stays complex
    n = u.shape[0]
    for k in range(n):
        p = k + int(np.argmax(np.abs(u[k:, k])))
        if u[p, k] == 0:
            return k + 1
        u[[k, p]] = u[[p, k]]
        u[k + 1 :, k:] -= np.outer(u[k + 1 :, k] / u[k, k], u[k, k:])
    return 0


def _singular(fn: str, arr: np.ndarray) -> _LinAlgError:
    index, k = _first_failure(arr, _zero_pivot)
    return _LinAlgError(
        f"{fn}: {_batch_prefix(arr, index)}The diagonal element {max(k, 1)} is zero, the "
        "inversion could not be completed because the input matrix is singular."
    )


# ---- inverse, determinants -------------------------------------------------------------------
def inv(A: Tensor) -> Tensor:  # noqa: N803 - PyTorch's name
    """The inverse of each square matrix (``LinalgInvExBackward0``)."""
    check_matrix("linalg.inv", A)
    try:
        value = np.linalg.inv(A._value)
    except np.linalg.LinAlgError:
        raise _singular("linalg.inv", A._value) from None

    def backward(g: Tensor, out: Tensor) -> Tensor:
        t = mH(out)  # -A^-H g A^-H
        return -matmul(t, matmul(g, t))

    return record("LinalgInvExBackward0", value, A._dtype, (A,), backward, base=ResultBackward)


def det(A: Tensor) -> Tensor:  # noqa: N803
    """The determinant (``LinalgDetBackward0``); gradient ``g conj(det(A)) A^-H``, or for a
    singular matrix the SVD form of the cofactors (:func:`_singular_det_grad`)."""
    check_matrix("linalg.det", A)
    value = np.asarray(np.linalg.det(A._value), A._value.dtype)

    def backward(g: Tensor, out: Tensor) -> Tensor:
        scale = M.unsqueeze(M.unsqueeze(g * conj(out), -1), -1)
        try:
            return scale * mH(inv(A))
        except _LinAlgError:
            grad = _singular_det_grad(g, A)
        if STATE.enabled or A.shape[-1] == 1:
            return grad
        # PyTorch 2.13 gives a singular matrix a zero gradient unless it records the
        # backward (create_graph=True); the other matrices of the batch keep theirs
        singular = [_zero_pivot(m) != 0 for m in A._value.reshape(-1, *A.shape[-2:])]
        keep = np.logical_not(singular).reshape(*A.shape[:-2], 1, 1)
        return grad * _make(keep.astype(D.real_of(A._dtype).np), D.real_of(A._dtype))

    return record("LinalgDetBackward0", value, A._dtype, (A,), backward, (A,), ResultBackward)


def _singular_det_grad(g: Tensor, A: Tensor) -> Tensor:  # noqa: N803
    """PyTorch's singular case of ``linalg_det_backward``: with ``A = U diag(S) Vh``,
    ``det A = det U det Vh prod S`` has the gradient ``U diag(conj(det U det Vh) g
    prod_{j != i} S_j) Vh``, which needs no inverse. The factors are constants here, so a
    second derivative does not go through them (as for :mod:`.linalg_spectral`'s ops)."""
    u, s, vh = np.linalg.svd(A._value)
    alpha = np.conj(np.linalg.det(u) * np.linalg.det(vh))
    n = s.shape[-1]
    others = np.stack([np.prod(np.delete(s, i, -1), -1) for i in range(n)], -1)
    weights = _make(np.asarray(alpha[..., None] * others, A._value.dtype), A._dtype)
    d = weights * M.unsqueeze(g, -1)
    return matmul(_make(u, A._dtype) * M.unsqueeze(d, -2), _make(vh, A._dtype))


def slogdet(A: Tensor) -> tuple[Tensor, Tensor]:  # noqa: N803
    """``(sign, log|det|)`` (``LinalgSlogdetBackward0``). ``log|det|`` is real; the sign is
    ``det / |det|`` (complex for a complex ``A``), differentiable only then: with
    ``log det = log|det| + i theta`` the gradient is ``c A^-H``, ``c = g_log + i
    Im(g_sign conj(sign))`` (PyTorch's ``slogdet_backward``)."""
    check_matrix("linalg.slogdet", A)
    sign, logabs = np.linalg.slogdet(A._value)
    real = D.real_of(A._dtype)
    sign_value = np.asarray(sign, A._value.dtype)

    def backward(g_sign: Tensor | None = None, g_log: Tensor | None = None) -> Tensor | None:
        c = g_log
        if A._dtype.is_complex and g_sign is not None:
            turn = (g_sign * _make(np.asarray(np.conj(sign_value)), A._dtype)).imag * 1j
            c = turn if c is None else c + turn
        if c is None:
            return None
        return M.unsqueeze(M.unsqueeze(c, -1), -1) * mH(inv(A))

    values = [sign_value, np.asarray(logabs, real.np)]
    sign_t, log_t = record_multi(
        "LinalgSlogdetBackward0", values, [A._dtype, real], (A,), backward, (A,)
    )
    return SlogdetResult(sign_t, log_t)


def logdet(A: Tensor) -> Tensor:  # noqa: N803
    """``log det(A)``: NaN for a negative determinant (PyTorch: a ``where`` over slogdet);
    complex ``log(sign) + log|det|`` (``AddBackward0`` over ``LogBackward0``)."""
    check_matrix("logdet", A)
    sign, logabs = slogdet(A)
    if A._dtype.is_complex:
        return F.log(sign) + logabs
    return F.where(F.eq(sign, -1.0), _make(np.asarray(np.nan, A._value.dtype), A._dtype), logabs)


# ---- solve -----------------------------------------------------------------------------------
def _vector_rhs(A: Tensor, B: Tensor) -> bool:  # noqa: N803
    """PyTorch's rule: B is a (batch of) vector(s) when 1-D, or when its shape is A's batch
    shape plus one dimension of A's size."""
    return B.dim() == 1 or (B.dim() == A.dim() - 1 and tuple(B.shape) == tuple(A.shape[:-1]))


def solve(A: Tensor, B: Tensor, *, left: bool = True) -> Tensor:  # noqa: N803
    """``X`` with ``A X = B`` (``X A = B`` for ``left=False``), ``LinalgSolveExBackward0``."""
    check_matrix("linalg.solve", A)
    if not isinstance(B, Tensor):
        raise AC.must_be("linalg_solve", "B", 2, "Tensor", B)
    vector = left and _vector_rhs(A, B)
    b = B._value[..., None] if vector else B._value
    if not left:  # X A = B is A^T X^T = B^T
        b = np.swapaxes(b, -1, -2)
    n = A.shape[-1]
    if b.shape[-2] != n:
        rows = b.shape[-2]
        raise RuntimeError(
            "linalg.solve: Incompatible shapes of A and B for the equation AX = B "
            f"({n}x{n} and {rows}x{b.shape[-1]})"
        )
    if A._dtype is not B._dtype:
        raise RuntimeError(
            f"linalg.solve: Expected A and B to have the same dtype, but found A of type "
            f"{DTYPE_WORDS[A._dtype.name]} and B of type {DTYPE_WORDS[B._dtype.name]} instead"
        )
    try:
        x = np.linalg.solve(A._value if left else np.swapaxes(A._value, -1, -2), b)
    except np.linalg.LinAlgError:
        index, _ = _first_failure(A._value, _zero_pivot)
        raise _LinAlgError(
            f"torch.linalg.solve: {_batch_prefix(A._value, index)}The solver failed because "
            "the input matrix is singular."
        ) from None
    value = x[..., 0] if vector else x if left else np.swapaxes(x, -1, -2)

    def backward(g: Tensor, out: Tensor) -> tuple[Tensor | None, Tensor | None]:
        # (complex: the conjugate transposes, ^H; ^T for real matrices)
        if not left:  # X = B A^-1: gB = g A^-H, gA = -X^H gB
            gb = mH(solve(A, mH(g)))
            ga = _sum_to(-matmul(mH(out), gb), A.shape) if A._requires_grad else None
            return ga, (_sum_to(gb, B.shape) if B._requires_grad else None)
        gb = solve(mH(A), g)
        ga = None
        if A._requires_grad:
            if vector:
                ga = -M.unsqueeze(gb, -1) * M.unsqueeze(conj(out), -2)
            else:
                ga = -matmul(gb, mH(out))
            ga = _sum_to(ga, A.shape)
        return ga, (_sum_to(gb, B.shape) if B._requires_grad else None)

    return record("LinalgSolveExBackward0", value, A._dtype, (A, B), backward, (A,), ResultBackward)


def _sum_to(g: Tensor, shape: tuple[int, ...]) -> Tensor:
    """Sum a gradient over the batch dimensions broadcasting added."""
    return sum_to_shape(g, tuple(shape))


# ---- Cholesky --------------------------------------------------------------------------------
def _indefinite_order(m: np.ndarray) -> int:
    """The order of the first leading minor that is not positive-definite (potrf's info)."""
    for k in range(1, m.shape[0] + 1):
        try:
            np.linalg.cholesky(m[:k, :k])
        except np.linalg.LinAlgError:
            return k
    return 0


def cholesky(A: Tensor, *, upper: bool = False) -> Tensor:  # noqa: N803
    """Lower factor ``L`` with ``A = L L^T`` (``upper``: ``L^T``), from A's lower triangle
    (``LinalgCholeskyExBackward0``)."""
    return _cholesky(A, upper, "linalg.cholesky", "LinalgCholeskyExBackward0")


_WARNED: set[str] = set()


def warn_once(message: str) -> None:
    """PyTorch's ``TORCH_WARN_ONCE`` for a deprecated name: once a process, pointing at the
    caller of the deprecated function."""
    if message not in _WARNED:
        _WARNED.add(message)
        warn_user(message, UserWarning, stacklevel=3)


def cholesky_deprecated(input: Tensor, upper: bool = False) -> Tensor:  # noqa: A002
    """``torch.cholesky`` (deprecated in PyTorch, node ``CholeskyBackward0``)."""
    warn_once(
        "torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be removed "
        "in a future PyTorch release.\nL = torch.cholesky(A)\nshould be replaced with\nL = "
        "torch.linalg.cholesky(A)\nand\nU = torch.cholesky(A, upper=True)\nshould be "
        "replaced with\nU = torch.linalg.cholesky(A).mH\nThis transform will produce "
        "equivalent results for all valid (symmetric positive definite) inputs."
    )
    return _cholesky(input, upper, "linalg.cholesky", "CholeskyBackward0")


def cholesky_source(a: np.ndarray, upper: bool) -> np.ndarray:
    """The matrix whose lower triangle is factored: ``upper`` reads ``A``'s upper triangle,
    as LAPACK's potrf('U'), and ``U = chol(A^T)^T`` (``A = U^H U``; no conjugation, so no
    -0 imaginary parts PyTorch would not show)."""
    return np.swapaxes(a, -1, -2) if upper else a


def _cholesky(a: Tensor, upper: bool, fn: str, node: str) -> Tensor:
    check_matrix(fn, a)
    src = cholesky_source(a._value, upper)
    try:
        low = np.linalg.cholesky(src)
    except np.linalg.LinAlgError:
        index, k = _first_failure(src, _indefinite_order)
        raise _LinAlgError(
            f"{fn}: {_batch_prefix(src, index)}The factorization could not be completed "
            f"because the input is not positive-definite (the leading minor of order {k} is "
            "not positive-definite)."
        ) from None
    value = np.swapaxes(low, -1, -2).copy() if upper else low

    def backward(g: Tensor, out: Tensor) -> Tensor:
        # PyTorch's cholesky_backward: P = (t + tril(t, -1)^H) / 2 with t = tril(L^H gL),
        # then L^-H P L^-1 as two solves (^H is ^T for a real L)
        L, gL = (mH(out), mH(g)) if upper else (out, g)  # noqa: N806
        t = tril(matmul(mH(L), gL))
        p = (t + mH(tril(t, -1))) * 0.5
        x1 = solve(mH(L), p)
        return mH(solve(mH(L), mH(x1)))

    return record(node, value, a._dtype, (a,), backward, base=ResultBackward)


__all__ = ["cholesky", "det", "inv", "logdet", "slogdet", "solve"]


def _inverse(input: Tensor) -> Tensor:  # noqa: A002
    return inv(input)


def _slogdet(input: Tensor) -> tuple[Tensor, Tensor]:  # noqa: A002
    return slogdet(input)


#: Tensor methods (``m.inverse()``, ``m.det()`` ...), bound by jitgrad.methods.bind().
METHODS: dict[str, Any] = {
    "inverse": _inverse,
    "det": det,
    "logdet": logdet,
    "slogdet": _slogdet,
    "cholesky": cholesky_deprecated,
}

#: jitgrad.<name> (torch.inverse, torch.det ...).
TOP_LEVEL: dict[str, Any] = {
    "inverse": _inverse,
    "det": det,
    "logdet": logdet,
    "slogdet": _slogdet,
    "cholesky": cholesky_deprecated,
}
