"""cumsum and cumprod on device tensors: the sequential line scans of
:mod:`jitgrad.kernels.cuda.scan`, bitwise the CPU's (same order, same dtype carried); and
``prod`` of a float tensor, the last element of its cumprod (:func:`prod`).

cumsum's gradient is the reverse running sum (``CumsumBackward0``, the CPU's name for both),
whose own gradient is cumsum again, so ``create_graph`` records both on the device. cumprod's
gradient is the CPU's (:func:`jitgrad.frontend.scan_prod.cumprod_grad`) in device ops; the
CPU picks its formula by whether the input holds a zero, which the device does not ask (a
copy to the host): it takes the first-zero form, which gives the division's values where
there is none (bitwise, but for a -0.0 gradient that its +0 terms make +0.0); under
``create_graph`` it asks, once. float16/bfloat16 scan and multiply their float32 buffers
and round each result once, as the CPU's kernels do (:mod:`jitgrad.lowp`). ``axis=``, dims
that are no plain int, complex, and a 16-bit ``dtype=`` for another input's dtype stay with
the host fallback.
"""

from __future__ import annotations

import math
from typing import Any

from ... import dtypes as D
from ...engine.grad_mode import STATE as GRAD
from ...engine.grad_mode import no_grad
from ...frontend import scan_prod as SP
from ...frontend.clamp_where import where
from ...frontend.recording import record
from ...frontend.tensor import Tensor, _make
from ...kernels.cuda import memory as M
from ...kernels.cuda import scan as S
from . import runtime
from .joining import cat as _cat

_KINDS = (D.float32, D.float64, D.int64, D.float16, D.bfloat16)
_FLOATS = (D.float32, D.float64, D.float16, D.bfloat16)


def _opmath(t: Tensor) -> Tensor:
    """A 16-bit tensor's float32 buffer as a float32 tensor (no copy, no history)."""
    return t if t._dtype.round is None else _make(t._value, D.float32)


def _plan(x: Any, dim: Any, dtype: Any, axis: Any) -> Any:
    """``(dim wrapped, (A, R, B), result dtype)``, or None for the fallback's cases."""
    if not isinstance(x, Tensor) or axis is not None or not isinstance(dim, int):
        return None
    if isinstance(dim, bool) or x.dim() == 0 or x.numel() == 0 or not -x.dim() <= dim < x.dim():
        return None
    if dtype is None:
        dt = x._dtype if x._dtype.is_floating_point else D.int64
    elif isinstance(dtype, D.dtype):
        dt = dtype
    else:
        return None
    if dt not in _KINDS or x._dtype.is_complex or dt.round is not None and dt is not x._dtype:
        return None  # (a cast to 16 bits before the scan: the CPU op)
    d = dim % x.dim()
    shape = tuple(x.shape)
    return d, (math.prod(shape[:d]), shape[d], math.prod(shape[d + 1 :])), dt


def _values(x: Tensor, dt: D.dtype) -> Any:
    v = runtime.contiguous(x._value)
    return v if x._dtype is dt else M.cast(v, dt.np)


def _reverse_cumsum(g: Tensor, d: int, shape3: tuple) -> Tensor:
    """cumsum's gradient: ``g`` summed from the end along ``d`` (its gradient: cumsum)."""
    value = S.scan(runtime.contiguous(g._value), shape3, S.SUM, reverse=True)
    return record("CumsumBackward0", value, g._dtype, [g], lambda gg: cumsum(gg, d))


def cumsum(input: Any, dim: Any = None, *, dtype: Any = None, axis: Any = None) -> Any:  # noqa: A002
    plan = _plan(input, dim, dtype, axis)
    if plan is None:
        return NotImplemented
    d, shape3, dt = plan
    value = S.scan(_values(input, dt), shape3, S.SUM)
    into = input._dtype

    def backward(g: Tensor) -> Tensor:  # (PyTorch's: g in the input's dtype, then the scan)
        return _reverse_cumsum(g if g._dtype is into else g.to(into), d, shape3)

    if not (GRAD.enabled and input._requires_grad):
        return _make(value, dt)
    return record("CumsumBackward0", value, dt, [input], backward)


def _degenerate(input: Any, dim: Any, dtype: Any) -> bool:  # noqa: A002
    """A float 0-d or empty input, ``dim`` in range, no ``dtype``: its own product /
    running product (or ones) without a kernel."""
    if not isinstance(input, Tensor) or dtype is not None or input._dtype not in _FLOATS:
        return False
    if input.dim() and input.numel():
        return False
    return dim is None or type(dim) is int and -max(input.dim(), 1) <= dim < max(input.dim(), 1)


def cumprod(input: Any, dim: Any = None, *, dtype: Any = None, axis: Any = None) -> Any:  # noqa: A002
    if axis is None and dim is not None and _degenerate(input, dim, dtype):
        with no_grad():  # (a 0-d input is its running product; an empty one is empty)
            value = input.detach().clone()
        return record("CumprodBackward0", value._value, input._dtype, [input], lambda g: g)
    plan = _plan(input, dim, dtype, axis)
    if plan is None:
        return NotImplemented
    d, shape3, dt = plan
    if not (GRAD.enabled and input._requires_grad):
        return _make(S.scan(_values(input, dt), shape3, S.PROD), dt)
    x = input if input._dtype is dt else input.to(dt)  # (the CPU's: a recorded conversion)
    value = S.scan(runtime.contiguous(x._value), shape3, S.PROD)

    # the CPU's gradient, not told whether x holds a zero (that would be a copy to the host)
    def backward(g: Tensor) -> Tensor:
        return SP.cumprod_grad(x, lambda: _make(value, dt), g, d, None)

    return record("CumprodBackward0", value, dt, [x], backward, [x])


