"""``LayerNorm`` over the trailing ``normalized_shape`` dims."""

from __future__ import annotations

from typing import Any

from ..frontend import creation
from ..frontend.tensor import Tensor
from . import functional as F
from .module import Module
from .parameter import Parameter


def add_affine(module: Module, shape: Any, affine: bool, bias: bool, dtype: Any) -> None:
    """Registers the learned scale and shift every norm layer has: ``weight`` 1 and ``bias`` 0
    of ``shape`` (``bias`` None when ``bias`` is false), both None without ``affine``."""
    if affine:
        module.weight = Parameter(creation.ones(shape, dtype=dtype))
        if bias:
            module.bias = Parameter(creation.zeros(shape, dtype=dtype))
        else:
            module.register_parameter("bias", None)
    else:
        module.register_parameter("weight", None)
        module.register_parameter("bias", None)


class LayerNorm(Module):
    def __init__(
        self,
        normalized_shape: Any,
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else normalized_shape
        self.normalized_shape = tuple(shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        add_affine(self, self.normalized_shape, elementwise_affine, bias, dtype)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, "
            f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}"
        )
