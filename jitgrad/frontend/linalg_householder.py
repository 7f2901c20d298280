"""``torch.linalg.householder_product`` (``torch.orgqr``, ``Tensor.orgqr``): the first ``n``
columns of ``H_1 ... H_k``, ``H_i = I - tau_i v_i v_i^H`` with ``v_i`` column ``i`` of ``A``
below the diagonal and 1 on it (LAPACK's ``orgqr``). One ``LinalgHouseholderProductBackward0``
node, as in PyTorch; the forward applies the reflectors with numpy, the backward is written in
Tensor ops (so it has a double backward): with ``W_i = (H_1..H_{i-1})^H G (H_{i+1}..H_k E)^H``
the gradient reaching ``H_i``, ``tau_i`` gets ``-v^H W_i v`` and ``v_i`` gets
``-conj(tau_i) W_i v - tau_i W_i^H v``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import movement as M
from .checks import DTYPE_WORDS
from .conjugate import conj
from .linalg import matmul
from .linalg_decomp import mH
from .recording import record
from .reduce_common import type_word
from .structure import tril
from .tensor import Tensor, _make

_FN = "torch.linalg.householder_product"


def _check(A: Tensor, tau: Tensor) -> None:  # noqa: N803
    """PyTorch's checks, in its order (a 0-d ``tau`` fails on its last dimension first)."""
    if A.dim() < 2:
        raise RuntimeError(f"{_FN}: input must have at least 2 dimensions.")
    if A.shape[-2] < A.shape[-1]:
        raise RuntimeError(
            f"{_FN}: input.shape[-2] must be greater than or equal to input.shape[-1]"
        )
    if tau.dim() == 0:
        raise IndexError("Dimension specified as -1 but tensor has no dimensions")
    if A.shape[-1] < tau.shape[-1]:
        raise RuntimeError(f"{_FN}: input.shape[-1] must be greater than or equal to tau.shape[-1]")
    if tau.dim() != A.dim() - 1:
        raise RuntimeError(
            f"{_FN}: Expected tau to have one dimension less than input, but got tau.ndim equal "
            f"to {tau.dim()} and input.ndim is equal to {A.dim()}"
        )
    if tuple(tau.shape[:-1]) != tuple(A.shape[:-2]):
        raise RuntimeError(
            f"{_FN}: Expected batch dimensions of tau to be equal to input.shape[:-2], but got "
            f"{list(tau.shape[:-1])}"
        )
    if tau._dtype is not A._dtype:
        raise RuntimeError(
            f"{_FN}: tau dtype {DTYPE_WORDS[tau._dtype.name]} does not match input dtype "
            f"{DTYPE_WORDS[A._dtype.name]}"
        )
    if A._dtype.name not in ("float32", "float64", "complex64", "complex128"):
        raise NotImplementedError(f"\"orgqr_cpu\" not implemented for '{type_word(A._dtype)}'")


def _product(a: np.ndarray, tau: np.ndarray) -> np.ndarray:
    """``H_1 ... H_k`` times the first ``n`` columns of the identity, the last reflector
    applied first."""
    m, n = a.shape[-2:]
    v = np.tril(a, -1) + np.eye(m, n, dtype=a.dtype)
    q = np.broadcast_to(np.eye(m, n, dtype=a.dtype), a.shape).copy()
    for i in reversed(range(tau.shape[-1])):
        vi = v[..., :, i : i + 1]
        q = q - tau[..., i, None, None] * (vi @ (np.conj(np.swapaxes(vi, -1, -2)) @ q))
    return q


def _backward(
    g: Tensor,
    A: Tensor,  # noqa: N803
    tau: Tensor,
    need_a: bool | None = None,
    need_tau: bool | None = None,
) -> tuple[Tensor | None, Tensor | None]:
    """The gradients for ``A`` and ``tau`` (each only when needed: by default when it requires
    grad; ``ormqr`` asks for them on a padded copy of its input)."""
    need_a = A._requires_grad if need_a is None else need_a
    need_tau = tau._requires_grad if need_tau is None else need_tau
    m, n = A.shape[-2:]
    k = tau.shape[-1]
    dt = A._value.dtype
    eye = _make(np.eye(m, dtype=dt), A._dtype)
    V = tril(A, -1) + _make(np.eye(m, n, dtype=dt), A._dtype)  # noqa: N806
    vs = [M.narrow(V, -1, i, 1) for i in range(k)]
    ts = [M.unsqueeze(M.narrow(tau, -1, i, 1), -1) for i in range(k)]
    hs = [eye - t * matmul(v, mH(v)) for v, t in zip(vs, ts, strict=True)]
    rights = [_make(np.eye(m, n, dtype=dt), A._dtype)]  # H_{i+1} .. H_k E, from i = k-1 down
    for h in reversed(hs[1:]):
        rights.append(matmul(h, rights[-1]))
    rights.reverse()
    ga = gt = None
    left = None  # H_1 .. H_{i-1}
    for i, (v, t, right) in enumerate(zip(vs, ts, rights, strict=True)):
        w = matmul(g, mH(right)) if left is None else matmul(mH(left), matmul(g, mH(right)))
        if need_tau:
            e = _make(np.eye(k, dtype=dt)[i], tau._dtype)
            term = -M.squeeze(matmul(mH(v), matmul(w, v)), -1) * e
            gt = term if gt is None else gt + term
        if need_a:
            gv = -(conj(t) * matmul(w, v)) - t * matmul(mH(w), v)
            row = _make(np.eye(1, n, i, dtype=dt), A._dtype)
            term = matmul(gv, row)
            ga = term if ga is None else ga + term
        left = hs[i] if left is None else matmul(left, hs[i])
    if ga is not None:
        ga = tril(ga, -1)
    elif need_a:  # no reflectors: Q does not depend on A
        ga = A.detach() * 0
    return ga, gt


def householder_product(A: Tensor, tau: Tensor) -> Tensor:  # noqa: N803 - PyTorch's names
    """The product of the Householder reflectors stored in ``A`` and ``tau``, ``m x n``."""
    _check(A, tau)
    value = _product(A._value, tau._value)
    return record(
        "LinalgHouseholderProductBackward0",
        np.asarray(value, A._value.dtype),
        A._dtype,
        (A, tau),
        lambda g: _backward(g, A, tau),
        (A, tau),
    )


def _orgqr(input: Tensor, tau: Tensor) -> Tensor:  # noqa: A002 - torch.orgqr's names
    return householder_product(input, tau)


__all__ = ["householder_product"]

METHODS: dict[str, Any] = {"orgqr": _orgqr}

#: jitgrad.<name>
TOP_LEVEL: dict[str, Any] = {"orgqr": _orgqr}
