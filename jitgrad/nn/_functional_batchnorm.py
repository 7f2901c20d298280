"""``batch_norm``: per-channel normalization over the batch and spatial dims.

One node, ``NativeBatchNormBackward0`` as in PyTorch's CPU path. The forward is numpy
reductions over all dims but the channel dim (1); in training it also updates the running
statistics in place, with the unbiased batch variance as PyTorch does. The backward is one
formula in Tensor ops; under ``create_graph=True`` the batch mean and inverse std are
recomputed from the input with Tensor ops so that higher-order gradients flow through them
(in eval mode they are constants, the running statistics).
"""

from __future__ import annotations

import numpy as np

from ..engine.grad_mode import STATE, no_grad
from ..frontend import functions as OF
from ..frontend.recording import record
from ..tensor import Tensor, _make
from ._functional_conv import sizes

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
        n = x.size // c
        with no_grad():
            if running_mean is not None:
                new = (1 - momentum) * running_mean._value + momentum * mean
                running_mean.copy_(
                    _make(new.astype(running_mean._value.dtype), running_mean._dtype)
                )
            if running_var is not None:
                unbiased = var * (n / max(n - 1, 1))
                new = (1 - momentum) * running_var._value + momentum * unbiased
                running_var.copy_(_make(new.astype(running_var._value.dtype), running_var._dtype))
    else:
        mean = running_mean._value.astype(dt)  # type: ignore[union-attr]
        var = running_var._value.astype(dt)  # type: ignore[union-attr]
    rstd = (1 / np.sqrt(var + dt.type(eps))).astype(dt)
    scale = rstd if weight is None else rstd * weight._value
    shift = -mean * scale if bias is None else bias._value - mean * scale
    out = x * scale.reshape(bshape) + shift.reshape(bshape)
    stats = (_make(mean.reshape(bshape), input._dtype), _make(rstd.reshape(bshape), input._dtype))

    def backward(g: Tensor) -> tuple:
        mean_t, rstd_t = stats
        dims = tuple(axes)
        if STATE.enabled and training:  # create_graph: the statistics as functions of input
            mean_t = input.mean(dims, keepdim=True)
            centered = input - mean_t
            rstd_t = OF.rsqrt((centered * centered).mean(dims, keepdim=True) + eps)
        xhat = (input - mean_t) * rstd_t
        gy = g if weight is None else g * weight.reshape(bshape)
        if training:
            gx = rstd_t * (
                gy - gy.mean(dims, keepdim=True) - xhat * (gy * xhat).mean(dims, keepdim=True)
            )
        else:
            gx = gy * rstd_t
        gw = None if weight is None else (g * xhat).sum(dims)
        gb = None if bias is None else g.sum(dims)
        return gx, gw, gb

    saved = tuple(t for t in (input, weight) if t is not None)
    value = out.astype(dt, copy=False)
    inputs = (input, weight, bias)
    return record("NativeBatchNormBackward0", value, input._dtype, inputs, backward, saved)
