"""One table of complex ``torch.linalg`` calls, read by the recorder
(tests/fixtures/make_complex_linalg_torch.py, real PyTorch) and by
tests/test_linalg_complex.py (jitgrad), built with the module given (``T``): each op is the
input it takes (``"A"``, a general 3x3 complex matrix, or ``"H"``, Hermitian positive-definite
``A A^H + 3I``), the call, and a real loss of its outputs that reads real and imaginary parts
and, for eigen/singular vectors, only what does not depend on their phase."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

A_VALUE = np.array(
    [
        [0.5 - 0.3j, 1.2 + 0.4j, -0.7 + 0.9j],
        [0.1 + 0.8j, -0.6 - 0.2j, 0.3 + 0.25j],
        [1.1 - 0.5j, 0.2 + 0.6j, 0.9 - 0.4j],
    ]
)
H_VALUE = A_VALUE @ A_VALUE.conj().T + 3 * np.eye(3)

#: ``H`` with garbage in one triangle: cholesky(upper=False) reads the lower one, upper=True
#: the upper one (LAPACK's potrf 'L'/'U').
H_BAD_UPPER = np.array([[4, 5], [1 - 1j, 3]], dtype=np.complex128)
H_BAD_LOWER = np.array([[4, 1 + 1j], [5, 3]], dtype=np.complex128)

#: Singular matrices (and a batch with one) whose det gradient PyTorch 2.13 gives as zeros
#: without create_graph, the cofactors with it.
SINGULAR = {
    "complex": [[1, 1j], [1j, -1]],
    "real": [[1.0, 2.0], [2.0, 4.0]],
    "rank_one_diag": [[1.0, 0.0], [0.0, 0.0]],
    "batch": [[[1.0, 2.0], [2.0, 4.0]], [[1.0, 0.0], [0.0, 2.0]]],
    "one_by_one": [[0.0]],
}


def det_loss(d: Any) -> Any:
    return (d.abs() ** 2 + d.real).sum() if d.is_complex() else (d * 1.5).sum()


Op = tuple[str, Callable[[Any], tuple], Callable[[tuple], Any]]


def ops(T: Any) -> dict[str, Op]:  # noqa: N803 - the torch-like module
    """name -> (input, call returning a tuple of outputs, real loss of the outputs)."""
    L = T.linalg  # noqa: N806

    def weights(t: Any) -> Any:
        return T.arange(t.numel(), dtype=T.float64).reshape(t.shape) / 7 + 1

    def ri(t: Any) -> Any:
        if t.is_complex():
            return ((t.real + 2 * t.imag) * weights(t)).sum()
        return (t * weights(t)).sum()

    def vec_loss(v: Any) -> Any:  # |v|^2 ignores each column's phase
        return (v.abs() ** 2 * weights(v)).sum()

    return {
        "inv": ("A", lambda x: (L.inv(x),), lambda o: ri(o[0])),
        "det": ("A", lambda x: (L.det(x),), lambda o: o[0].abs() + o[0].real),
        "slogdet": ("A", lambda x: tuple(L.slogdet(x)), lambda o: ri(o[0]) + o[1]),
        "logdet": ("A", lambda x: (T.logdet(x),), lambda o: ri(o[0])),
        "cholesky": ("H", lambda x: (L.cholesky(x),), lambda o: ri(o[0])),
        "cholesky_upper": ("H", lambda x: (L.cholesky(x, upper=True),), lambda o: ri(o[0])),
        "eigh": ("H", lambda x: tuple(L.eigh(x)), lambda o: ri(o[0]) + vec_loss(o[1])),
        "eigvalsh": ("H", lambda x: (L.eigvalsh(x),), lambda o: ri(o[0])),
        "svd": (
            "A",
            lambda x: tuple(L.svd(x)),
            lambda o: ri(o[1]) + vec_loss(o[0]) + ri(o[0] @ o[2]),
        ),
        "svdvals": ("A", lambda x: (L.svdvals(x),), lambda o: ri(o[0])),
        "pinv_wide": ("A", lambda x: (L.pinv(x[:2]),), lambda o: ri(o[0])),
        "qr": ("A", lambda x: tuple(L.qr(x)), lambda o: ri(o[0]) + ri(o[1])),
        "qr_tall": ("A", lambda x: tuple(L.qr(x[:, :2])), lambda o: ri(o[0]) + ri(o[1])),
        "matrix_exp": ("A", lambda x: (L.matrix_exp(x),), lambda o: ri(o[0])),
        "matrix_power_neg": ("A", lambda x: (L.matrix_power(x, -2),), lambda o: ri(o[0])),
        "matrix_norm_nuc": ("A", lambda x: (L.matrix_norm(x, "nuc"),), lambda o: o[0]),
        "matrix_norm_inf": ("A", lambda x: (L.matrix_norm(x, float("inf")),), lambda o: o[0]),
        "matrix_norm_neg1_keepdim": (
            "A",
            lambda x: (L.matrix_norm(x, -1, (1, 0), keepdim=True),),
            lambda o: o[0].sum(),
        ),
        "cond": ("A", lambda x: (L.cond(x),), lambda o: o[0]),
        "lstsq": ("A", lambda x: (L.lstsq(x, x[:, :1]).solution,), lambda o: ri(o[0])),
        "vecdot": ("A", lambda x: (L.vecdot(x, x.flip(0)),), lambda o: ri(o[0])),
        "cholesky_inverse": (
            "H",
            lambda x: (T.cholesky_inverse(x.tril()),),
            lambda o: ri(o[0]),
        ),
    }


#: Outputs whose values are unique (the rest, eigen/singular vectors, only up to a phase).
PHASE_FREE = {"eigh": (0,), "svd": (1,)}


def phase_losses(T: Any) -> dict[str, tuple[str, Callable[[Any], Any]]]:  # noqa: N803
    """Losses that read the phase of eigen/singular vectors: their backward must raise."""
    L = T.linalg  # noqa: N806
    return {
        "eig": ("A", lambda x: L.eig(x)[1].real.sum()),
        "eigh": ("H", lambda x: L.eigh(x)[1].real.sum()),
        "svd_U": ("A", lambda x: L.svd(x)[0].real.sum()),
        "svd_Vh": ("A", lambda x: L.svd(x)[2].imag.sum()),
    }


def dtype_errors(T: Any) -> dict[str, Callable[[], Any]]:  # noqa: N803
    """Norm calls whose ``dtype`` PyTorch refuses (narrowing, complex/real mismatch)."""
    c128 = T.tensor(A_VALUE)
    r64 = T.tensor(A_VALUE.real)
    L = T.linalg  # noqa: N806
    return {
        "vector_norm_narrowing": lambda: L.vector_norm(c128, dtype=T.complex64),
        "vector_norm_complex_to_real": lambda: L.vector_norm(c128, dtype=T.float64),
        "vector_norm_real_to_complex": lambda: L.vector_norm(r64, dtype=T.complex128),
        "vector_norm_real_narrowing": lambda: L.vector_norm(r64, dtype=T.float32),
        "matrix_norm_narrowing": lambda: L.matrix_norm(c128, dtype=T.complex64),
        "matrix_norm_complex_to_real": lambda: L.matrix_norm(c128, "nuc", dtype=T.float64),
        "norm_narrowing": lambda: L.norm(c128, dtype=T.complex64),
    }
