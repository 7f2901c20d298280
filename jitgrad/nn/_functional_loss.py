"""``nn.functional`` losses beyond mse/l1/bce/nll/cross-entropy, and the reduction helpers
every loss shares.

Where PyTorch has one fused loss node (``SmoothL1LossBackward0``, ``HuberLossBackward0``,
``SoftMarginLossBackward0``), jitgrad records one node of that name whose forward and
backward are elementwise Tensor ops (fused kernels; differentiable again under
``create_graph``). Losses PyTorch composes from other ops (kl_div, margin_ranking,
hinge_embedding, cosine_embedding, poisson_nll, gaussian_nll, triplet_margin,
multilabel_soft_margin) are composed the same way, so their graphs show the same nodes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from .. import dtypes as D
from ..engine.grad_mode import no_grad
from ..frontend import functions as OF
from ..frontend.checks import DTYPE_WORDS
from ..frontend.creation import zeros_like
from ..frontend.pointwise import broadcast_shape
from ..frontend.recording import record
from ..frontend.tensor import Tensor
from ..helpers import warn as warn_user
from ._functional_activation import logsigmoid, pairwise_distance
from ._loss_checks import as_operand, into_input, refuse_integers, warn_size

_REDUCTIONS = ("mean", "sum", "none")


def probability_targets(input: Tensor, target: Tensor) -> bool:  # noqa: A002
    """Whether ``cross_entropy``'s target holds class probabilities (PyTorch's test: the
    target has the input's shape), with PyTorch's error for a target of the wrong dtype."""
    if target.shape == input.shape:
        if not target._dtype.is_floating_point:
            raise RuntimeError(
                "Expected floating point type for target with class probabilities, got "
                + DTYPE_WORDS[target._dtype.name]
            )
        return True
    if target._dtype.is_floating_point:
        raise RuntimeError(
            f"expected target dtype to be Long or Byte, but got {DTYPE_WORDS[target._dtype.name]}"
        )
    return False


def _check_reduction(reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    _check_reduction(reduction)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _expanded(input: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:  # noqa: A002
    """Both operands broadcast to one shape (PyTorch's ``broadcast_tensors``)."""
    if tuple(input.shape) == tuple(target.shape):
        return input, target
    shape = broadcast_shape([tuple(input.shape), tuple(target.shape)])
    return input.expand(shape), target.expand(shape)


def _fused_loss(
    name: str,
    input: Tensor,  # noqa: A002
    target: Tensor,
    reduction: str,
    loss: Callable[[Tensor, Tensor], Tensor],
    slope: Callable[[Tensor, Tensor, Tensor], Tensor],
    target_grad: bool = True,
    target_slope: Callable[[Tensor, Tensor, Tensor], Tensor] | None = None,
    out_dtype: D.dtype | None = None,
) -> Tensor:
    """One node ``name``: ``loss(x, y)`` elementwise, reduced; ``slope(x, y, g)`` is the input
    gradient for an incoming (already reduction-scaled) ``g``, and the target's is
    ``target_slope(x, y, g)``, or the input's negated (a loss of ``x - y``), when
    ``target_grad``. ``out_dtype``: the result's dtype where PyTorch computes into a tensor
    like one operand (huber and soft margin: the input's, BCE with logits: the target's)
    rather than the pair's promoted type."""
    _check_reduction(reduction)
    x, y = _expanded(input, target)
    with no_grad():
        value = _reduce(loss(x.detach(), y.detach()), reduction)
        if out_dtype is not None and value._dtype is not out_dtype:
            value = value.to(out_dtype)
    count = x.numel()

    def backward(g: Tensor) -> tuple:
        if reduction == "mean":
            g = g / count
        gx = slope(x, y, g) if x.requires_grad else None
        gy = None
        if target_grad and y.requires_grad:
            gy = -slope(x, y, g) if target_slope is None else target_slope(x, y, g)
        return as_operand(gx, x), as_operand(gy, y)

    return record(name, value._value, value._dtype, (x, y), backward, saved=(x, y))


def smooth_l1_loss(
    input: Tensor,  # noqa: A002
    target: Tensor,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    beta: float = 1.0,
) -> Tensor:
    """``0.5 d^2 / beta`` where ``|d| < beta``, else ``|d| - beta/2`` (``d = input - target``);
    ``beta=0`` is the L1 loss."""
    warn_size(input, target)
    refuse_integers("smooth_l1_cpu", input, target)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0.0:
        return l1_loss_expanded(input, target, reduction)

    def loss(x: Tensor, y: Tensor) -> Tensor:
        z = (x - y).abs()
        return OF.where(z < beta, 0.5 * z * z / beta, z - 0.5 * beta)

    def slope(x: Tensor, y: Tensor, g: Tensor) -> Tensor:
        d = x - y
        return OF.where(d <= -beta, -g, OF.where(d >= beta, g, d * g / beta))

    return _fused_loss("SmoothL1LossBackward0", input, target, reduction, loss, slope)


def l1_loss_expanded(input: Tensor, target: Tensor, reduction: str) -> Tensor:  # noqa: A002
    x, y = _expanded(input, target)
    return _reduce((x - y).abs(), reduction)


def huber_loss(
    input: Tensor,  # noqa: A002
    target: Tensor,
    reduction: str = "mean",
    delta: float = 1.0,
    weight: Tensor | None = None,
) -> Tensor:
    """``0.5 d^2`` where ``|d| < delta``, else ``delta (|d| - delta/2)``."""
    warn_size(input, target)
    refuse_integers("huber_cpu", input, target)
    into_input(input, target)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")

    def loss(x: Tensor, y: Tensor) -> Tensor:
        z = (x - y).abs()
        return OF.where(z < delta, 0.5 * z * z, delta * (z - 0.5 * delta))

    def slope(x: Tensor, y: Tensor, g: Tensor) -> Tensor:
        d = x - y
        return OF.where(d <= -delta, -delta * g, OF.where(d >= delta, delta * g, d * g))

    name = "HuberLossBackward0"
    if weight is None:
        return _fused_loss(name, input, target, reduction, loss, slope, out_dtype=input._dtype)
    unweighted = _fused_loss(name, input, target, "none", loss, slope, out_dtype=input._dtype)
    return _reduce(unweighted * weight, reduction)


def soft_margin_loss(
    input: Tensor,  # noqa: A002
    target: Tensor,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """``log(1 + exp(-y x))`` for labels ``y`` in {-1, 1}."""
    into_input(input, target)

    def loss(x: Tensor, y: Tensor) -> Tensor:
        return OF.log1p(OF.exp(-x * y))

    def slope(x: Tensor, y: Tensor, g: Tensor) -> Tensor:
        z = OF.exp(-y * x)
        return -y * z / (1 + z) * g

    name, dt = "SoftMarginLossBackward0", input._dtype
    return _fused_loss(name, input, target, reduction, loss, slope, False, out_dtype=dt)


def kl_div(
    input: Tensor,  # noqa: A002
    target: Tensor,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    log_target: bool = False,
) -> Tensor:
    """KL divergence with ``input`` as log-probabilities: ``target (log target - input)``;
    ``'batchmean'`` divides the sum by the batch size (the mathematical definition)."""
    if reduction == "mean":
        warn_user(
            "reduction: 'mean' divides the total loss by both the batch size and the support "
            "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
            "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
            "major release.",
            stacklevel=2,
        )
    if input._dtype._category < 2 or target._dtype._category < 2:
        raise RuntimeError("kl_div: Integral inputs not supported.")
    if log_target:
        loss = OF.exp(target) * (target - input)
    else:
        loss = OF.xlogy(target, target) - target * input
    reduced = _reduce(loss, "sum" if reduction == "batchmean" else reduction)
    if reduction == "batchmean" and input.dim() != 0:
        reduced = reduced / input.shape[0]
    return reduced


def margin_ranking_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0.0,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """``max(0, -y (x1 - x2) + margin)``."""
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(
            "margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {input1.shape}, input2: {input2.shape}, target: {target.shape} "
        )
    _check_reduction(reduction)
    return _reduce((-target * (input1 - input2) + margin).clamp(min=0), reduction)


def hinge_embedding_loss(
    input: Tensor,  # noqa: A002
    target: Tensor,
    margin: float = 1.0,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """``x`` where ``y == 1``, ``max(0, margin - x)`` where ``y == -1``. PyTorch computes it
    in the input's dtype, so a float64 target leaves a float32 loss and integers stay
    integers (until ``mean`` refuses them)."""
    _check_reduction(reduction)
    if reduction == "mean" and input._dtype._category < 2:
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point"
            f" or complex dtype. Got: {D.scalar_name(input._dtype)}"
        )
    zeros = zeros_like(input)
    out_margin = OF.where(target != 1, (margin - input).clamp(min=0), zeros)
    out_self = OF.where(target != -1, input, zeros)
    return _reduce(out_margin + out_self, reduction)


def cosine_embedding_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0.0,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """``1 - cos(x1, x2)`` where ``y == 1``, ``max(0, cos(x1, x2) - margin)`` where
    ``y == -1``."""
    _check_reduction(reduction)
    dim = 1 if input1.dim() == 2 else 0
    prod = (input1 * input2).sum(dim)
    mag1 = (input1 * input1).sum(dim) + 1e-12
    mag2 = (input2 * input2).sum(dim) + 1e-12
    cos = prod / (mag1 * mag2).sqrt()
    zeros = zeros_like(cos)
    out = OF.where(target == 1, 1 - cos, zeros) + OF.where(
        target == -1, (cos - margin).clamp(min=0), zeros
    )
    return _reduce(out, reduction)


def poisson_nll_loss(
    input: Tensor,  # noqa: A002
    target: Tensor,
    log_input: bool = True,
    full: bool = False,
    size_average: Any = None,
    eps: float = 1e-8,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of ``target ~ Poisson(rate)``, the rate given as its log
    (``log_input``) or itself; ``full`` adds Stirling's term."""
    _check_reduction(reduction)
    if log_input:
        loss = OF.exp(input) - target * input
    else:
        loss = input - target * OF.log(input + eps)
    if full:
        stirling = target * OF.log(target) - target + 0.5 * OF.log(2 * math.pi * target)
        loss = loss + stirling.masked_fill(target <= 1, 0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(
    input: Tensor,  # noqa: A002
    target: Tensor,
    var: Tensor | float,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> Tensor:
    """``0.5 (log var + (input - target)^2 / var)`` with ``var`` floored at ``eps`` (the floor
    does not stop its gradient, as in PyTorch)."""
    if not isinstance(var, Tensor):
        var = input * 0 + var
    elif tuple(var.shape) != tuple(input.shape):
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif not (tuple(input.shape[:-1]) == tuple(var.shape[:-1]) and var.shape[-1] == 1):
            raise ValueError("var is of incorrect size")
    if reduction not in _REDUCTIONS:
        raise ValueError(reduction + " is not valid")
    if bool((var < 0).any()):
        raise ValueError("var has negative entry/entries")
    var = var.clone()
    with no_grad():
        var.clamp_(min=eps)
    loss = 0.5 * (OF.log(var) + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


def triplet_margin_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    margin: float = 1.0,
    p: float = 2,
    eps: float = 1e-6,
    swap: bool = False,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """``max(0, margin + d(a, p) - d(a, n))`` with pairwise p-norm distances."""
    _check_reduction(reduction)
    dist_pos = pairwise_distance(anchor, positive, p, eps)
    dist_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        dist_neg = OF.minimum(dist_neg, pairwise_distance(positive, negative, p, eps))
    return _reduce((margin + dist_pos - dist_neg).clamp_min(0), reduction)  # ClampMinBackward0


def multilabel_soft_margin_loss(
    input: Tensor,  # noqa: A002
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """Per-class binary logistic loss, averaged over classes, for multi-label targets."""
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    loss = loss.sum(class_dim) / input.shape[class_dim]
    return _reduce(loss, reduction)


__all__ = [
    "cosine_embedding_loss",
    "gaussian_nll_loss",
    "hinge_embedding_loss",
    "huber_loss",
    "kl_div",
    "margin_ranking_loss",
    "multilabel_soft_margin_loss",
    "poisson_nll_loss",
    "smooth_l1_loss",
    "soft_margin_loss",
    "triplet_margin_loss",
]
