"""``torch.geqrf`` and ``torch.ormqr``: LAPACK's QR in Householder form and the product with
its ``Q`` without forming it for the caller.

``geqrf`` is numpy's ``qr(mode='raw')`` (the same LAPACK routine; numpy returns ``a``
transposed, Fortran order); PyTorch records a ``GeqrfBackward0`` node whose backward refuses.
``ormqr`` multiplies by ``Q = H_1 ... H_k`` (``Q^H`` for ``transpose=True``) from the left or
the right; one ``OrmqrBackward0`` node, its backward written in Tensor ops over
:func:`.linalg_householder.householder_product` (so it has a double backward).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes as D
from ..engine.grad_mode import STATE
from ..ops.return_types import named_result
from . import linalg_householder as HH
from . import movement as M
from .checks import DTYPE_WORDS
from .join_split import cat
from .linalg import matmul
from .linalg_decomp import mH
from .recording import record, record_multi
from .tensor import Tensor, _make

GeqrfResult = named_result("geqrf", ("a", "tau"))

_LAPACK = ("float32", "float64", "complex64", "complex128")


def _geqrf_backward(*_grads: Any) -> tuple[None]:
    raise NotImplementedError("the derivative for 'geqrf' is not implemented.")


def geqrf(input: Tensor) -> GeqrfResult:  # noqa: A002 - PyTorch's names
    """``(a, tau)``: ``R`` on and above ``a``'s diagonal, the reflectors' vectors below it."""
    if input.dim() < 2:
        raise RuntimeError("torch.geqrf: input must have at least 2 dimensions.")
    if input._dtype.name not in _LAPACK:
        word = D.SCALAR_NAMES[input._dtype.name]
        raise NotImplementedError(f"\"geqrf_cpu\" not implemented for '{word}'")
    if input._dtype.is_complex and input._requires_grad and STATE.enabled:
        raise RuntimeError(
            "geqrf does not support automatic differentiation for outputs with complex dtype."
        )
    x = input._value
    m, n = x.shape[-2:]
    if x.size == 0:
        h = np.zeros(x.shape, x.dtype)
        tau = np.zeros((*x.shape[:-2], min(m, n)), x.dtype)
    else:
        ht, tau = np.linalg.qr(x, mode="raw")
        h = np.ascontiguousarray(np.swapaxes(ht, -1, -2), dtype=x.dtype)
        tau = np.asarray(tau, x.dtype)
    a, t = record_multi(
        "GeqrfBackward0", [h, tau], [input._dtype] * 2, (input,), _geqrf_backward
    )
    return GeqrfResult(a, t)


def _ormqr_check(A: Tensor, tau: Tensor, C: Tensor, left: bool) -> None:  # noqa: N803
    """PyTorch's checks, in its order."""
    fn = "torch.ormqr"
    if A.dim() < 2:
        raise RuntimeError(f"{fn}: input must have at least 2 dimensions.")
    if C.dim() < 2:
        raise RuntimeError(f"{fn}: other must have at least 2 dimensions.")
    cond = -2 if left else -1
    if C.shape[cond] != A.shape[-2]:
        raise RuntimeError(f"{fn}: other.shape[{cond}] must be equal to input.shape[-2]")
    if tau.dim() == 0 or tau.shape[-1] != min(C.shape[cond], A.shape[-1]):
        raise RuntimeError(
            f"{fn}: tau.shape[-1] must be equal to min(other.shape[{cond}], input.shape[-1])"
        )
    if A.dim() - tau.dim() != 1:
        raise RuntimeError(
            f"{fn}: Expected tau to have one dimension less than input, but got tau.ndim equal "
            f"to {tau.dim()} and input.ndim is equal to {A.dim()}"
        )
    if A.dim() != C.dim():
        raise RuntimeError(
            f"{fn}: Expected other to have the same number of dimensions as input, but got "
            f"other.ndim equal to {C.dim()} and input.ndim is equal to {A.dim()}"
        )
    for name, t, cut in (("tau", tau, -1), ("other", C, -2)):
        if tuple(t.shape[:cut]) != tuple(A.shape[:-2]):
            raise RuntimeError(
                f"{fn}: Expected batch dimensions of {name} to be equal to input.shape[:-2], "
                f"but got {list(t.shape[:cut])}"
            )
    for name, t in (("tau", tau), ("other", C)):
        if t._dtype is not A._dtype:
            raise RuntimeError(
                f"{fn}: Expected input and {name} to have the same dtype, but input has "
                f"dtype{DTYPE_WORDS[A._dtype.name]} and {name} has dtype "
                f"{DTYPE_WORDS[t._dtype.name]}"
            )
    if A._dtype.name not in _LAPACK:
        word = D.SCALAR_NAMES[A._dtype.name]
        raise NotImplementedError(f"\"ormqr_cpu\" not implemented for '{word}'")


