"""Factorizations with orthogonal factors: ``eigh``/``eigvalsh``, ``qr``, ``svd``/``svdvals``.

LAPACK through ``numpy.linalg`` as in :mod:`.linalg_decomp` (same reason); backwards are
PyTorch's ``linalg_eig_backward`` (Hermitian case), ``linalg_qr_backward`` and
``svd_backward``, over Tensors. The backward reads the factors as this node's own outputs
(:func:`_record_factors`), so under ``create_graph`` a second derivative differentiates
through them as PyTorch does, instead of treating them as constants.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import dtypes as D
from ..engine.grad_mode import STATE as GRAD
from ..ops.return_types import named_result
from . import functions as F
from . import movement as M
from .linalg import matmul
from .linalg_decomp import EIG_PHASE, SVD_PHASE, check_matrix, check_phase, mH, solve
from .recording import record_multi
from .structure import diag_embed, diagonal, tril, triu
from .tensor import Tensor, _make

EighResult = named_result("linalg_eigh", ("eigenvalues", "eigenvectors"))
QRResult = named_result("linalg_qr", ("Q", "R"))
SVDResult = named_result("linalg_svd", ("U", "S", "Vh"))
_SVD_V = named_result("svd", ("U", "S", "V"))


def _record_factors(
    name: str, arrays: list, dtypes: list, A: Tensor, backward_of: Callable  # noqa: N803
) -> list:
    """``record_multi`` for a factorization whose backward reads its factors.

    ``backward_of(factors)`` builds the backward; ``factors()`` gives the outputs as tensors.
    Under ``create_graph`` (grad mode on while the backward runs) each is rebuilt with this
    node as ``grad_fn`` and its output number, so the gradient formula is differentiable
    through the factors: PyTorch saves the results of ``linalg_eigh``/``svd``/``qr`` and its
    double backward goes through this node again. A plain backward gets constants. The node
    is held weakly, as :class:`~.recording.ResultBackward` holds its result: the backward
    only runs while the node lives, and a strong reference would make a cycle."""
    ref: list = [None]

    def factors() -> list:
        node = ref[0]() if ref[0] is not None and GRAD.enabled else None
        return [
            _make(a, dt) if node is None else _make(a, dt, node, output_nr=i)
            for i, (a, dt) in enumerate(zip(arrays, dtypes, strict=True))
        ]

    outs = record_multi(name, arrays, dtypes, (A,), backward_of(factors))
    if outs[0].grad_fn is not None:
        ref[0] = weakref.ref(outs[0].grad_fn)
    return outs


def _real(x: Tensor) -> Tensor:
    return x.real if x._dtype.is_complex else x


def _row(x: Tensor) -> Tensor:  # (..., n) -> (..., 1, n)
    return M.unsqueeze(x, -2)


def _col(x: Tensor) -> Tensor:  # (..., n) -> (..., n, 1)
    return M.unsqueeze(x, -1)


def _grads(grads: tuple, n: int) -> list:
    """The engine passes gradients up to the last output that got one: pad with None."""
    return [*grads, *[None] * (n - len(grads))]


def _off_diagonal_ones(d: Tensor) -> Tensor:
    """``d`` with its diagonal replaced by ones (the denominators PyTorch fills with 1)."""
    n = d.shape[-1]
    eye = _make(np.eye(n, dtype=d._value.dtype), d._dtype)
    return d * (1 - eye) + eye


# ---- eigh ------------------------------------------------------------------------------------
def eigh(A: Tensor, UPLO: str = "L") -> tuple[Tensor, Tensor]:  # noqa: N803
    """Eigenvalues (ascending, real) and orthonormal eigenvectors of a symmetric (Hermitian)
    matrix, from its ``UPLO`` triangle, the other one never read (``LinalgEighBackward0``)."""
    check_matrix("linalg.eigh", A)
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    w, v = np.linalg.eigh(A._value, UPLO)
    real = D.real_of(A._dtype)
    outs = _record_factors("LinalgEighBackward0", [w, v], [real, A._dtype], A, _eigh_backward)
    return EighResult(*outs)


def _eigh_backward(factors: Callable) -> Callable:
    def backward(*grads: Tensor | None) -> Tensor | None:
        gL, gV = _grads(grads, 2)  # noqa: N806
        L, V = factors()  # noqa: N806
        if gV is None:  # V diag(gL) V^H
            return matmul(V * _row(gL), mH(V))
        vhgv = matmul(mH(V), gV)
        if V._dtype.is_complex:
            phase = np.diagonal(vhgv._value, 0, -2, -1).imag
            check_phase("linalg_eigh_backward", phase, EIG_PHASE)
        vhgv = (vhgv - mH(vhgv)) * 0.5
        inner = vhgv / _off_diagonal_ones(_row(L) - _col(L))
        if gL is not None:
            inner = inner + diag_embed(gL)
        return matmul(V, matmul(inner, mH(V)))

    return backward


def eigvalsh(A: Tensor, UPLO: str = "L") -> Tensor:  # noqa: N803
    return eigh(A, UPLO)[0]


# ---- QR --------------------------------------------------------------------------------------
def qr(A: Tensor, mode: str = "reduced") -> tuple[Tensor, Tensor]:  # noqa: N803
    """``A = Q R`` with orthonormal ``Q`` and upper-triangular ``R`` (``LinalgQrBackward0``).
    ``mode``: 'reduced' (default), 'complete', or 'r' (Q empty, not differentiable)."""
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(
            f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), "
            "'r', or 'complete'"
        )
    check_matrix("linalg.qr", A, square=False)
    m, n = A.shape[-2], A.shape[-1]
    if mode == "r":
        r = np.linalg.qr(A._value, mode="r")
        q = np.zeros((0,), A._value.dtype)
    else:
        q, r = np.linalg.qr(A._value, mode=mode)
    outs = _record_factors(
        "LinalgQrBackward0", [q, r], [A._dtype] * 2, A, lambda f: _qr_backward(f, mode, m, n)
    )
    return QRResult(*outs)


def _qr_backward(factors: Callable, mode: str, m: int, n: int) -> Callable:
    def backward(*grads: Tensor | None) -> Tensor:
        gQ, gR = _grads(grads, 2)  # noqa: N806
        if mode == "r":
            raise RuntimeError(
                "The derivative of linalg.qr depends on Q, which is not computed when "
                "mode='r'. Please use linalg.qr(A, mode='reduced') if you are going to "
                "differentiate through linalg.qr."
            )
        if mode == "complete" and m > n:
            raise RuntimeError(
                "The QR decomposition is not differentiable when mode='complete' and nrows > ncols."
            )
        Q, R = factors()  # noqa: N806
        gQ = gQ if gQ is not None else F.mul(Q, 0)  # noqa: N806
        gR = gR if gR is not None else F.mul(R, 0)  # noqa: N806
        # (^H is ^T for real factors; the diagonal terms only matter for complex ones)
        mh = matmul(gR, mH(R)) - matmul(mH(Q), gQ)
        if m >= n:
            t = triu(mh)  # t + t^H with the real part of its diagonal halved
            sym = t + mH(t) - diag_embed(_real(diagonal(t, 0, -2, -1)))
            b = matmul(Q, sym) + gQ
            return mH(solve(R, mH(b)))  # b R^-H
        x = -mh
        lower = tril(x - mH(x))  # the imaginary part of its diagonal halved
        lower = lower - diag_embed(diagonal(lower, 0, -2, -1)) * 0.5
        r1 = M.narrow(R, -1, 0, m)
        lead = mH(solve(r1, mH(matmul(Q, lower))))
        pad = _make(np.zeros((*lead.shape[:-1], n - m), lead._value.dtype), lead._dtype)
        return M.cat([lead, pad], dim=-1) + matmul(Q, gR)

    return backward


# ---- SVD -------------------------------------------------------------------------------------
def _check_driver(driver: str | None) -> None:
    """``driver=`` picks a cuSOLVER routine: PyTorch refuses it on the CPU."""
    if driver is not None:
        raise RuntimeError(
            "torch.linalg.svd: keyword argument `driver=` is only supported on CUDA inputs "
            "with cuSOLVER backend."
        )


def svd(
    A: Tensor,  # noqa: N803
    full_matrices: bool = True,
    *,
    driver: str | None = None,
) -> tuple[Tensor, Tensor, Tensor]:
    """``A = U diag(S) Vh``, singular values descending (``LinalgSvdBackward0``)."""
    check_matrix("linalg.svd", A, square=False)
    _check_driver(driver)
    u, s, vh = np.linalg.svd(A._value, full_matrices=full_matrices)
    dts = [A._dtype, D.real_of(A._dtype), A._dtype]
    backward_of = lambda f: _svd_backward(f, A.shape[-2], A.shape[-1], full_matrices)  # noqa: E731
    outs = _record_factors("LinalgSvdBackward0", [u, s, vh], dts, A, backward_of)
    return SVDResult(*outs)


def _svd_backward(factors: Callable, m: int, n: int, full_matrices: bool) -> Callable:
    """The backward of ``svd``/``svdvals``: reduced factors (``U[..., :k]``, ``Vh[..., :k, :]``)
    and the gradients' matching columns and rows."""

    def backward(*grads: Tensor | None) -> Tensor:
        gU, gS, gVh = _grads(grads, 3)  # noqa: N806
        U, S, Vh = factors()  # noqa: N806
        k = S.shape[-1]
        if full_matrices:
            U, Vh = M.narrow(U, -1, 0, k), M.narrow(Vh, -2, 0, k)  # noqa: N806
            gU = None if gU is None else M.narrow(gU, -1, 0, k)  # noqa: N806
            gVh = None if gVh is None else M.narrow(gVh, -2, 0, k)  # noqa: N806
        return svd_backward(gU, gS, gVh, U, S, Vh, m, n)

    return backward


