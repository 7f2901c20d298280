"""Padding modules: ``ZeroPad``/``ConstantPad``/``ReflectionPad``/``ReplicationPad``/
``CircularPad`` in 1, 2 and 3 dimensions, thin wrappers over ``F.pad`` with PyTorch's reprs
(an int padding becomes the ``2 * n`` tuple it means)."""

from __future__ import annotations

from typing import Any

from ..frontend.tensor import Tensor
from . import functional as F
from .module import Module


def _pads(padding: Any, n: int) -> tuple:
    if isinstance(padding, int):
        return (padding,) * (2 * n)
    return tuple(padding)


class _PadNd(Module):
    _n = 1
    _mode = "constant"

    def __init__(self, padding: Any) -> None:
        super().__init__()
        self.padding = _pads(padding, self._n)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding: Any, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class _ZeroPadNd(_ConstantPadNd):
    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _CircularPadNd(_PadNd):
    """Circular padding checks the input's rank itself (PyTorch's ``ValueError``)."""

    _mode = "circular"

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        if input.dim() not in (self._n + 1, self._n + 2):
            raise ValueError(
                f"expected {self._n + 1}D or {self._n + 2}D input (got {input.dim()}D input)"
            )
        return super().forward(input)


def _in_1_2_3d(base: type, name: str, mode: str | None = None) -> tuple[type, type, type]:
    """The ``{name}1d``/``2d``/``3d`` modules of one padding kind: ``base`` with ``_n`` (and
    the ``F.pad`` ``mode``) fixed; one declaration where fifteen classes differ only there."""
    extra = {} if mode is None else {"_mode": mode}
    return tuple(  # type: ignore[return-value]
        type(f"{name}{n}d", (base,), {"_n": n, **extra}) for n in (1, 2, 3)
    )


ConstantPad1d, ConstantPad2d, ConstantPad3d = _in_1_2_3d(_ConstantPadNd, "ConstantPad")
ZeroPad1d, ZeroPad2d, ZeroPad3d = _in_1_2_3d(_ZeroPadNd, "ZeroPad")
ReflectionPad1d, ReflectionPad2d, ReflectionPad3d = _in_1_2_3d(_PadNd, "ReflectionPad", "reflect")
ReplicationPad1d, ReplicationPad2d, ReplicationPad3d = _in_1_2_3d(
    _PadNd, "ReplicationPad", "replicate"
)
CircularPad1d, CircularPad2d, CircularPad3d = _in_1_2_3d(_CircularPadNd, "CircularPad")

__all__ = [
    "CircularPad1d",
    "CircularPad2d",
    "CircularPad3d",
    "ConstantPad1d",
    "ConstantPad2d",
    "ConstantPad3d",
    "ReflectionPad1d",
    "ReflectionPad2d",
    "ReflectionPad3d",
    "ReplicationPad1d",
    "ReplicationPad2d",
    "ReplicationPad3d",
    "ZeroPad1d",
    "ZeroPad2d",
    "ZeroPad3d",
]
