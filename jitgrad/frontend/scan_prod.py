"""``cumprod`` and its gradient (PyTorch's ``cumprod_backward``): dividing by the input where
it has no zeros; with zeros, each slice's first zero treated apart, or, under ``create_graph``,
PyTorch's differentiable sum of omitted products; complex inputs take the conjugate (PyTorch's
convention: the gradient is ``g`` times the conjugate of the derivative).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes as D
from ..engine.grad_mode import STATE
from . import functions as F
from .join_split import cat
from .recording import record
from .reduce_common import dim_or_axis
from .tensor import Tensor, _make, _wrap_dim


def cumprod(
    input: Tensor,  # noqa: A002
    dim: Any = None,
    *,
    dtype: Any = None,
    axis: Any = None,
) -> Tensor:
    """Running product along ``dim`` (or NumPy's ``axis``). Its gradient divides by the input
    where that has no zeros, else treats each slice's first zero apart
    (:func:`_cumprod_grad_with_zeros`); both are differentiable again."""
    dim = dim_or_axis("cumprod", dim, axis)
    if dtype is not None:
        input = input.to(dtype)
    elif not (input._dtype.is_floating_point or input._dtype.is_complex):
        input = input.to(D.int64)
    d = _wrap_dim(dim, input.dim()) if input.dim() else 0
    a = input._value
    out = np.cumprod(a, axis=d) if a.ndim else a.copy()

    def backward(g: Tensor) -> tuple:
        if not a.ndim:
            return (g,)
        # complex: PyTorch's gradient is g times the conjugate of d out / d x, so the same
        # formulas run on conj(x) (whose running product is conj(out))
        x = input.conj() if input._dtype.is_complex else input
        zeros = bool(np.any(a == 0))
        return (cumprod_grad(x, lambda: _make(np.conj(out), x._dtype), g, d, zeros),)

    return record("CumprodBackward0", out, input._dtype, (input,), backward, (input,))


def cumprod_grad(x: Tensor, out: Any, g: Tensor, d: int, zeros: bool | None) -> Tensor:
    """cumprod's gradient along ``d`` (``out()``: the forward's result, used without
    create_graph). ``zeros`` says whether ``x`` holds a zero; None where asking would copy
    device memory to the host: then, without create_graph, the first-zero form, which is the
    division's values where there is none (its zero terms add +0); under create_graph the
    question is asked (a device-to-host copy there only)."""
    if zeros is None and STATE.enabled:
        zeros = bool((x == 0).sum().item())
    if zeros is False:
        # under create_graph the product must be a function of input again
        res = cumprod(x, d) if STATE.enabled else out()
        rev = (g * res).flip(d).cumsum(d).flip(d)
        return rev / x
    if STATE.enabled:  # create_graph: every product stays a function of x (zeros too)
        return _cumprod_grad_composed(x, g, d)
    return _cumprod_grad_with_zeros(x, g, d)


def _cumprod_grad_with_zeros(x: Tensor, g: Tensor, d: int) -> Tensor:
    """d/dx_k of sum_j g_j prod_{i<=j} x_i for an input with zeros, in Tensor ops (so it is
    differentiable again, as PyTorch's ``cumprod_backward`` is). With ``z`` a slice's first
    zero: before it, ``sum_{j>=k} g_j out_j / x_k``; at it, the product before it times
    ``sum_{j>=z} g_j prod_{z<i<=j} x_i``; after it, 0 (every such product holds ``x_z``)."""
    zero = x == 0
    seen = zero.cumsum(d)
    before = seen == 0
    first = zero & (seen == 1)
    xb = F.where(before, x, 1.0)
    running = cumprod(xb, d)
    out_before = running * before
    grad = F.where(before, (g * out_before).flip(d).cumsum(d).flip(d) / xb, 0.0)
    after = cumprod(F.where(before | first, 1.0, x), d) * (~before)
    # the product before the zero: the running product's last element (xb is 1 from the
    # zero on), so no second reduction
    n = x.shape[d]
    at_zero = running.narrow(d, n - 1, 1) * (g * after).sum(d, keepdim=True)
    return grad + F.where(first, at_zero, 0.0)


def _cumprod_grad_composed(x: Tensor, g: Tensor, d: int) -> Tensor:
    """``grad_k = sum_{j>=k} g_j prod_{i<=j, i!=k} x_i`` with every product built from ``x``
    (PyTorch's loop for an input with zeros under GradMode): O(n^2) ops, but its derivative
    in a zero ``x_z`` reaches the later elements, which the first-zero form's constant 0
    after ``z`` loses."""
    n = x._value.shape[d]
    ones = ones_slice(x, d)
    until, grads = ones, []
    for k in range(n):
        omitted = (
            until
            if k == n - 1
            else until * cat([ones, cumprod(x.narrow(d, k + 1, n - k - 1), d)], d)
        )
        grads.append((g.narrow(d, k, n - k) * omitted).sum(d, keepdim=True))
        until = until * x.narrow(d, k, 1)
    return cat(grads, d)


def ones_slice(x: Tensor, d: int) -> Tensor:
    """Ones shaped as one slice of ``x`` along ``d`` (the empty product that starts a scan)."""
    return _make(np.ones(x._value.shape[:d] + (1,) + x._value.shape[d + 1 :], x._dtype.np),
                 x._dtype)  # fmt: skip
