"""``cross_entropy`` and ``nll_loss`` declared: fused row kernels (log-sum-exp and the target
pick in one pass over each row, ``NllLossBackward0``) and their derivatives in one place, with
the composed Tensor-op form cross_entropy falls back to (probability targets, class weights).

Each derivative is a declared backward op (:mod:`jitgrad.frontend.declare`): without a graph to
record it runs the backward kernel and records nothing; under ``create_graph`` it records its
node, whose own derivative is written in differentiable ops. nll_loss's gradient is linear in
the loss's gradient with constant coefficients, so the derivative of ``nll_loss_backward`` in
its gradient is nll_loss itself (PyTorch's ``NllLossBackwardBackward0``); cross_entropy's is
``scale * (softmax(x) - q)`` per row (``q`` the smoothed one-hot target), differentiated in
``x`` through a recorded softmax (``LogSoftmaxBackwardDataBackward0``, the node PyTorch's
gradient ends in).

Apart from :mod:`jitgrad.nn.functional` (which re-exports both) because the row layout
helpers (classes last, per-row scaling, the reductions) serve only these two losses.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes as D
from ..autocast_state import STATE as AUTOCAST
from ..autocast_state import upper as autocast_upper
from ..frontend.declare import Declared, Saved, zeros_where_needed
from ..frontend.recording import node_class
from ..frontend.tensor import Tensor, _make
from . import _kernels as K
from ._functional_loss import _check_reduction, probability_targets
from ._functional_smoothing import smoothed_nll


def _class_last(input: Tensor, target: Tensor) -> tuple[np.ndarray, np.ndarray]:
    """Logits as C-contiguous (rows, C) and targets as (rows,) int64, for (N, C, d...) too."""
    x = input._value
    t = target._value
    if x.ndim == 1:
        if t.ndim != 0:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        _check_target_dtype(input, target)
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
    _check_target_dtype(input, target)
    return np.ascontiguousarray(x), np.ascontiguousarray(t.reshape(-1), dtype=np.int64)


def _check_target_dtype(input: Tensor, target: Tensor) -> None:  # noqa: A002
    """PyTorch's kernels read class indices as int64 (uint8 too for 1-D/2-D inputs): any
    other dtype is refused in its words, not cast."""
    dt = target._dtype
    if dt is not D.int64 and dt is not D.uint8:
        raise RuntimeError(
            f"expected target dtype to be Long or Byte, but got {D.scalar_name(dt)}"
        )
    if dt is D.uint8 and input.dim() > 2:
        raise RuntimeError("expected scalar type Long but found Byte")


def _class_restore(g2: np.ndarray, shape: tuple) -> np.ndarray:
    if len(shape) == 1:
        return g2.reshape(shape)
    if len(shape) > 2:
        moved = (shape[0],) + shape[2:] + (shape[1],)
        return np.moveaxis(g2.reshape(moved), -1, 1)
    return g2


def _row_scale(loss_rows: np.ndarray, counted: int, reduction: str, g: np.ndarray) -> np.ndarray:
    """d(reduced loss)/d(row loss) times the incoming gradient's values ``g``, per row (also
    what a captured step's host call computes: :mod:`jitgrad.capture.record_host`)."""
    if reduction == "none":
        return np.ascontiguousarray(g.reshape(-1), dtype=loss_rows.dtype)
    gv = loss_rows.dtype.type(g)
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
    if AUTOCAST.dtype is not None:  # torch.autocast('cpu') runs this loss in float32
        input, target, weight = autocast_upper(input, target, weight)
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
    K.cross_entropy_rows_fwd(x2, t, ignore_index, label_smoothing, lse, rows)
    out_shape = target.shape
    value = _finish(rows, counted, reduction, out_shape)

    return CROSS_ENTROPY.record(
        "AddBackward0" if label_smoothing else _node_name(input.dim(), reduction), value,
        input._dtype, (input,), (input,), input=input, target=target, _x2=x2, _t=t,
        _ignore=ignore_index, _smoothing=label_smoothing, _lse=lse, _rows=rows,
        _counted=counted, _reduction=reduction, _targets=_row_targets,
    )  # fmt: skip


def _cross_entropy_composed(input, target, weight, ignore_index, reduction, label_smoothing):
    logp = input.log_softmax(1 if input.dim() > 1 else 0)
    if target._dtype.is_floating_point:  # class probabilities
        if label_smoothing:
            c = input.shape[1 if input.dim() > 1 else 0]
            target = target * (1.0 - label_smoothing) + label_smoothing / c
        w = logp if weight is None else logp * weight.reshape((-1,) + (1,) * (input.dim() - 2))
        if reduction == "none":
            return -(w * target).sum(1 if input.dim() > 1 else 0)
        loss = -(w * target).sum()  # PyTorch's order: negate the total (NegBackward0)
        if reduction == "mean":  # over every position: numel / classes (N * d1 * ... * dK)
            loss = loss / (input.numel() // input.shape[1] if input.dim() > 1 else 1)
            if loss.grad_fn is not None:  # PyTorch divides by a Scalar: DivBackward1
                loss.grad_fn.__class__ = node_class("DivBackward1", type(loss.grad_fn))
        return loss
    loss = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)
    if label_smoothing:
        return smoothed_nll(loss, logp, target, weight, ignore_index, reduction, label_smoothing)
    return loss


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
    if AUTOCAST.dtype is not None:  # torch.autocast('cpu') runs this loss in float32
        input, target, weight = autocast_upper(input, target, weight)
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
    return NLL.record(
        _node_name(input.dim(), reduction), value, input._dtype, (input,), (input,), input=input,
        target=target, weight=weight, _x2=x2, _t=t, _ignore=ignore_index, _rows=rows,
        _w_rows=w_rows, _denom=denom, _reduction=reduction,
    )  # fmt: skip