def svd_backward(gU, gS, gVh, U, S, Vh, m: int, n: int) -> Tensor:  # noqa: N803
    """PyTorch's ``svd_backward`` for reduced factors (``^H`` is ``^T`` for real ones). A
    complex loss must not read the phase shared by a pair of singular vectors; the imaginary
    diagonal of ``U^H gU`` that it may keep adds ``diag(U^H gU) / 2S``."""
    if gU is None and gVh is None:
        return matmul(U, _col(gS) * Vh) if m >= n else matmul(U * _row(gS), Vh)
    s2 = S * S
    e = _off_diagonal_ones(_row(s2) - _col(s2))
    uhgu = vhgv = None
    if gU is not None:
        uhgu = matmul(mH(U), gU)
        uhgu = uhgu - mH(uhgu)
    if gVh is not None:
        vhgv = matmul(Vh, mH(gVh))
        vhgv = vhgv - mH(vhgv)
    if U._dtype.is_complex:
        phase = sum(np.diagonal(x._value, 0, -2, -1).imag for x in (uhgu, vhgv) if x is not None)
        check_phase("svd_backward", phase, SVD_PHASE)
    if uhgu is not None and vhgv is not None:
        ga = (uhgu * _row(S) + _col(S) * vhgv) / e
        if U._dtype.is_complex:
            ga = ga + diag_embed(diagonal(uhgu, 0, -2, -1) / (S * 2))
    elif vhgv is None:
        ga = (uhgu / e) * _row(S)
    else:
        ga = _col(S) * (vhgv / e)
    if gS is not None:
        ga = ga + diag_embed(gS)
    if m > n and gU is not None:
        ga = matmul(U, ga)
        gusinv = gU / _row(S)
        ga = ga + gusinv - matmul(U, matmul(mH(U), gusinv))
        return matmul(ga, Vh)
    if m < n and gVh is not None:
        ga = matmul(ga, Vh)
        gvhsinv = gVh / _col(S)
        ga = ga + gvhsinv - matmul(matmul(gvhsinv, mH(Vh)), Vh)
        return matmul(U, ga)
    return matmul(U, matmul(ga, Vh)) if m >= n else matmul(matmul(U, ga), Vh)


