"""``batch_norm`` declared: per-channel normalization over the batch and spatial dims.

One node, ``NativeBatchNormBackward0`` as in PyTorch's CPU path. The forward is numpy
reductions over all dims but the channel dim (1); in training it also updates the running
statistics in place, with the unbiased batch variance as PyTorch does. Its derivative is
:func:`batch_norm_backward`, a declared op (:mod:`jitgrad.frontend.declare`): the backward formula
evaluated without a graph, and under ``create_graph`` recorded as
``NativeBatchNormBackwardBackward0``, whose derivative (:mod:`._norm_grads`) is written in
differentiable ops with the batch statistics recomputed from the input (in eval mode they are
constants, the running statistics), so gradients of any order follow one rule.
"""

from __future__ import annotations

import numpy as np

from ..engine.grad_mode import STATE, no_grad
from ..frontend.declare import Declared, Saved, zeros_where_needed
from ..frontend.tensor import Tensor, _make
from ._functional_conv import sizes
from ._norm_grads import affine_double_backward, norm_double_backward

__all__ = ["batch_norm"]


def _check(
    input: Tensor,  # noqa: A002
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None,
    bias: Tensor | None,
    training: bool,
) -> None:
    if input.dim() < 2:
        raise ValueError(f"expected 2D or 3D input (got {input.dim()}D input)")
    c = input.shape[1]
    if training and input.numel() // c == 1:
        raise ValueError(
            "Expected more than 1 value per channel when training, got input size "
            f"torch.Size({sizes(input.shape)})"
        )
    for name, t in (
        ("running_mean", running_mean),
        ("running_var", running_var),
        ("weight", weight),
        ("bias", bias),
    ):
        if t is not None and t.numel() != c:
            raise RuntimeError(f"{name} should contain {c} elements not {t.numel()}")
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError("running_mean must be defined in evaluation mode")
    if not input._dtype.is_floating_point:
        raise RuntimeError(f"\"batch_norm\" not implemented for '{input._dtype.np.name}'")


def _update_running(
    running_mean: Tensor | None,
    running_var: Tensor | None,
    mean: np.ndarray,
    var: np.ndarray,
    n: int,
    momentum: float,
) -> None:
    """Move the running statistics (when given) by ``momentum`` toward the batch's mean and
    its *unbiased* variance over ``n`` values per channel, in place and off the graph (the
    module's buffers are updated as PyTorch's are, their version counters bumped)."""
    with no_grad():
        if running_mean is not None:
            new = (1 - momentum) * running_mean._value + momentum * mean
            running_mean.copy_(_make(new.astype(running_mean._value.dtype), running_mean._dtype))
        if running_var is not None:
            unbiased = var * (n / max(n - 1, 1))
            new = (1 - momentum) * running_var._value + momentum * unbiased
            running_var.copy_(_make(new.astype(running_var._value.dtype), running_var._dtype))


def batch_norm(
    input: Tensor,  # noqa: A002
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """``(x - mean) / sqrt(var + eps) * weight + bias`` per channel (dim 1).

    Training uses the batch statistics (biased variance) and, when given, moves the running
    statistics by ``momentum`` toward the batch mean and unbiased variance; eval uses the
    running statistics.
    """
    _check(input, running_mean, running_var, weight, bias, training)
    c = input.shape[1]
    bshape = (1, c) + (1,) * (input.dim() - 2)
    if input.numel() == 0:  # PyTorch: an empty result that stays on the graph, stats untouched
        out = input.clone()
        if weight is not None:
            out = out * weight[0]
        return out if bias is None else out + bias[0]
    x = input._value
    dt = x.dtype
    axes = (0, *range(2, x.ndim))
    if training:
        mean = x.mean(axes, dtype=dt)
        var = x.var(axes, dtype=dt)
        _update_running(running_mean, running_var, mean, var, x.size // c, momentum)
    else:
        mean = running_mean._value.astype(dt)  # type: ignore[union-attr]
        var = running_var._value.astype(dt)  # type: ignore[union-attr]
    rstd = (1 / np.sqrt(var + dt.type(eps))).astype(dt)
    scale = rstd if weight is None else rstd * weight._value
    shift = -mean * scale if bias is None else bias._value - mean * scale
    out = x * scale.reshape(bshape) + shift.reshape(bshape)
    stats = (_make(mean.reshape(bshape), input._dtype), _make(rstd.reshape(bshape), input._dtype))

    saved = tuple(t for t in (input, weight) if t is not None)
    value = out.astype(dt, copy=False)
    return BATCH_NORM.record(
        "NativeBatchNormBackward0", value, input._dtype, (input, weight, bias), saved,
        input=input, weight=weight, bias=bias, training=training, eps=eps, _stats=stats,
        _dims=axes, _bshape=bshape,
    )  # fmt: skip


def _batch_norm_grads(g: Tensor, s: Saved) -> tuple:
    """``(gx, gw, gb)``: the backward formula over the forward's statistics (no graph)."""
    input, weight, bias = s.input, s.weight, s.bias  # noqa: A001
    mean_t, rstd_t = s._stats
    dims = s._dims
    xhat = (input - mean_t) * rstd_t
    gy = g if weight is None else g * weight.reshape(s._bshape)
    if s.training:
        gx = rstd_t * (
            gy - gy.mean(dims, keepdim=True) - xhat * (gy * xhat).mean(dims, keepdim=True)
        )
    else:
        gx = gy * rstd_t
    gw = None if weight is None else (g * xhat).sum(dims)
    gb = None if bias is None else g.sum(dims)
    return gx, gw, gb


def batch_norm_backward(g: Tensor, s: Saved) -> tuple:
    """The gradients of the batch_norm that saved ``s`` (None for an absent weight or bias);
    under ``create_graph`` the same values with their node."""
    with no_grad():
        grads = _batch_norm_grads(g, s)
    if not STATE.enabled:  # the usual backward: the (possibly deferred) values, no node
        return grads
    inputs = (g, s.input, s.weight)
    return BATCH_NORM_BACKWARD.record_outputs(
        "NativeBatchNormBackwardBackward0", grads, inputs,
        tuple(t for t in inputs if t is not None), _g=g, _norm=s,
    )  # fmt: skip


def _batch_norm_backward_derivative(s: Saved, *grads: Tensor | None) -> tuple:
    """The derivative of :func:`batch_norm_backward` in ``(grad_output, input, weight)``."""
    f, g = s._norm, s._g
    weight, bshape = f.weight, f._bshape
    it = iter((*grads, None, None))  # the sweep passes no gradient past the last one used
    ux = next(it)
    uw = next(it) if weight is not None else None
    ub = next(it) if f.bias is not None else None
    w = None if weight is None else weight.reshape(bshape)
    ups = tuple(None if u is None else u.reshape(bshape) for u in (uw, ub))
    ups = (ux, *ups)
    if f.training:
        grads = norm_double_backward(g, f.input, w, ups, f._dims, f._dims, f.eps)
    else:
        grads = affine_double_backward(g, f.input, w, ups, *f._stats, f._dims)
    return zeros_where_needed(grads, (g, f.input, weight))


BATCH_NORM = Declared("batch_norm", lambda s, g: batch_norm_backward(g, s))
BATCH_NORM_BACKWARD = Declared("batch_norm_backward", _batch_norm_backward_derivative)
