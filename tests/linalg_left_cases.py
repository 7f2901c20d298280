"""Inputs and calls shared by the recorder (tests/fixtures/make_linalg_left_torch.py, real
PyTorch) and tests/test_linalg_left.py (jitgrad): lstsq's residuals, the nuclear norm through
``torch.norm`` and ``torch.linalg.householder_product``. Each call takes the module (``T``)
and leaf tensors, and returns the outputs whose node names, values and gradients are compared.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

TALL = np.array([[1.0, 0.5, -0.3], [0.2, -1.1, 0.7], [0.9, 0.4, 1.3], [-0.6, 0.8, 0.1],
                 [0.3, -0.2, -0.9]])  # fmt: skip
RHS = np.array([[0.4, -1.0], [1.2, 0.3], [-0.5, 0.8], [0.7, 0.2], [0.1, -0.6]])
TALL_C = TALL + 1j * np.roll(TALL, 1, axis=0) * 0.5
RHS_C = RHS - 1j * np.roll(RHS, 2, axis=0) * 0.7


def _res(driver: str, vector: bool = False) -> Callable[[Any, Any, Any], Any]:
    """lstsq's solution and residuals; the loss reads both."""

    def call(T: Any, a: Any, b: Any) -> tuple:  # noqa: N803
        r = T.linalg.lstsq(a, b[:, 0] if vector else b, driver=driver)
        return r.solution, r.residuals

    return call


#: name -> (complex?, driver, vector rhs?)
LSTSQ = {
    "gelsd": (False, "gelsd", False),
    "gels": (False, "gels", False),
    "gelss_vector": (False, "gelss", True),
    "gelsy_empty": (False, "gelsy", False),
    "complex_gelsd": (True, "gelsd", False),
    "complex_gels_vector": (True, "gels", True),
}


def lstsq_inputs(T: Any, is_complex: bool) -> tuple[Any, Any]:  # noqa: N803
    a, b = (TALL_C, RHS_C) if is_complex else (TALL, RHS)
    return T.tensor(a).requires_grad_(), T.tensor(b).requires_grad_()


def lstsq_loss(T: Any, outs: tuple) -> Any:  # noqa: N803
    """A real loss of the solution (real and imaginary parts) and the residuals."""
    x, res = outs
    xr = T.view_as_real(x) if x.is_complex() else x
    return (xr * xr).sum() * 0.5 + (res * T.arange(1, res.numel() + 1).to(res.dtype)).sum()

CUBE = np.arange(24.0).reshape(2, 3, 4) * 0.25 - np.eye(3, 4)[None] * 2

#: name -> torch.norm call with a matrix order over a leaf (float64; "_c" ones complex128)
NUC: dict[str, Callable[[Any, Any], Any]] = {
    "matrix": lambda T, x: T.norm(x[0], "nuc"),  # noqa: N803
    "method": lambda T, x: x[1].norm(p="nuc"),  # noqa: N803
    "dims": lambda T, x: T.norm(x, "nuc", dim=(0, 2)),  # noqa: N803
    "dims_keepdim": lambda T, x: T.norm(x, "nuc", dim=(2, 0), keepdim=True),  # noqa: N803
    "batch": lambda T, x: T.norm(x, p="nuc", dim=[-2, -1]),  # noqa: N803
    "complex": lambda T, x: T.norm(x.to(T.complex128) * (1 + 0.5j), "nuc", dim=(1, 2)),  # noqa: N803
}

#: name -> a call PyTorch refuses (type and message recorded)
NUC_ERRORS: dict[str, Callable[[Any], Any]] = {
    "three_dims": lambda T: T.norm(T.ones(2, 3, 4), "nuc"),  # noqa: N803
    "one_dim": lambda T: T.norm(T.ones(2, 3, 4), "nuc", 1),  # noqa: N803
    "vector": lambda T: T.norm(T.ones(3), "nuc"),  # noqa: N803
    "bad_order": lambda T: T.norm(T.ones(2, 2), "abc"),  # noqa: N803
    "same_dims": lambda T: T.norm(T.ones(2, 2), "nuc", (0, -2)),  # noqa: N803
    "integer": lambda T: T.norm(T.ones(2, 2, dtype=T.int64), "nuc"),  # noqa: N803
    "fro_three_dims": lambda T: T.norm(T.ones(2, 3, 4), "fro", (0, 1, 2)),  # noqa: N803
    "bad_dtype": lambda T: T.norm(T.ones(2, 2, dtype=T.float64), "nuc", dtype=T.float32),  # noqa: N803
    "matrix_norm_dims": lambda T: T.linalg.matrix_norm(T.ones(2, 3, 4), "nuc", dim=(0, 1, 2)),  # noqa: N803
}

