"""3-d pooling modules: ``MaxPool3d``, ``AvgPool3d``, ``AdaptiveAvgPool3d``,
``AdaptiveMaxPool3d``; their state and repr are the 2-d modules', their functionals the
3-d ones (``_functional_pool3d``)."""

from __future__ import annotations

from typing import Any

from ..frontend.tensor import Tensor
from . import functional as F
from .layers_more import AdaptiveMaxPool2d
from .pooling import _AdaptiveAvgPoolNd, _AvgPoolDivisorNd, _MaxPoolNd

__all__ = ["AdaptiveAvgPool3d", "AdaptiveMaxPool3d", "AvgPool3d", "MaxPool3d"]


class MaxPool3d(_MaxPoolNd):
    """Window maxima over ``(N, C, D, H, W)`` or ``(C, D, H, W)``."""

    def forward(self, input: Tensor) -> Any:  # noqa: A002
        return self._pool(input, F.max_pool3d)


class AvgPool3d(_AvgPoolDivisorNd):
    """Window means over volumes (``count_include_pad`` and ``divisor_override`` as in
    PyTorch)."""

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.avg_pool3d(input, *self._args(), self.divisor_override)


class AdaptiveAvgPool3d(_AdaptiveAvgPoolNd):
    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.adaptive_avg_pool3d(input, self.output_size)


class AdaptiveMaxPool3d(AdaptiveMaxPool2d):
    def forward(self, input: Tensor) -> Any:  # noqa: A002
        return F.adaptive_max_pool3d(input, self.output_size, self.return_indices)
