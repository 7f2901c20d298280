"""``mse_loss``, ``binary_cross_entropy`` and ``binary_cross_entropy_with_logits`` as one named
node each (``MseLossBackward0``, ``BinaryCrossEntropyBackward0``,
``BinaryCrossEntropyWithLogitsBackward0``), as PyTorch shows them in ``loss.grad_fn``; and
``l1_loss``, which PyTorch composes from other ops.

The value is computed by an elementwise expression (one fused kernel plus the reduction) and
the backward is PyTorch's closed-form derivative written with Tensor ops, so both stay fused
and the backward is differentiable again under ``create_graph``. A ``weight`` or
``pos_weight`` that itself requires grad takes the composed expression instead (its gradient
then flows through the ordinary nodes).
"""

from __future__ import annotations

from .. import dtypes as D
from ..autocast_state import STATE as AUTOCAST
from ..autocast_state import upper as autocast_upper
from ..frontend import functions as OF
from ..frontend.tensor import Tensor
from ._functional_loss import _fused_loss, _reduce
from ._loss_checks import refuse_cast, refuse_integers, warn_size

__all__ = ["binary_cross_entropy", "binary_cross_entropy_with_logits", "l1_loss", "mse_loss"]

_BCE_EPS = 1e-12  # PyTorch's floor on x (1 - x) in the BCE input gradient


def mse_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:  # noqa: A002
    """``(input - target)^2``, reduced; one ``MseLossBackward0`` node."""
    if AUTOCAST.dtype is not None:  # torch.autocast('cpu') runs this loss in float32
        input, target = autocast_upper(input, target)
    warn_size(input, target)
    refuse_integers("mse_cpu", input, target)

    def loss(x: Tensor, y: Tensor) -> Tensor:
        d = x - y
        return d * d

    def slope(x: Tensor, y: Tensor, g: Tensor) -> Tensor:
        return 2.0 * (x - y) * g

    return _fused_loss("MseLossBackward0", input, target, reduction, loss, slope)


def l1_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:  # noqa: A002
    """``|input - target|``, reduced; composed as in PyTorch (``MeanBackward0``)."""
    warn_size(input, target)
    return _reduce(OF.abs(input - target), reduction)


def _needs_composed(*extras: Tensor | None) -> bool:
    return any(e is not None and e.requires_grad for e in extras)


def binary_cross_entropy(
    input: Tensor,  # noqa: A002
    target: Tensor,
    weight: Tensor | None = None,
    reduction: str = "mean",
) -> Tensor:
    """``-(t log x + (1-t) log(1-x))`` with each log clamped at -100, as PyTorch does."""
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}) is deprecated. Please ensure they have the same size."
        )
    if target._dtype is not input._dtype:  # (PyTorch's kernel reads both as one type)
        words = D.scalar_name(target._dtype), D.scalar_name(input._dtype)
        raise RuntimeError("Found dtype {} but expected {}".format(*words))
    refuse_integers("binary_cross_entropy", input, target)
    if not input.is_meta and not bool(((input >= 0) & (input <= 1)).all()):  # NaN too
        raise RuntimeError("all elements of input should be between 0 and 1")
    composed = _needs_composed(weight)
    w = weight if composed or weight is None else weight.detach()

    def weighted(v: Tensor) -> Tensor:
        return v if w is None else v * w

    def loss(x: Tensor, t: Tensor) -> Tensor:
        log_x = OF.clamp(OF.log(x), min=-100.0)
        log_1mx = OF.clamp(OF.log(1.0 - x), min=-100.0)
        return weighted(-(t * log_x + (1.0 - t) * log_1mx))

    def slope(x: Tensor, t: Tensor, g: Tensor) -> Tensor:
        return weighted(g * (x - t) / OF.clamp((1.0 - x) * x, min=_BCE_EPS))

    def target_slope(x: Tensor, t: Tensor, g: Tensor) -> Tensor:
        return weighted(g * (OF.log(1.0 - x) - OF.log(x)))

    if composed:
        return _reduce(loss(input, target), reduction)
    return _fused_loss(
        "BinaryCrossEntropyBackward0", input, target, reduction, loss, slope,
        target_slope=target_slope, out_dtype=target._dtype,
    )  # fmt: skip


def _logits_target_types(input: Tensor, target: Tensor) -> None:  # noqa: A002
    """PyTorch's errors for integer logits (its log_sigmoid kernel's) and for an integer
    target (the loss is computed into a tensor of the target's type)."""
    if input._dtype._category < 2:
        raise NotImplementedError(
            f"\"log_sigmoid_cpu\" not implemented for '{D.scalar_name(input._dtype)}'"
        )
    refuse_cast(input._dtype, target._dtype)


def binary_cross_entropy_with_logits(
    input: Tensor,  # noqa: A002
    target: Tensor,
    weight: Tensor | None = None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """Stable ``BCE(sigmoid(x), t)``: ``(1-t) x + lw (log1p(exp(-|x|)) + max(-x, 0))`` with
    ``lw = (pos_weight - 1) t + 1``."""
    if AUTOCAST.dtype is not None:  # torch.autocast('cpu') runs this loss in float32
        input, target, weight, pos_weight = autocast_upper(input, target, weight, pos_weight)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(
            f"Target size ({target.shape}) must be the same as input size ({input.shape})"
        )
    _logits_target_types(input, target)
    composed = _needs_composed(weight, pos_weight)
    w = weight if composed or weight is None else weight.detach()
    pw = pos_weight if composed or pos_weight is None else pos_weight.detach()

    def weighted(v: Tensor) -> Tensor:
        return v if w is None else v * w

    def softplus_neg(x: Tensor) -> Tensor:  # log(1 + exp(-x)), stable
        return OF.log1p(OF.exp(-OF.abs(x))) + OF.relu(-x)

    def loss(x: Tensor, t: Tensor) -> Tensor:
        sp = softplus_neg(x)
        if pw is not None:
            sp = ((pw - 1.0) * t + 1.0) * sp
        return weighted((1.0 - t) * x + sp)

    def slope(x: Tensor, t: Tensor, g: Tensor) -> Tensor:
        sig = OF.sigmoid(x)
        if pw is None:
            return weighted((sig - t) * g)
        lw = (pw - 1.0) * t + 1.0
        return weighted((lw * sig - pw * t) * g)  # d/dx of (1-t) x + lw softplus(-x)

    def target_slope(x: Tensor, t: Tensor, g: Tensor) -> Tensor:
        if pw is None:
            return weighted(-x * g)
        return weighted((-x + (pw - 1.0) * softplus_neg(x)) * g)

    if composed:
        return _reduce(loss(input, target), reduction)
    return _fused_loss(
        "BinaryCrossEntropyWithLogitsBackward0", input, target, reduction, loss, slope,
        target_slope=target_slope, out_dtype=target._dtype,
    )  # fmt: skip
