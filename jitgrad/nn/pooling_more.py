"""The rarer pooling modules: ``MaxUnpool3d``, ``LPPool3d`` and ``FractionalMaxPool2d/3d``
(their state, checks and reprs are PyTorch's; the 1-d and 2-d unpool and LP pools live in
``layers_api``, whose bases these share)."""

from __future__ import annotations

from typing import Any

from ..frontend.tensor import Tensor
from . import functional as F
from .layers_api import _LPPoolNd, _MaxUnpoolNd
from .module import Module

__all__ = ["FractionalMaxPool2d", "FractionalMaxPool3d", "LPPool3d", "MaxUnpool3d"]


class MaxUnpool3d(_MaxUnpoolNd):
    """The partial inverse of ``MaxPool3d`` (``forward(input, indices, output_size=None)``)."""

    _nd = 3

    def forward(self, input: Tensor, indices: Tensor, output_size: Any = None) -> Tensor:  # noqa: A002
        return F.max_unpool3d(
            input, indices, self.kernel_size, self.stride, self.padding, output_size
        )


class LPPool3d(_LPPoolNd):
    """Power-average pooling over volumes: ``(sum of x**p over the window) ** (1/p)``."""

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.lp_pool3d(
            input, float(self.norm_type), self.kernel_size, self.stride, self.ceil_mode
        )


def _expand(v: Any, n: int) -> tuple:
    """PyTorch's ``_pair``/``_triple``: an iterable as a tuple, a scalar repeated."""
    return tuple(v) if isinstance(v, list | tuple) else (v,) * n


class _FractionalMaxPoolNd(Module):
    """Keeps ``kernel_size``, ``output_size`` or ``output_ratio`` (exactly one, each ratio
    in (0, 1)) and an optional ``_random_samples`` buffer; no extra repr, as in PyTorch."""

    _nd = 2

    def __init__(
        self,
        kernel_size: Any,
        output_size: Any = None,
        output_ratio: Any = None,
        return_indices: bool = False,
        _random_samples: Tensor | None = None,
    ) -> None:
        super().__init__()
        nd, name = self._nd, type(self).__name__
        if nd == 3 and any(k <= 0 for k in _expand(kernel_size, 1)):
            raise ValueError(f"kernel_size must be greater than 0, but got {kernel_size}")
        self.kernel_size = _expand(kernel_size, nd)
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)
        self.output_size = _expand(output_size, nd) if output_size is not None else None
        self.output_ratio = _expand(output_ratio, nd) if output_ratio is not None else None
        if output_size is None and output_ratio is None:
            raise ValueError(
                f"{name} requires specifying either an output size, or a pooling ratio"
            )
        if output_size is not None and output_ratio is not None:
            raise ValueError("only one of output_size and output_ratio may be specified")
        if self.output_ratio is not None and not all(
            0 < self.output_ratio[i] < 1 for i in range(nd)
        ):
            raise ValueError(f"output_ratio must be between 0 and 1 (got {output_ratio})")

    def _pool(self, input: Tensor, fn: Any) -> Any:  # noqa: A002
        return fn(
            input,
            self.kernel_size,
            self.output_size,
            self.output_ratio,
            self.return_indices,
            _random_samples=self._random_samples,
        )


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    """Max pooling over windows at pseudo-random fractional strides (Graham, 2014)."""

    def forward(self, input: Tensor) -> Any:  # noqa: A002
        return self._pool(input, F.fractional_max_pool2d)


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    """3-d fractional max pooling over ``(N, C, T, H, W)``."""

    _nd = 3

    def forward(self, input: Tensor) -> Any:  # noqa: A002
        return self._pool(input, F.fractional_max_pool3d)