#: Householder vectors (below the diagonal) and scales: a tall matrix, two reflectors; the
#: batch has three, k = n.
HH_A = np.array([[0.7, -0.2, 0.4], [0.3, 1.1, -0.5], [-0.8, 0.6, 0.9], [0.5, -0.4, 0.2]])
HH_TAU = np.array([1.3, 0.6])
HH_BATCH = np.stack([HH_A, HH_A[::-1] * 0.5 + 0.1])
HH_BATCH_TAU = np.array([[1.2, 0.4, 1.9], [0.7, 1.5, 0.3]])

#: name -> (A, tau, complex?, call): the calls PyTorch spells it with
HOUSEHOLDER: dict[str, tuple[np.ndarray, np.ndarray, bool, Callable[[Any, Any, Any], Any]]] = {
    "linalg": (HH_A, HH_TAU, False, lambda T, a, t: T.linalg.householder_product(a, t)),  # noqa: N803
    "orgqr": (HH_A, HH_TAU, False, lambda T, a, t: T.orgqr(a, t)),  # noqa: N803
    "method": (HH_BATCH, HH_BATCH_TAU, False, lambda T, a, t: a.orgqr(t)),  # noqa: N803
    "complex": (HH_A * (1 - 0.4j) + 0.2j, HH_TAU * (1 + 0.3j), True,
                lambda T, a, t: T.linalg.householder_product(a, t)),  # noqa: N803
    "complex_batch": (HH_BATCH * (0.8 + 0.5j), HH_BATCH_TAU * (1 - 0.2j), True,
                      lambda T, a, t: T.linalg.householder_product(a, t)),  # noqa: N803
}  # fmt: skip


def householder_loss(T: Any, q: Any) -> Any:  # noqa: N803
    """A real loss that weighs every entry (real and imaginary parts) differently."""
    qr = T.view_as_real(q) if q.is_complex() else q
    return (qr * T.arange(1, qr.numel() + 1).reshape(qr.shape).to(qr.dtype)).sum()


#: name -> a call PyTorch refuses (type and message recorded)
HOUSEHOLDER_ERRORS: dict[str, Callable[[Any], Any]] = {
    "vector": lambda T: T.linalg.householder_product(T.ones(3), T.ones(1)),  # noqa: N803
    "wide": lambda T: T.linalg.householder_product(T.ones(3, 4), T.ones(1)),  # noqa: N803
    "long_tau": lambda T: T.linalg.householder_product(T.ones(4, 3), T.ones(4)),  # noqa: N803
    "tau_ndim": lambda T: T.linalg.householder_product(T.ones(4, 3), T.ones(1, 2)),  # noqa: N803
    "tau_batch": lambda T: T.linalg.householder_product(T.ones(2, 4, 3), T.ones(3, 2)),  # noqa: N803
    "tau_dtype": lambda T: T.linalg.householder_product(  # noqa: N803
        T.ones(4, 3), T.ones(2, dtype=T.float64)
    ),
    "integer": lambda T: T.orgqr(T.ones(4, 3, dtype=T.int64), T.ones(2, dtype=T.int64)),  # noqa: N803
    "scalar_tau": lambda T: T.linalg.householder_product(T.ones(4, 3), T.ones(())),  # noqa: N803
    "orgqr_wide": lambda T: T.orgqr(T.ones(3, 4), T.ones(1)),  # noqa: N803
}


def _hermitian(seed: int, n: int, small: tuple = ()) -> np.ndarray:
    """A Hermitian ``n x n`` matrix; ``small`` diagonal entries made tiny so that
    Bunch-Kaufman picks interchanges and 2x2 blocks."""
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((n, n)) + 1j * rng.standard_normal((n, n))
    h = a + a.conj().T
    for i in small:
        h[i, i] = 0.01 * (i + 1)
    return h


#: Hermitian matrices for ldl_factor(hermitian=True) (the last a batch), and right-hand sides
LDL_HERMITIAN = {
    "two_by_two_blocks": _hermitian(0, 5, (0, 2)),
    "one_by_one": _hermitian(1, 4) + 8 * np.eye(4),
    "zero_diagonal": _hermitian(2, 4, (0, 1, 2, 3)) * (1 - np.eye(4)),
    "batch": np.stack([_hermitian(3, 3, (0,)), _hermitian(4, 3, (1, 2))]),
}
LDL_RHS = (np.arange(10.0).reshape(5, 2) - 4) * (0.5 + 0.25j)
