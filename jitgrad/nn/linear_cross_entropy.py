"""``nn.LinearCrossEntropyLoss`` (PyTorch 2.13): a ``Linear`` to class logits and the cross
entropy against the target in one module (:func:`._functional_linear_ce.linear_cross_entropy`).

As PyTorch's, the linear weight is stored flat as ``linear.weight`` of shape
``(C * prod(out_features), in_features)`` (``Linear`` has no multi-dimensional weights) and
reshaped to ``(C, *out_features, in_features)`` in ``forward``; ``weight`` (per-class
rescaling) is a buffer, as in PyTorch's weighted losses.
"""

from __future__ import annotations

import math
from typing import Any

from ..frontend.tensor import Tensor
from ._functional_linear_ce import linear_cross_entropy
from .linear import Linear
from .loss import _Loss


class LinearCrossEntropyLoss(_Loss):
    """Cross entropy of ``Linear(in_features, num_classes * prod(out_features))(input)``."""

    def __init__(
        self,
        in_features: int,
        num_classes: int,
        *,
        out_features: tuple[int, ...] = (),
        bias: bool = False,
        device: Any = None,
        dtype: Any = None,
        reduction: str = "mean",
        weight: Tensor | None = None,
        ignore_index: int | None = None,
        label_smoothing: float = 0.0,
        options: Any = None,
    ) -> None:
        if weight is not None and tuple(weight.shape) != (num_classes,):
            raise RuntimeError(
                f"expected weight shape to be {(num_classes,)}, got {tuple(weight.shape)}"
            )
        if label_smoothing < 0 or label_smoothing > 1.0:
            raise RuntimeError(
                f"expected label_smoothing to be in range [0, 1], got {label_smoothing}"
            )
        super().__init__(reduction)
        self.register_buffer("weight", weight)
        self.num_classes = num_classes
        self.out_features = out_features
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing
        rows = math.prod(out_features, start=num_classes)
        self.linear = Linear(in_features, rows, bias=bias, device=device, dtype=dtype)
        self.options = options

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        lin = self.linear
        w = lin.weight.reshape((self.num_classes, *self.out_features, lin.in_features))
        b = None if lin.bias is None else lin.bias.reshape((self.num_classes, *self.out_features))
        return linear_cross_entropy(
            input,
            w,
            target,
            linear_bias=b,
            weight=self.weight,
            reduction=self.reduction,
            ignore_index=self.ignore_index,
            label_smoothing=self.label_smoothing,
            options=self.options,
        )

    def extra_repr(self) -> str:
        return (
            f"in_features={self.linear.in_features}, num_classes={self.num_classes}, "
            f"out_features={self.out_features}, bias={self.linear.bias is not None}, "
            f"reduction={self.reduction}, ignore_index={self.ignore_index}, "
            f"label_smoothing={self.label_smoothing}, options={self.options}"
        )
