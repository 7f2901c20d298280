"""``cross_entropy`` and ``nll_loss``: fused row kernels (log-sum-exp and the target pick
in one pass over each row, ``NllLossBackward0``), with the composed Tensor-op forms they fall
back to (probability targets, class weights) and use under ``create_graph=True``.

Apart from :mod:`jitgrad.nn.functional` (which re-exports both) because the row layout
helpers (classes last, per-row scaling, the reductions) serve only these two losses.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.grad_mode import STATE
from ..autograd.recording import node_class, record
from ..tensor import Tensor, _make
from . import _kernels as K
from ._functional_loss import _check_reduction, _reduce, probability_targets
from ._functional_smoothing import smoothed_nll


def _class_last(input: Tensor, target: Tensor) -> tuple[np.ndarray, np.ndarray]:
    """Logits as C-contiguous (rows, C) and targets as (rows,) int64, for (N, C, d...) too."""
    x = input._value
    t = target._value
    if x.ndim == 1:
        if t.ndim != 0:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        return x.reshape(1, -1), t.reshape(1).astype(np.int64)
    if x.ndim > 2:
        x = np.moveaxis(x, 1, -1).reshape(-1, x.shape[1])
    if t.shape != input._value.shape[:1] + input._value.shape[2:]:
        if t.ndim != 1 and input.dim() == 2:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        raise ValueError(
            f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
            f"({target.shape[0] if target.dim() else 0})."
        )
    return np.ascontiguousarray(x), np.ascontiguousarray(t.reshape(-1), dtype=np.int64)


def _class_restore(g2: np.ndarray, shape: tuple) -> np.ndarray:
    if len(shape) == 1:
        return g2.reshape(shape)
    if len(shape) > 2:
        moved = (shape[0],) + shape[2:] + (shape[1],)
        return np.moveaxis(g2.reshape(moved), -1, 1)
    return g2


def _row_scale(loss_rows: np.ndarray, counted: int, reduction: str, g: Tensor) -> np.ndarray:
    """d(reduced loss)/d(row loss) times the incoming gradient, per row."""
    if reduction == "none":
        return np.ascontiguousarray(g._value.reshape(-1), dtype=loss_rows.dtype)
    gv = loss_rows.dtype.type(g._value)
    if reduction == "mean":
        gv = gv / loss_rows.dtype.type(counted)
    return np.full(loss_rows.shape, gv, loss_rows.dtype)


def _finish(loss_rows: np.ndarray, counted: int, reduction: str, out_shape: tuple) -> np.ndarray:
    if reduction == "none":
        return loss_rows.reshape(out_shape)
    total = np.empty(1, loss_rows.dtype)
    K.col_sum(loss_rows.reshape(-1, 1), total)
    if reduction == "mean":
        return (total / loss_rows.dtype.type(counted)).reshape(())
    return total.reshape(())


def _node_name(dim: int, reduction: str) -> str:
    """PyTorch's last node: ``nll_loss2d`` past 2 dimensions, whose per-element result is
    viewed back to the target's shape (``ViewBackward0``) unless the input is 4-D."""
    if dim <= 2:
        return "NllLossBackward0"
    return "ViewBackward0" if reduction == "none" and dim != 4 else "NllLoss2DBackward0"


def _bad_target(code: int, t: np.ndarray) -> None:
    if code < 0:
        raise IndexError(f"Target {int(t[-1 - code])} is out of bounds.")