def _others(x: Tensor, d: int) -> Tensor:
    """Each element's product of the others along ``d``: the exclusive running products
    from the left and from the right (PyTorch's ``prod_safe_zeros_backward``), in device
    ops, so exact with zeros and differentiable again."""
    n, shape = x.shape[d], tuple(x.shape)
    if n == 1:
        return x.new_ones(shape)
    ones = x.new_ones((*shape[:d], 1, *shape[d + 1 :]))
    left = _cat([ones, x.narrow(d, 0, n - 1)], d).cumprod(d)
    right = _cat([ones, x.flip(d).narrow(d, 0, n - 1)], d).cumprod(d).flip(d)
    return left * right


def prod(
    input: Any,  # noqa: A002
    dim: Any = None,
    keepdim: bool = False,
    *,
    dtype: Any = None,
    axis: Any = None,
    keepdims: Any = None,
) -> Any:
    """``x.prod()`` / ``x.prod(dim, keepdim)`` of a float device tensor: the last element of
    the device's cumprod (the CPU's order of the products), its gradient ``g`` times the
    product of the others (:func:`_others`), recorded as the CPU's ``ProdBackward0/1``.
    Integer and bool tensors multiply in int64 (the CPU's widening; no gradient), as does
    ``dtype=torch.int64``; ``dtype=`` the input's own dtype changes nothing."""
    if axis is not None or keepdims is not None or not isinstance(input, Tensor):
        return NotImplemented
    integral = not (input._dtype.is_floating_point or input._dtype.is_complex)
    if dtype is not None and dtype is not input._dtype and not (integral and dtype is D.int64):
        return NotImplemented
    if integral:
        with no_grad():
            return _int_prod(input if input._dtype is D.int64 else input.long(), dim, keepdim)
    if input._dtype not in _FLOATS:
        return NotImplemented
    if _degenerate(input, dim, dtype):
        return _degenerate_prod(input, dim, keepdim)
    if not (dim is None or type(dim) is int):
        return NotImplemented
    x = input.reshape(-1) if dim is None else input
    if dim is not None and not -x.dim() <= dim < x.dim():
        return NotImplemented  # (the CPU op's error)
    d = 0 if dim is None else dim % x.dim()
    with no_grad():
        value = x.cumprod(d).narrow(d, x.shape[d] - 1, 1)
        value = value.reshape(()) if dim is None else value if keepdim else value.squeeze(d)
    if not (GRAD.enabled and input._requires_grad):
        return value

    def kept(t: Tensor) -> Tensor:
        return t.reshape(1) if dim is None else t if keepdim else t.unsqueeze(d)

    def backward(g: Tensor) -> Tensor:
        if input._dtype.round is None or GRAD.enabled:  # (create_graph: recorded 16-bit ops)
            grad = kept(g).expand(tuple(x.shape)) * _others(x, d)
        else:
            grad = _prod_grad_16(kept(g), x, kept(value), d)
        return grad.reshape(tuple(input.shape)) if dim is None else grad

    name = "ProdBackward0" if dim is None else "ProdBackward1"
    return record(name, value.contiguous()._value, input._dtype, [input], backward, [input])


def _prod_grad_16(g: Tensor, x: Tensor, out: Tensor, d: int) -> Tensor:
    """A float16/bfloat16 product's gradient as the CPU's float32 kernel computes it (then
    rounds once): ``g * (out / x)`` with the rounded product ``out``, and where ``x`` is zero
    ``g`` times the product of the others (every other element of such a line gets
    ``out / x = 0``, and a line with two zeros 0 everywhere, as the CPU's)."""
    xf, gf = _opmath(x), _opmath(g).expand(tuple(x.shape))
    grad = where(xf == 0, gf * _others(xf, d), gf * (_opmath(out) / xf))
    return _make(grad.contiguous()._value, x._dtype)


def _degenerate_prod(x: Tensor, dim: Any, keepdim: bool) -> Any:
    """The product of a 0-d input (itself, gradient ``g``) or an empty one (ones over the
    kept dims, and an empty gradient), as the CPU's ``ProdBackward0/1``."""
    shape = tuple(x.shape)
    with no_grad():
        if not x.dim():
            value = x.detach().clone()
        elif dim is None:
            value = x.new_ones(())
        else:
            d = dim % x.dim()
            value = x.new_ones(shape[:d] + ((1,) if keepdim else ()) + shape[d + 1 :])
    name = "ProdBackward0" if dim is None else "ProdBackward1"
    back = (lambda g: g.reshape(())) if not x.dim() else (lambda g: x.new_zeros(shape))
    return record(name, value._value, x._dtype, [x], back, [x])


def _int_prod(x: Tensor, dim: Any, keepdim: bool) -> Any:
    """The int64 product (no gradient): the last element of the device's int64 cumprod."""
    if not x.dim() or not x.numel() or not (dim is None or type(dim) is int):
        return NotImplemented
    flat = x.reshape(-1) if dim is None else x
    if dim is not None and not -x.dim() <= dim < x.dim():
        return NotImplemented
    d = 0 if dim is None else dim % x.dim()
    value = flat.cumprod(d).narrow(d, flat.shape[d] - 1, 1)
    value = value.reshape(()) if dim is None else value if keepdim else value.squeeze(d)
    return value.contiguous()


NATIVE: dict[str, Any] = {"cumsum": cumsum, "cumprod": cumprod, "prod": prod}