def nll_loss_backward(g: Tensor, s: Saved) -> Tensor:
    """The input gradient of the nll_loss that saved ``s``: ``-g * weight / total`` at each
    counted target, by the backward kernel (a node under ``create_graph``)."""
    x, x2, rows, reduction = s.input, s._x2, s._rows, s._reduction
    base = np.ones_like(rows) if s._w_rows is None else s._w_rows
    if reduction == "mean":
        base = base / x2.dtype.type(s._denom)
    scale = base * (g._value.reshape(-1) if reduction == "none" else g._value)
    gx = np.empty_like(x2)
    K.nll_bwd(s._t, s._ignore, np.ascontiguousarray(scale, dtype=x2.dtype), gx)
    return NLL_BACKWARD.record(
        "NllLossBackwardBackward0", _class_restore(gx, x._value.shape), x._dtype, (g, x), (),
        fresh=True, _g=g, _loss=s,
    )  # fmt: skip


def _nll_backward_derivative(s: Saved, u: Tensor) -> tuple:
    """nll_loss_backward is linear in ``g`` with coefficients constant in the input: its
    derivative in ``g`` is nll_loss of ``u`` (the same targets, weights and reduction) and
    none flows to the input."""
    f = s._loss
    gg = nll_loss(u, f.target, f.weight, ignore_index=f._ignore, reduction=f._reduction)
    return zeros_where_needed((gg, None), (s._g, f.input))


NLL = Declared("nll_loss", lambda s, g: nll_loss_backward(g, s))
NLL_BACKWARD = Declared("nll_loss_backward", _nll_backward_derivative)


def cross_entropy_backward(g: Tensor, s: Saved) -> Tensor:
    """The input gradient of the fused cross_entropy that saved ``s``: ``scale * (softmax(x)
    - q)`` per counted row by the backward kernel (a node under ``create_graph``)."""
    x, x2 = s.input, s._x2
    gx = np.empty_like(x2)
    scale = _row_scale(s._rows, s._counted, s._reduction, g._value)
    K.cross_entropy_rows_bwd(x2, s._t, s._ignore, s._smoothing, s._lse, scale, gx)
    return CE_BACKWARD.record(
        "LogSoftmaxBackwardDataBackward0", _class_restore(gx, x._value.shape), x._dtype, (g, x),
        (g, x), fresh=True, _g=g, _loss=s,
    )  # fmt: skip


def _cross_entropy_backward_derivative(s: Saved, u: Tensor) -> tuple:
    """With ``B = m * g * (p - q)`` (``m`` the per-row scale, ``p`` the softmax over classes,
    ``q`` the smoothed one-hot target, both constants the forward's ``_targets`` builds on its
    device): in ``g``, the sum over classes of ``u * m * (p - q)`` (over all rows unless
    ``reduction='none'``); in ``x``, softmax's adjoint ``m * g * p * (u - sum(u * p))``."""
    f, g = s._loss, s._g
    x, reduction = f.input, f._reduction
    cd = 1 if x.dim() > 1 else 0
    m, q = f._targets(f)
    p = x.softmax(cd)
    gm = m * (g.unsqueeze(cd) if reduction == "none" and x.dim() > 1 else g)
    up = (u * p).sum(cd, keepdim=True)
    gg = (u * (p - q) * m).sum(cd)
    return (gg if reduction == "none" else gg.sum()), gm * p * (u - up)


def _row_targets(f: Saved) -> tuple[Tensor, Tensor]:
    """``(m, q)`` of the fused CPU cross_entropy that saved ``f``: ``m`` is 1 on the kept rows
    (over the count for ``mean``), 0 on the ignored ones, with a size-1 class dim; ``q`` the
    smoothed one-hot targets, the logits' shape."""
    x, t = f.input, f._t
    cd = 1 if x.dim() > 1 else 0
    c = x._value.shape[cd]
    kept = t != f._ignore
    q2 = np.zeros(f._x2.shape, f._x2.dtype)
    q2[kept] = f._smoothing / c
    q2[np.flatnonzero(kept), t[kept]] += 1.0 - f._smoothing
    mask = np.expand_dims(kept.reshape(f.target._value.shape), cd).astype(q2.dtype)
    if f._reduction == "mean":
        mask = mask / q2.dtype.type(f._counted)
    return _make(mask, x._dtype), _make(_class_restore(q2, x._value.shape), x._dtype)


CROSS_ENTROPY = Declared("cross_entropy", lambda s, g: cross_entropy_backward(g, s))
CE_BACKWARD = Declared("cross_entropy_backward", _cross_entropy_backward_derivative)
