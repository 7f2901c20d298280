"""``layer_norm`` declared: its forward kernel, its backward kernel, its derivatives in one place.

The forward is one fused row pass (``NativeLayerNormBackward0``, as PyTorch). Its derivative
is :func:`layer_norm_backward`, a declared op of its own: without a graph to record (the usual
backward) it runs the backward kernel (one row pass for the input gradient plus per-chunk
partial sums for weight and bias) and records nothing; under ``create_graph`` the same call
records ``NativeLayerNormBackwardBackward0``, whose derivative
(:func:`~._norm_grads.norm_double_backward`) is written in differentiable ops, so gradients of
any order follow one rule (see :mod:`jitgrad.frontend.declare`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..engine.grad_mode import STATE
from ..frontend.declare import Declared, Saved, zeros_where_needed
from ..frontend.tensor import Tensor, _make
from . import _kernels as K
from ._norm_grads import norm_double_backward


def layer_norm(
    input: Tensor,  # noqa: A002
    normalized_shape: Any,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """``(x - mean) / sqrt(var + eps) * weight + bias`` over the trailing ``normalized_shape``.

    One fused node (``NativeLayerNormBackward0``, as PyTorch): a row pass computes the mean,
    ``rstd = 1/sqrt(biased var + eps)`` and the output. Composing it from elementwise and
    reduction ops took ~10 passes over memory each way.
    """
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    _check_layer_norm(input, shape, weight, bias)
    n, d = math.prod(input.shape[: input.dim() - len(shape)]), math.prod(shape)
    x2 = np.ascontiguousarray(input._value).reshape(n, d)
    w = np.ones(d, x2.dtype) if weight is None else np.ascontiguousarray(weight._value).reshape(d)
    b = np.zeros(d, x2.dtype) if bias is None else np.ascontiguousarray(bias._value).reshape(d)
    y = np.empty_like(x2)
    mean = np.empty(n, x2.dtype)
    rstd = np.empty(n, x2.dtype)
    K.layer_norm_rows_fwd(x2, w, b, x2.dtype.type(eps), y, mean, rstd)
    saved = tuple(t for t in (input, weight) if t is not None)
    out = y.reshape(input._value.shape)
    return LAYER_NORM.record(
        "NativeLayerNormBackward0", out, input._dtype, (input, weight, bias), saved,
        input=input, weight=weight, bias=bias, _x2=x2, _w=w, _mean=mean, _rstd=rstd,
        _eps=eps, _ndims=len(shape),
    )  # fmt: skip


def _check_layer_norm(
    input: Tensor,  # noqa: A002
    shape: tuple,
    weight: Tensor | None,
    bias: Tensor | None,
) -> None:
    """PyTorch's argument errors, before any kernel reads the arrays."""
    if tuple(input.shape[input.dim() - len(shape) :]) != shape:
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape "
            f"[*, {', '.join(str(s) for s in shape)}], but got input of size{list(input.shape)}"
        )
    if not input._dtype.is_floating_point:
        raise NotImplementedError(f"layer_norm not implemented for {input._dtype.np.name} input")
    for name, p in (("weight", weight), ("bias", bias)):
        if p is None:
            continue
        if tuple(p.shape) != shape:
            raise RuntimeError(
                f"Expected {name} to be of same shape as normalized_shape, but got {name} of "
                f"shape {list(p.shape)} and normalized_shape = {list(shape)}"
            )
        if p._dtype is not input._dtype:
            raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")


def _col_sums(partial: np.ndarray, param: Tensor) -> np.ndarray:
    """Sum layer_norm's per-chunk partial gradients (chunks, D) in chunk order, as ``param``."""
    out = np.empty(partial.shape[1], partial.dtype)
    K.col_sum(partial, out)
    return out.reshape(param._value.shape)


def layer_norm_backward(g: Tensor, s: Saved) -> tuple:
    """``(grad_input, grad_weight, grad_bias)`` of the layer_norm that saved ``s`` (None for
    an absent weight or bias): the backward kernel, and under ``create_graph`` a node."""
    x, weight, bias, x2 = s.input, s.weight, s.bias, s._x2
    n, d = x2.shape
    g2 = np.ascontiguousarray(g._value, dtype=x2.dtype).reshape(n, d)
    gx = np.empty_like(x2)
    pw = np.empty((K.chunks(n), d), x2.dtype)
    pb = np.empty_like(pw)
    K.layer_norm_rows_bwd(g2, x2, s._w, s._mean, s._rstd, gx, pw, pb)
    grads = (
        _make(gx.reshape(x._value.shape), x._dtype, fresh=True),
        None if weight is None else _make(_col_sums(pw, weight), weight._dtype, fresh=True),
        None if bias is None else _make(_col_sums(pb, bias), bias._dtype, fresh=True),
    )
    if not STATE.enabled:  # the usual backward: nothing to record
        return grads
    return LAYER_NORM_BACKWARD.record_outputs(
        "NativeLayerNormBackwardBackward0", grads, (g, x, weight),
        tuple(t for t in (g, x, weight) if t is not None),
        _g=g, _input=x, _weight=weight, _bias=bias, _eps=s._eps, _ndims=s._ndims,
    )  # fmt: skip


def _layer_norm_backward_derivative(s: Saved, *grads: Tensor | None) -> tuple:
    """The derivative of :func:`layer_norm_backward` in ``(grad_output, input, weight)``."""
    x, weight, nd = s._input, s._weight, s._ndims
    it = iter((*grads, None, None))  # the sweep passes no gradient past the last one used
    ux = next(it)
    uw = next(it) if weight is not None else None
    ub = next(it) if s._bias is not None else None
    dims = tuple(range(x.dim() - nd, x.dim()))
    pdims = tuple(range(x.dim() - nd))
    grads = norm_double_backward(s._g, x, weight, (ux, uw, ub), dims, pdims, s._eps)
    return zeros_where_needed(grads, (s._g, x, weight))


LAYER_NORM = Declared("layer_norm", lambda s, g: layer_norm_backward(g, s))
LAYER_NORM_BACKWARD = Declared("layer_norm_backward", _layer_norm_backward_derivative)
