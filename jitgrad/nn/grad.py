"""``torch.nn.grad`` (also ``torch.nn.functional.grad``): the gradients of a convolution
with respect to its input or its weight, given the gradient of its output, for custom
autograd Functions that write a convolution's backward by hand.

A convolution is linear in its input and in its weight, so each is the gradient of the
convolution taken at zeros of the requested size; it is taken with ``create_graph`` when
the other operands require grad, so the result is differentiable in them, as PyTorch's is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..autograd.api import grad as _autograd_grad
from ..engine.grad_mode import STATE as GRAD
from ..frontend.creation import zeros
from ..frontend.tensor import Tensor
from ..helpers import missing_attribute
from ._functional_conv import conv1d, conv2d  # noqa: F401 - looked up by name in _wrt


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


def _wrt(
    conv_name: str,
    size: Sequence[int],
    fixed: Tensor,
    grad_output: Tensor,
    as_input: bool,
    options: tuple,
) -> Tensor:
    """The gradient of the convolution ``conv_name`` for the operand of ``size`` (the input
    when ``as_input``, else the weight), the other operand being ``fixed``."""
    free = zeros(
        tuple(size), dtype=grad_output.dtype, device=grad_output.device, requires_grad=True
    )
    graph = GRAD.enabled and (fixed.requires_grad or grad_output.requires_grad)
    # (looked up by name at the call: a backend reroutes this module's global ``conv1d`` to its
    # device wrapper, which a reference captured at import would bypass)
    conv: Callable[..., Tensor] = globals()[conv_name]
    out = conv(free, fixed, None, *options) if as_input else conv(fixed, free, None, *options)
    _check_grad_output(tuple(out.shape), tuple(grad_output.shape))
    return _autograd_grad(out, free, grad_output, create_graph=graph)[0]


def _input_grad(conv: str, name: str) -> Callable[..., Tensor]:
    """``conv<N>d_input``: the gradient for an input of ``input_size``."""

    def input_grad(
        input_size: Sequence[int],
        weight: Tensor,
        grad_output: Tensor,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
    ) -> Tensor:
        options = (stride, padding, dilation, groups)
        return _wrt(conv, input_size, weight, grad_output, True, options)

    input_grad.__name__ = input_grad.__qualname__ = name
    input_grad.__doc__ = f"The gradient of ``{name[:6]}`` with respect to its input."
    return input_grad


def _weight_grad(conv: str, name: str) -> Callable[..., Tensor]:
    """``conv<N>d_weight``: the gradient for a weight of ``weight_size``."""

    def weight_grad(
        input: Tensor,  # noqa: A002 - PyTorch's name
        weight_size: Sequence[int],
        grad_output: Tensor,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
    ) -> Tensor:
        options = (stride, padding, dilation, groups)
        return _wrt(conv, weight_size, input, grad_output, False, options)

    weight_grad.__name__ = weight_grad.__qualname__ = name
    weight_grad.__doc__ = f"The gradient of ``{name[:6]}`` with respect to its weight."
    return weight_grad


conv1d_input = _input_grad("conv1d", "conv1d_input")
conv1d_weight = _weight_grad("conv1d", "conv1d_weight")
conv2d_input = _input_grad("conv2d", "conv2d_input")
conv2d_weight = _weight_grad("conv2d", "conv2d_weight")


#: ``jitgrad.nn.grad.<name>`` for a PyTorch name jitgrad lacks says so (AttributeError).
__getattr__ = missing_attribute("jitgrad.nn.grad")
