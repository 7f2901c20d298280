"""``torch.nn.grad``: the gradients of a convolution with respect to its input or its weight,
as functions (``conv2d_input(input_size, weight, grad_output, ...)``).

Custom autograd Functions use them to write a convolution's backward by hand (PyTorch's
tutorial on fusing convolution and batch norm). Each one differentiates jitgrad's own
convolution once: a zero tensor of the requested shape stands for the missing operand (the
convolution is linear in each operand, so its value does not matter) and ``autograd.grad``
pulls ``grad_output`` back through it. The result carries no history, like PyTorch's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..autograd.api import grad as _autograd_grad
from ..autograd.grad_mode import enable_grad, no_grad
from ..creation import zeros
from ..tensor import Tensor
from ._functional_conv import conv1d, conv2d

__all__ = ["conv1d_input", "conv1d_weight", "conv2d_input", "conv2d_weight"]


def _check_grad_output(want: tuple, got: tuple) -> None:
    """PyTorch's words for a ``grad_output`` that is not the convolution's output shape."""
    if want == got:
        return
    if len(got) != len(want):
        raise RuntimeError(
            "Expected input and grad_output to have the same number of dimensions, but got: "
            f"{len(want)} and {len(got)}"
        )
    d = next(i for i, (a, b) in enumerate(zip(want, got)) if a != b)
    if len(want) == 3 and d == 2:  # PyTorch runs conv1d as a conv2d of height 1
        raise RuntimeError(
            f"grad_output[2:] shape[1, {got[2]}] must be equal to output size 1 {want[2]}"
        )
    raise RuntimeError(
        f"Expected a tensor of dimension {len(want)} and tensor.size[{d}] == {want[d]} but "
        f"got: dimension {len(got)} and tensor.size[{d}] = {got[d]}"
    )


def _pull_back(
    conv: Callable[..., Tensor],
    input: Tensor,  # noqa: A002
    weight: Tensor,
    wrt: Tensor,
    grad_output: Tensor,
    conv_args: tuple,
) -> Tensor:
    with enable_grad():
        out = conv(input, weight, None, *conv_args)
        _check_grad_output(tuple(out.shape), tuple(grad_output.shape))
        (result,) = _autograd_grad(out, wrt, grad_output.detach())
    with no_grad():
        return result.detach()


def _input_grad(conv: Callable[..., Tensor]) -> Callable[..., Tensor]:
    def input_grad(
        input_size: Sequence[int],
        weight: Tensor,
        grad_output: Tensor,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
    ) -> Tensor:
        x = zeros(tuple(input_size), dtype=grad_output.dtype, requires_grad=True)
        args = (stride, padding, dilation, groups)
        return _pull_back(conv, x, weight.detach(), x, grad_output, args)

    return input_grad


def _weight_grad(conv: Callable[..., Tensor]) -> Callable[..., Tensor]:
    def weight_grad(
        input: Tensor,  # noqa: A002
        weight_size: Sequence[int],
        grad_output: Tensor,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
    ) -> Tensor:
        w = zeros(tuple(weight_size), dtype=grad_output.dtype, requires_grad=True)
        args = (stride, padding, dilation, groups)
        return _pull_back(conv, input.detach(), w, w, grad_output, args)

    return weight_grad


def _named(fn: Callable[..., Tensor], name: str, wrt: str) -> Callable[..., Tensor]:
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"The gradient of ``{name.split('_')[0]}`` with respect to its {wrt}."
    return fn


conv1d_input = _named(_input_grad(conv1d), "conv1d_input", "input (of ``input_size``)")
conv1d_weight = _named(_weight_grad(conv1d), "conv1d_weight", "weight (of ``weight_size``)")
conv2d_input = _named(_input_grad(conv2d), "conv2d_input", "input (of ``input_size``)")
conv2d_weight = _named(_weight_grad(conv2d), "conv2d_weight", "weight (of ``weight_size``)")
