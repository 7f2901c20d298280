"""The reductions' kernel-backed backward ops, each declared with its own derivative.

A reduction's derivative (in :mod:`.reduce_sum`, :mod:`.reduce_prod_var`, :mod:`.reduce_minmax`,
:mod:`.reduce_softmax`) calls these. Without a graph to record (the usual backward) each runs
its backward kernel on the gradient and records nothing; under ``create_graph`` the same call
records its node, whose derivative below is again written in differentiable ops, so gradients
of any order follow one rule per op (PyTorch's ``_softmax_backward_data`` works the same way).

Node names are PyTorch's for the same gradient under ``create_graph``: its
``SoftmaxBackwardDataBackward0`` and ``LogSoftmaxBackwardDataBackward0``; ``ScatterBackward0``
for max/min along a dim; and ``MulBackward0`` for the ops PyTorch composes (amax's, prod's and
var's backward end in a multiplication there), each one kernel and one node here.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes as D
from ..backends import STATE as DEVICE
from ..engine.grad_mode import STATE
from ..kernels.cpu import reduce as K
from ..kernels.cpu.reduce_call import kept_shape, plan_3d, to_3d
from . import functions as F
from .declare import Declared, Saved
from .join_split import cat
from .np_bound import np_empty
from .reduce_common import grad_to_input
from .reduce_sum import mean, sum  # noqa: A004
from .scan_prod import ones_slice
from .tensor import Tensor, _make


def _spread(g: Tensor, shape: tuple, axes: tuple, dt: D.dtype, fill: Any) -> np.ndarray:
    """``fill(g2, gx3)``: a backward kernel writing the input-shaped gradient (one plan of
    the ``(A, R, B)`` layout for both ends, undone as :func:`from_3d` would)."""
    perm, (a, r, b) = plan_3d(shape, axes)
    gx3 = np.empty((a, r, b), dt.np)
    fill(np.ascontiguousarray(g._value).reshape(a, b), gx3)
    if perm is None:
        return gx3.reshape(shape)
    return gx3.reshape([shape[i] for i in perm]).transpose(np.argsort(perm))


# ---- selection (amax, amin, max, min, the inf-norm): linear in g, weights constant in x -----
def select_backward(
    g: Tensor,
    fill: Any,
    shape: tuple[int, ...],
    axes: tuple[int, ...],
    keepdim: bool,
    dt: D.dtype,
    node: str,
) -> Tensor:
    """``g`` spread over the reduced axes onto the selected elements by ``fill(g2, gx3)``
    (``amax_bwd`` or ``max_bwd`` bound to the forward's arrays)."""
    value = _spread(g, shape, axes, dt, fill)
    return SELECT.record(
        node, value, dt, (g,), (), fresh=True, _fill=fill, _shape=shape, _axes=axes,
        _keepdim=keepdim, _dt=dt, _node=node,
    )  # fmt: skip


def _select_derivative(s: Saved, u: Tensor) -> Tensor:
    """The adjoint of ``g -> expand(g) * w``: ``sum(u * w)``, ``w`` the weights (the op on
    ones); locally constant in the input, so no gradient flows to it."""
    ones = _make(np.ones(kept_shape(s._shape, s._axes, s._keepdim), s._dt.np), s._dt)
    w = select_backward(ones, s._fill, s._shape, s._axes, s._keepdim, s._dt, s._node)
    return sum(u * w, s._axes, keepdim=s._keepdim)


SELECT = Declared("select_backward", _select_derivative)


# ---- prod --------------------------------------------------------------------------------------
def prod_backward(
    g: Tensor,
    x: Tensor,
    result: Tensor,
    axes: tuple[int, ...],
    keepdim: bool,
    x3: np.ndarray | None = None,
    full: bool = False,
) -> Tensor:
    """``g`` times the product of the other elements of each slice (zero-safe, torch's rule;
    ``x3``: the forward's ``(A, R, B)`` view of ``x``, when it has one; ``full``: the product
    of all elements, ``prod()``)."""
    shape, dt = x._value.shape, x._dtype
    # create_graph with a zero, or complex (whose second derivative _prod_derivative does
    # not conjugate): composed of differentiable ops in x
    if STATE.enabled and shape and (dt.is_complex or np.any(x._value == 0)):
        return _prod_backward_with_zeros(g, x, axes, keepdim, full)
    if x3 is None:
        x3 = to_3d(x._value, axes)
    out2 = np.ascontiguousarray(result._value).reshape(x3.shape[0], x3.shape[2])
    if dt.is_complex:  # PyTorch's gradient: g times the conjugate of the others' product
        x3, out2 = np.conj(x3), np.conj(out2)
    value = _spread(g, shape, axes, dt, lambda g2, gx3: K.prod_bwd(g2, x3, out2, gx3))
    return PROD.record(
        "MulBackward0", value, dt, (g, x, result), (g, x, result), fresh=True,
        grad=g, self=x, _result=result, _axes=axes, _keepdim=keepdim, _x3=x3,
    )  # fmt: skip


def _exclusive_products(x: Tensor, d: int) -> Tensor:
    """Each element's product of the others along ``d``: the exclusive running product from
    the left times the one from the right (PyTorch's ``prod_safe_zeros_backward``), in
    differentiable ops (cumprod's gradient handles zeros), so exact with zeros."""
    n = x._value.shape[d]
    ones = ones_slice(x, d)
    left = cat([ones, x.narrow(d, 0, n - 1)], d).cumprod(d)
    right = cat([ones, x.flip(d).narrow(d, 0, n - 1)], d).cumprod(d).flip(d)
    others = left * right
    return others.conj() if x._dtype.is_complex else others


def _prod_backward_with_zeros(
    g: Tensor, x: Tensor, axes: tuple, keepdim: bool, full: bool
) -> Tensor:
    """prod's gradient for an input with a zero under ``create_graph``: ``expand(g)`` times
    the product of the others, as PyTorch composes it (over one dim, or all of the flattened
    input, then viewed back: its node ``ViewBackward0``), so higher derivatives follow the
    weights' change too."""
    shape = x._value.shape
    if not full:
        return grad_to_input(g, shape, axes, keepdim) * _exclusive_products(x, axes[0])
    flat = grad_to_input(g, shape, axes, keepdim).reshape(-1)
    return (flat * _exclusive_products(x.reshape(-1), 0)).reshape(shape)


def _prod_derivative(s: Saved, u: Tensor) -> tuple:
    """``prod_backward = expand(g * out) / x``, differentiated in g, x and out (recorded only
    for an input without zeros: with one, :func:`_prod_backward_with_zeros` composes it; the
    ``None`` below is a guard for a zero written into ``x`` after the forward)."""
    g, x, out, axes, keepdim = s.grad, s.self, s._result, s._axes, s._keepdim
    shape = x._value.shape
    ones = _make(np.ones(g._value.shape, g._dtype.np), g._dtype)
    gg = sum(u * prod_backward(ones, x, out, axes, keepdim, s._x3), axes, keepdim=keepdim)
    if F.eq(x, 0).any():
        return gg, None, None
    gx = -u * grad_to_input(g * out, shape, axes, keepdim) / (x * x)
    gout = sum(u * grad_to_input(g, shape, axes, keepdim) / x, axes, keepdim=keepdim)
    return gg, gx, gout


PROD = Declared("prod_backward", _prod_derivative)


# ---- var ---------------------------------------------------------------------------------------
def var_backward(
    g: Tensor,
    x: Tensor,
    axes: tuple[int, ...],
    keepdim: bool,
    corr: float,
    x3: np.ndarray,
    mean2: np.ndarray,
) -> Tensor:
    """``expand(g) * 2 (x - mean) / (N - correction)``; ``x3``, ``mean2``: the forward's
    ``(A, R, B)`` view of ``x`` and ``(A, B)`` mean (kept so backward need not redo them)."""
    shape, dt = x._value.shape, x._dtype
    value = _spread(g, shape, axes, dt, lambda g2, gx3: K.var_bwd(g2, x3, mean2, corr, gx3))
    return VAR.record(
        "MulBackward0", value, dt, (g, x), (g, x), fresh=True, grad=g, self=x,
        _axes=axes, _keepdim=keepdim, _corr=corr,
    )  # fmt: skip


def complex_var_backward(
    g: Tensor, x: Tensor, axes: tuple[int, ...], keepdim: bool, corr: float
) -> Tensor:
    """PyTorch's ``var_backward`` for a complex ``x``: ``expand(g) * 2 (x - mean) / (N - c)``
    (a real ``g``, a complex gradient), in Tensor ops so that ``create_graph`` records it."""
    shape = x._value.shape
    n = 1
    for a in axes:
        n *= shape[a]
    scale = 2.0 / (n - corr) if n > corr else float("inf")
    return grad_to_input(g, shape, axes, keepdim) * (x - mean(x, axes, keepdim=True)) * scale


def _var_derivative(s: Saved, u: Tensor) -> tuple:
    g, x, axes, keepdim = s.grad, s.self, s._axes, s._keepdim
    shape = x._value.shape
    n = 1
    for a in axes:
        n *= shape[a]
    scale = 2.0 / (n - s._corr) if n > s._corr else float("inf")
    gg = sum(u * (x - mean(x, axes, keepdim=True)), axes, keepdim=keepdim) * scale
    gu = grad_to_input(g, shape, axes, keepdim) * u
    return gg, (gu - mean(gu, axes, keepdim=True)) * scale


VAR = Declared("var_backward", _var_derivative)


# ---- softmax, log_softmax ----------------------------------------------------------------------
def rows_3d(shape: tuple[int, ...], dim: int) -> tuple[int, int, int]:
    """The ``(A, R, B)`` shape of an op along the (wrapped) ``dim``."""
    return plan_3d(shape, (dim,) if shape else ())[1]


def softmax_backward_data(
    g: Tensor, y: Tensor, dim: int, log: bool, s3: tuple[int, int, int] | None = None
) -> Tensor:
    """softmax's (``y * (g - sum(g * y))``) or log_softmax's (``g - exp(y) * sum(g)``)
    gradient along the wrapped ``dim``, ``y`` the forward's output (``s3``: its ``(A, R, B)``
    shape, when the forward knows it)."""
    if DEVICE.active and DEVICE.backend.owns(y):  # the device's kernel, this declaration
        value = DEVICE.backend.softmax_backward_data(g, y, dim, log)
    else:
        yv = y._value
        shape = yv.shape
        value = np_empty(shape, yv.dtype)
        if len(shape) != 1 or not K.vector_softmax_bwd(g._value, yv, value, log):
            if s3 is None:
                s3 = rows_3d(shape, dim)
            y3 = np.ascontiguousarray(yv).reshape(s3)
            g3 = np.ascontiguousarray(g._value).reshape(s3)
            K.pick(K.log_softmax_bwd if log else K.softmax_bwd, y3.size)(g3, y3, value.reshape(s3))
    if not STATE.enabled:  # an ordinary backward: no record, so no named values to build
        return _make(value, y._dtype, fresh=True)
    decl = LOG_SOFTMAX_DATA if log else SOFTMAX_DATA
    return decl.record(
        decl.name, value, y._dtype, (g, y), (g, y), fresh=True, grad_output=g, output=y,
        _dim=dim, _s3=s3,
    )  # fmt: skip


def _softmax_data_derivative(s: Saved, u: Tensor) -> tuple:
    g, y, d = s.grad_output, s.output, s._dim
    gg = softmax_backward_data(u, y, d, False, s._s3)  # the Jacobian is symmetric
    gy = u * (g - sum(g * y, d, keepdim=True)) - g * sum(u * y, d, keepdim=True)
    return gg, gy


def _log_softmax_data_derivative(s: Saved, u: Tensor) -> tuple:
    g, y, d = s.grad_output, s.output, s._dim
    p = F.exp(y)
    return u - sum(u * p, d, keepdim=True), -u * p * sum(g, d, keepdim=True)


SOFTMAX_DATA = Declared("SoftmaxBackwardDataBackward0", _softmax_data_derivative)
LOG_SOFTMAX_DATA = Declared("LogSoftmaxBackwardDataBackward0", _log_softmax_data_derivative)
