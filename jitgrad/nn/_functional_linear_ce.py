"""``F.linear_cross_entropy`` (PyTorch 2.13): ``cross_entropy(linear(input, W), target)``.

PyTorch defines it by that reference formula; ``linear_weight`` may carry extra output dims
``(C, d_1, ..., d_K, in_features)`` for a K-dimensional loss, flattened for the linear and
the logits reshaped to ``(N, C, d_1, ..., d_K)``. Its ``options`` select a chunked kernel that
saves memory on large vocabularies; jitgrad always takes the reference path, which gives the
same values (its nodes are the reference path's ``NllLossBackward0`` and ``AddmmBackward0``
/ ``MmBackward0``, where PyTorch's chunked path records one custom node).
"""

from __future__ import annotations

import math
from typing import Any

from ..frontend.tensor import Tensor
from ._functional_cross_entropy import cross_entropy
from ._functional_linear import linear

__all__ = ["linear_cross_entropy"]


def _check(input: Tensor, w: Tensor, target: Tensor, bias: Tensor | None) -> tuple:  # noqa: A002
    """PyTorch's shape checks, in its order; the logits' shape and the output dims."""
    if input.dim() < 1 or input.dim() > 2:
        raise RuntimeError(f"expected input with dimensionality 1 or 2, got {input.dim()}")
    if w.dim() < 2:
        raise RuntimeError(f"expected linear_weight with dimensionality at least 2, got {w.dim()}")
    batch, n_in = tuple(input.shape[:-1]), input.shape[-1]
    if n_in != w.shape[-1]:
        raise RuntimeError(
            "expected equal input and linear_weight last dimensions (in_features), "
            f"got {n_in} and {w.shape[-1]}, respectively"
        )
    classes, extra = w.shape[0], tuple(w.shape[1:-1])
    if bias is not None and tuple(bias.shape) != (classes, *extra):
        raise RuntimeError(
            f"expected linear_bias shape {(classes, *extra)}, got {tuple(bias.shape)}"
        )
    if extra and not batch:
        raise RuntimeError(
            f"K-dimensional loss defined by linear_weight shape {tuple(w.shape)} requires "
            f"batched input, (N, {n_in}), got unbatched input with shape {tuple(input.shape)}"
        )
    return (*batch, classes, *extra), extra


def linear_cross_entropy(
    input: Tensor,  # noqa: A002
    linear_weight: Tensor,
    target: Tensor,
    *,
    linear_bias: Tensor | None = None,
    weight: Tensor | None = None,
    reduction: str = "mean",
    ignore_index: int | None = None,
    label_smoothing: float = 0.0,
    options: Any = None,
) -> Tensor:
    """The cross entropy of ``linear(input, linear_weight, linear_bias)`` against ``target``
    (class indices, or probabilities shaped like the logits); ``ignore_index=None`` means
    -100, and may not be given with probabilities."""
    logits_shape, extra = _check(input, linear_weight, target, linear_bias)
    if tuple(target.shape) == logits_shape and ignore_index is not None:
        raise RuntimeError("ignore_index cannot be specified when target contains probabilities")
    w, b = linear_weight, linear_bias
    if extra:
        rows = math.prod(extra, start=w.shape[0])
        w = w.reshape(rows, w.shape[-1])
        b = None if b is None else b.reshape(rows)
    logits = linear(input, w, b).reshape(logits_shape)
    return cross_entropy(
        logits,
        target,
        weight,
        ignore_index=-100 if ignore_index is None else ignore_index,
        reduction=reduction,
        label_smoothing=label_smoothing,
    )
