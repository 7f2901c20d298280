"""``F.nll_loss`` of 2-D ``(N, C)`` log-probabilities on the device (the loss of
``log_softmax`` + ``nll_loss`` programs, PyTorch's MNIST example among them; it ran through
the host fallback, a round trip per step).

As the CPU's (:func:`jitgrad.nn._functional_cross_entropy.nll_loss`): each row's
``-input[i, target[i]]`` (a device gather: no ``0 * x`` products, so an inf log-probability
of another class stays out), times the target's class weight, 0 on an ``ignore_index`` row;
``mean`` divides by the summed weights of the counted rows. The node is the CPU's
``NllLossBackward0``; its backward puts ``-g * weight / total`` at each counted target (a
device one-hot) and is recorded as the CPU's ``NllLossBackwardBackward0``, whose derivative
(the nll_loss of the incoming gradient, in the CPU module) reaches this op again through the
backend's wrapper. A target out of range sets the gather's flag, reported at the next
synchronization as the device's other index errors are.

Left to the host fallback (``NotImplemented``): other ranks, 16-bit and complex inputs,
host targets or weights, empty batches, the legacy ``size_average``/``reduce``.
"""

from __future__ import annotations

from typing import Any

from ... import dtypes as D
from ...engine.grad_mode import no_grad
from ...frontend.clamp_where import where
from ...frontend.declare import Declared, Saved
from ...frontend.tensor import Tensor
from ...nn._functional_cross_entropy import NLL_BACKWARD
from . import nn_rows
from .elementwise import on_device
from .selecting import one_hot


def _takes(input: Any, target: Any, weight: Any, reduction: str) -> bool:  # noqa: A002
    if not (isinstance(input, Tensor) and isinstance(target, Tensor)) or input.dim() != 2:
        return False
    if not (on_device(input) and on_device(target)) or target._dtype is not D.int64:
        return False
    if input._dtype not in (D.float32, D.float64) or reduction not in ("mean", "sum", "none"):
        return False
    if tuple(target.shape) != tuple(input.shape[:1]) or not input.numel():
        return False
    return weight is None or (
        isinstance(weight, Tensor) and on_device(weight) and weight._dtype is input._dtype
        and tuple(weight.shape) == (input.shape[1],)
    )  # fmt: skip


def nll_loss(
    input: Any,  # noqa: A002
    target: Any,
    weight: Any = None,
    size_average: Any = None,
    ignore_index: int = -100,
    reduce: Any = None,  # noqa: A002 - PyTorch's name
    reduction: str = "mean",
) -> Any:
    if size_average is not None or reduce is not None or type(ignore_index) is not int:
        return NotImplemented
    if not _takes(input, target, weight, reduction):
        return NotImplemented
    n = input.shape[0]
    with no_grad():
        kept = target != ignore_index
        t = where(kept, target, 0)
        w_rows = kept.to(input.dtype)
        if weight is not None:
            w_rows = weight.index_select(0, t) * w_rows
        rows = -input.detach().gather(1, t.reshape(n, 1)).reshape(n) * w_rows
        denom = w_rows.sum() if reduction == "mean" else None
        value = rows if reduction == "none" else rows.sum()
        if denom is not None:
            value = value / denom
    return NLL.record(
        "NllLossBackward0", value._value, input._dtype, (input,), (input,), input=input,
        target=target, weight=weight, _t=t, _w_rows=w_rows, _denom=denom, _ignore=ignore_index,
        _reduction=reduction,
    )  # fmt: skip


def nll_loss_backward(g: Tensor, s: Saved) -> Tensor:
    """``-g * weight / total`` at each counted target; recorded as the CPU's
    ``NllLossBackwardBackward0`` (its derivative is the CPU's)."""
    x = s.input
    n, c = x.shape
    with no_grad():
        scale = s._w_rows * g.detach()  # (g: one value per row for "none", else 0-d)
        if s._denom is not None:
            scale = scale / s._denom
        gx = -(one_hot(s._t, c).to(x.dtype) * scale.reshape(n, 1))
    return NLL_BACKWARD.record(
        "NllLossBackwardBackward0", gx._value, x._dtype, (g, x), (), fresh=True, _g=g, _loss=s
    )


NLL = Declared("nll_loss", lambda s, g: nll_loss_backward(g, s))
nn_rows.NATIVE["nll_loss"] = nll_loss  # (read when the host fallback wraps the ops)
