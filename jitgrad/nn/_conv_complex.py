"""Complex convolutions as PyTorch 2.13 computes them (ATen's ``complex_convolution``): three
real convolutions of the parts (Gauss's trick) combined as ``a - b + 1j * (c - a - b)``.

``a = conv(x_r, w_r, b_r)``, ``b = conv(x_i, w_i)``, ``c = conv(x_r + x_i, w_r + w_i, b_r +
b_i)``. The result's node is PyTorch's (``AddBackward0``) and the gradients come from
autograd through the real ops, with the conjugations PyTorch's complex rule gives (the old
direct complex kernel's backward multiplied by the weight where PyTorch multiplies by its
conjugate). Every step is a Tensor op, so the same code serves the CUDA backend: ``conv`` is
the caller's real convolution (the CPU's kernel, or the device's) with its other arguments
bound, for plain and transposed convolutions alike.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..frontend.tensor import Tensor

__all__ = ["complex_convolution"]


def _parts(t: Tensor) -> tuple[Tensor, Tensor]:
    return t.real, t.imag


def complex_convolution(
    conv: Callable[[Tensor, Tensor, Any], Tensor],
    input: Tensor,  # noqa: A002
    weight: Tensor,
    bias: Tensor | None,
) -> Tensor:
    """``conv`` (a real convolution of ``(input, weight, bias)``) of complex operands."""
    x_r, x_i = _parts(input)
    w_r, w_i = _parts(weight)
    if bias is None:
        a = conv(x_r, w_r, None)
        c = conv(x_r + x_i, w_r + w_i, None)
    else:
        b_r, b_i = _parts(bias)
        a = conv(x_r, w_r, b_r)
        c = conv(x_r + x_i, w_r + w_i, b_r + b_i)
    b = conv(x_i, w_i, None)
    return a - b + 1j * (c - a - b)