def _square(A: Tensor, k: int) -> Tensor:  # noqa: N803
    """``A``'s first ``k`` columns padded with zeros to ``m x m``: the same reflectors, in
    the square shape whose householder product is the whole ``Q``."""
    m = A.shape[-2]
    head = M.narrow(A, -1, 0, k)
    if k == m:
        return head
    zeros = _make(np.zeros((*A.shape[:-1], m - k), A._value.dtype), A._dtype)
    return cat([head, zeros], dim=-1)


def _apply(q: Any, c: Any, left: bool, transpose: bool, adj: Any) -> Any:
    """``op(Q) C`` or ``C op(Q)``, ``op`` the conjugate transpose when ``transpose``."""
    q = adj(q) if transpose else q
    return q @ c if left else c @ q


def _ormqr_backward(g: Tensor, A: Tensor, tau: Tensor, C: Tensor, left: bool, transpose: bool):  # noqa: N803
    k = tau.shape[-1]
    sq = _square(A, k)
    q = HH.householder_product(sq, tau)
    gc = None
    if C._requires_grad:  # the adjoint of C -> op(Q) C is C -> op(Q)^H C
        gc = _apply(q, g, left, not transpose, mH)
    ga = gt = None
    if A._requires_grad or tau._requires_grad:
        if left:
            gq = matmul(C, mH(g)) if transpose else matmul(g, mH(C))
        else:
            gq = matmul(mH(g), C) if transpose else matmul(mH(C), g)
        ga, gt = HH._backward(gq, sq, tau, A._requires_grad, tau._requires_grad)
        if ga is not None:
            ga = M.narrow(ga, -1, 0, k)
            n = A.shape[-1]
            if n > k:
                zeros = _make(np.zeros((*A.shape[:-1], n - k), A._value.dtype), A._dtype)
                ga = cat([ga, zeros], dim=-1)
    return ga, gt, gc


def ormqr(
    input: Tensor,  # noqa: A002 - PyTorch's names
    input2: Tensor,
    input3: Tensor,
    left: bool = True,
    transpose: bool = False,
) -> Tensor:
    """``Q @ input3`` (``input3 @ Q`` for ``left=False``; ``Q^H`` for ``transpose``) with
    ``Q`` the product of the reflectors ``geqrf`` stored in ``input`` and ``input2``."""
    A, tau, C = input, input2, input3  # noqa: N806
    _ormqr_check(A, tau, C, left)
    k = tau.shape[-1]
    m = A.shape[-2]
    sq = np.zeros((*A.shape[:-1], m), A._value.dtype)
    sq[..., :k] = A._value[..., :k]
    q = HH._product(sq, tau._value)
    value = _apply(q, C._value, left, transpose, lambda x: np.conj(np.swapaxes(x, -1, -2)))
    return record(
        "OrmqrBackward0",
        np.ascontiguousarray(value, A._value.dtype),
        A._dtype,
        (A, tau, C),
        lambda g: _ormqr_backward(g, A, tau, C, left, transpose),
        (A, tau, C),
    )


__all__ = ["geqrf", "ormqr"]

METHODS: dict[str, Any] = {"geqrf": geqrf, "ormqr": ormqr}

#: jitgrad.<name>
TOP_LEVEL: dict[str, Any] = {"geqrf": geqrf, "ormqr": ormqr}
