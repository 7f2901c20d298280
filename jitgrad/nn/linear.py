"""``Linear``, ``Identity``, ``Flatten`` and ``Unflatten``."""

from __future__ import annotations

import math
from typing import Any

from ..frontend import creation
from ..frontend.tensor import Tensor
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter


class Identity(Module):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return input


def add_weight_and_bias(
    module: Module, shape: tuple, bias: bool, dtype: Any, bias_size: int | None = None
) -> None:
    """Registers an uninitialised ``weight`` of ``shape`` and a ``bias`` of ``bias_size``
    (default ``shape[0]``; None when ``bias`` is false), as ``Linear`` and the convolutions do
    before initialising them."""
    module.weight = Parameter(creation.empty(*shape, dtype=dtype))
    if bias:
        module.bias = Parameter(
            creation.empty(shape[0] if bias_size is None else bias_size, dtype=dtype)
        )
    else:
        module.register_parameter("bias", None)


def reset_weight_and_bias(weight: Tensor, bias: Tensor | None, fill_without_fan_in: bool) -> None:
    """PyTorch's default init of ``Linear`` and the convolutions: ``kaiming_uniform_(a=sqrt(5))``
    weight, bias ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``. With no fan-in, ``Linear`` still draws
    its bias from ``U(0, 0)`` while the convolutions leave it untouched (both as PyTorch does):
    ``fill_without_fan_in`` picks which."""
    init.kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is None:
        return
    fan_in = weight.shape[1] * math.prod(weight.shape[2:])
    if fan_in > 0:
        bound = 1 / math.sqrt(fan_in)
        init.uniform_(bias, -bound, bound)
    elif fill_without_fan_in:
        init.uniform_(bias, 0, 0)


class Linear(Module):
    """``y = x W^T + b`` with PyTorch's default init (kaiming_uniform(a=sqrt(5)), bias
    U(-1/sqrt(in), 1/sqrt(in)))."""

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        add_weight_and_bias(self, (out_features, in_features), bias, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        reset_weight_and_bias(self.weight, self.bias, fill_without_fan_in=True)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class Flatten(Module):
    """Flattens dims ``start_dim..end_dim`` into one (batch dim kept by default)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Splits dimension ``dim`` into ``unflattened_size`` (the inverse of ``Flatten``)."""

    def __init__(self, dim: int, unflattened_size: Any) -> None:
        super().__init__()
        if not isinstance(dim, int):
            raise TypeError("invalid argument type for dim parameter")
        if not isinstance(unflattened_size, tuple | list):
            raise TypeError(
                "unflattened_size must be a tuple of ints, but found type "
                + type(unflattened_size).__name__
            )
        for pos, elem in enumerate(unflattened_size):
            if not isinstance(elem, int):
                raise TypeError(
                    "unflattened_size must be tuple of ints, but found element of type "
                    f"{type(elem).__name__} at pos {pos}"
                )
        self.dim = dim
        self.unflattened_size = unflattened_size

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return input.unflatten(self.dim, self.unflattened_size)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