def cross_entropy(
    input: Tensor,  # noqa: A002
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    ignore_index: int = -100,
    reduce: Any = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Softmax cross-entropy with class-index targets in one stable pass per row.

    ``logsumexp`` uses the row max, so large logits never overflow. The output's node is
    ``NllLossBackward0`` as in PyTorch, but it is one fused node (no ``LogSoftmaxBackward0``
    behind it). Probability targets and ``weight`` go through the composed formula.
    """
    _check_reduction(reduction)
    if probability_targets(input, target) or weight is not None:
        return _cross_entropy_composed(
            input, target, weight, ignore_index, reduction, label_smoothing
        )
    x2, t = _class_last(input, target)
    counted = K.count_targets(t, ignore_index, x2.shape[1])
    _bad_target(counted, t)
    lse = np.empty(x2.shape[0], x2.dtype)
    rows = np.empty(x2.shape[0], x2.dtype)
    K.pick(K.cross_entropy_fwd, x2.size)(x2, t, ignore_index, label_smoothing, lse, rows)
    out_shape = target.shape
    value = _finish(rows, counted, reduction, out_shape)

    def backward(g: Tensor) -> tuple:
        if STATE.enabled:
            return (
                _cross_entropy_composed_grad(
                    input, target, ignore_index, reduction, label_smoothing, g
                ),
            )
        gx = np.empty_like(x2)
        scale = _row_scale(rows, counted, reduction, g)
        K.pick(K.cross_entropy_bwd, x2.size)(x2, t, ignore_index, label_smoothing, lse, scale, gx)
        return (_make(_class_restore(gx, input._value.shape), input._dtype, fresh=True),)

    name = "AddBackward0" if label_smoothing else _node_name(input.dim(), reduction)
    return record(name, value, input._dtype, (input,), backward, saved=(input,))


def _cross_entropy_composed(input, target, weight, ignore_index, reduction, label_smoothing):
    logp = input.log_softmax(1 if input.dim() > 1 else 0)
    if target._dtype.is_floating_point:  # class probabilities
        if label_smoothing:
            c = input.shape[1 if input.dim() > 1 else 0]
            target = target * (1.0 - label_smoothing) + label_smoothing / c
        w = logp if weight is None else logp * weight.reshape((-1,) + (1,) * (input.dim() - 2))
        loss = -(w * target).sum(1 if input.dim() > 1 else 0)
        if reduction == "mean":
            loss = loss.sum() / (input.shape[0] if input.dim() > 1 else 1)
            if loss.grad_fn is not None:  # PyTorch divides by a Scalar: DivBackward1
                loss.grad_fn.__class__ = node_class("DivBackward1", type(loss.grad_fn))
            return loss
        return _reduce(loss, reduction)
    loss = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)
    if label_smoothing:
        return smoothed_nll(loss, logp, target, weight, ignore_index, reduction, label_smoothing)
    return loss


def _cross_entropy_composed_grad(input, target, ignore_index, reduction, label_smoothing, g):
    """The fused cross_entropy's input gradient in Tensor ops (for create_graph=True)."""
    from ..autograd.api import grad as autograd_grad
    from ..autograd.grad_mode import enable_grad

    with enable_grad():
        x = input.detach().requires_grad_(True) if not input.requires_grad else input
        loss = _cross_entropy_composed(x, target, None, ignore_index, reduction, label_smoothing)
        return autograd_grad(loss, x, g, create_graph=True)[0]


def nll_loss(
    input: Tensor,  # noqa: A002
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    ignore_index: int = -100,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """``-input[i, target[i]]`` reduced; ``weight`` rescales each class (mean divides by the
    summed weights of the counted targets, as PyTorch does)."""
    _check_reduction(reduction)
    x2, t = _class_last(input, target)
    rows = np.empty(x2.shape[0], x2.dtype)
    counted = K.nll_fwd(x2, t, ignore_index, rows)
    _bad_target(counted, t)
    w_rows = None
    denom = counted
    if weight is not None:
        w_rows = np.where(t == ignore_index, 0, weight._value[np.where(t == ignore_index, 0, t)])
        w_rows = w_rows.astype(x2.dtype)
        rows = rows * w_rows
        denom = w_rows.sum()
    value = _finish(rows, 1, reduction, target.shape)
    if reduction == "mean":
        value = np.asarray(value / x2.dtype.type(denom), dtype=x2.dtype)  # 0-d array, not a scalar

    def backward(g: Tensor) -> tuple:
        base = np.ones_like(rows) if w_rows is None else w_rows
        if reduction == "mean":
            base = base / x2.dtype.type(denom)
        if STATE.enabled:  # create_graph: gradient = coefficient (constant) * g, in Tensor ops
            coef = np.empty_like(x2)
            K.nll_bwd(t, ignore_index, base, coef)
            c = _make(_class_restore(coef, input._value.shape), input._dtype)
            if reduction != "none":
                return (c * g,)
            keep = (input.shape[0], 1) + tuple(input.shape[2:]) if input.dim() > 1 else (1,)
            return (c * g.reshape(keep),)
        scale = base * (g._value.reshape(-1) if reduction == "none" else g._value)
        gx = np.empty_like(x2)
        K.nll_bwd(t, ignore_index, np.ascontiguousarray(scale, dtype=x2.dtype), gx)
        return (_make(_class_restore(gx, input._value.shape), input._dtype, fresh=True),)

    name = _node_name(input.dim(), reduction)
    return record(name, value, input._dtype, (input,), backward, saved=(input,))
