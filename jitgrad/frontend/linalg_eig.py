"""``torch.linalg.eig`` / ``eigvals``: the eigen-decomposition of a general square matrix.

LAPACK's ``geev`` through ``numpy.linalg.eig`` (as PyTorch's CPU kernel calls it): complex
results always (complex64 from float32, complex128 from float64), each eigenvector of unit
2-norm with its largest component real, as geev leaves them. PyTorch's build may link another
LAPACK, so the eigenvectors can differ from PyTorch's by a unit phase (and eigenvalue order
can differ in ties); they are defined only up to that phase anyway.

The backward is PyTorch's ``linalg_eig_backward`` (non-Hermitian case), computed in numpy on
the saved factors: a second derivative through it is not recorded.
"""

from __future__ import annotations

import numpy as np

from .. import dtypes as D
from ..engine.grad_mode import STATE
from ..ops.return_types import named_result
from .linalg_decomp import EIG_PHASE, check_matrix, check_phase
from .recording import record_multi
from .tensor import Tensor, _make

EigResult = named_result("linalg_eig", ("eigenvalues", "eigenvectors"))


def _check(fn: str, A: Tensor, vectors: bool) -> bool:
    """PyTorch's checks; whether ``A`` is all finite. PyTorch refuses a non-finite matrix when
    it computes eigenvectors (``eig``, or ``eigvals`` of a matrix that requires grad)."""
    check_matrix(fn, A)
    finite = not A.numel() or bool(np.isfinite(A._value).all())
    if not finite and (vectors or (A._requires_grad and STATE.enabled)):
        raise RuntimeError("torch.linalg.eig: input tensor should not contain infs or NaNs.")
    return finite


def _mH(a: np.ndarray) -> np.ndarray:
    return np.conj(np.swapaxes(a, -1, -2))


def _eig_grad(L: np.ndarray, V: np.ndarray, gL: Tensor | None, gV: Tensor | None) -> np.ndarray:
    """PyTorch's ``linalg_eig_backward`` for a general matrix: ``V^{-H} (gA) V^H`` with
    ``gA = diag(gL) + (V^H gV - V^H V Re(diag(V^H gV))) / (conj(L_j) - conj(L_i))``."""
    n = L.shape[-1]
    gA = np.zeros(L.shape[:-1] + (n, n), L.dtype)
    if gV is not None:
        VhgV = _mH(V) @ gV._value
        diag = np.diagonal(VhgV, 0, -2, -1)
        check_phase("linalg_eig_backward", diag.imag, EIG_PHASE)
        VhgV = VhgV - _mH(V) @ (V * diag.real[..., None, :])
        Lc = np.conj(L)
        E = Lc[..., None, :] - Lc[..., :, None]
        E = E + np.eye(n)  # the diagonal (zero) becomes one, as PyTorch fills it
        gA = VhgV / E
    if gL is not None:
        gA = gA + gL._value[..., None] * np.eye(n)
    return np.linalg.solve(_mH(V), gA @ _mH(V))


def _decompose(fn: str, A: Tensor, vectors: bool) -> list[Tensor]:
    cdt = A._dtype if A._dtype.is_complex else D.complex_of(A._dtype)
    if not _check(fn, A, vectors):  # eigvals without grad: NaNs where LAPACK's geev gives
        # them for an inf (for a NaN its answer depends on where the NaN is: not modelled)
        return [_make(np.full(A.shape[:-1], np.nan + 1j * np.nan, cdt.np), cdt)]
    L, V = np.linalg.eig(A._value)
    L, V = L.astype(cdt.np), V.astype(cdt.np)

    def backward(gL: Tensor | None = None, gV: Tensor | None = None) -> Tensor:
        g = _eig_grad(L, V, gL, gV if vectors else None)
        return _make(g if A._dtype.is_complex else g.real.astype(A._dtype.np), A._dtype)

    values = [L, V] if vectors else [L]
    return record_multi("LinalgEigBackward0", values, [cdt] * len(values), (A,), backward)


def eig(A: Tensor) -> tuple[Tensor, Tensor]:
    """Eigenvalues and unit eigenvectors of a square matrix (batch), complex always."""
    return EigResult(*_decompose("linalg.eig", A, True))


def eigvals(A: Tensor) -> Tensor:
    """The eigenvalues of a square matrix (batch), complex always (``LinalgEigBackward0``)."""
    return _decompose("linalg.eigvals", A, False)[0]


__all__ = ["eig", "eigvals"]