def svdvals(A: Tensor, *, driver: str | None = None) -> Tensor:  # noqa: N803
    """The singular values, descending (``LinalgSvdBackward0``: ``U diag(gS) Vh``)."""
    check_matrix("linalg.svd", A, square=False)
    _check_driver(driver)
    u, s, vh = np.linalg.svd(A._value, full_matrices=False)
    # S is the node's output 1: PyTorch runs the full svd node (its U and Vh are read by the
    # backward, and differentiated through under create_graph) and returns S
    dts = [A._dtype, D.real_of(A._dtype), A._dtype]
    m, n = A.shape[-2], A.shape[-1]
    backward_of = lambda f: _svd_backward(f, m, n, False)  # noqa: E731
    return _record_factors("LinalgSvdBackward0", [u, s, vh], dts, A, backward_of)[1]


def svd_torch(input: Tensor, some: bool = True, compute_uv: bool = True) -> Any:  # noqa: A002
    """``torch.svd`` (deprecated): ``(U, S, V)`` with ``V = Vh^H``, not Vh."""
    u, s, vh = svd(input, full_matrices=not some)
    return _SVD_V(u, s, mH(vh))


__all__ = ["eigh", "eigvalsh", "qr", "svd", "svdvals"]


def _qr_method(self: Tensor, some: bool = True) -> tuple[Tensor, Tensor]:
    return qr(self, "reduced" if some else "complete")


METHODS: dict[str, Any] = {"svd": svd_torch, "qr": _qr_method}
