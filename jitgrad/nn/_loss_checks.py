"""The operand checks nn.functional's losses (and dropout) share: PyTorch's warning for a
target of another size, its refusals of integer operands (a kernel with only floating forms,
a floating result that cannot be written into an integer tensor), and a gradient cast back
to its operand's dtype."""

from __future__ import annotations

from .. import dtypes as D
from ..frontend.tensor import Tensor
from ..helpers import warn as warn_user


def warn_size(input: Tensor, target: Tensor) -> None:  # noqa: A002
    if tuple(target.shape) != tuple(input.shape):
        warn_user(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.",
            stacklevel=3,
        )


def refuse_integers(kernel: str, input: Tensor, target: Tensor) -> None:  # noqa: A002
    """PyTorch's error for a loss whose kernel (named ``kernel``) has only floating forms,
    given integer (or bool) input and target: ``"mse_cpu" not implemented for 'Long'``."""
    if input._dtype._category < 2 and target._dtype._category < 2:
        word = D.scalar_name(D.promote(input._dtype, target._dtype))
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{word}'")


def refuse_cast(result: D.dtype, output: D.dtype) -> None:
    """PyTorch's error when a floating result is written into an integer (or bool) output
    tensor: ``result type Float can't be cast to the desired output type Long``."""
    if output._category < 2 <= result._category:
        words = D.scalar_name(result), D.scalar_name(output)
        raise RuntimeError(
            "result type {} can't be cast to the desired output type {}".format(*words)
        )


def into_input(input: Tensor, target: Tensor) -> None:  # noqa: A002
    """Refusal of an integer ``input`` for a loss PyTorch computes into a tensor like its
    input (huber, soft margin): the pair's floating type cannot be written back."""
    result = D.promote(input._dtype, target._dtype)
    refuse_cast(result if result._category >= 2 else D.get_default_dtype(), input._dtype)


def as_operand(grad: Tensor | None, operand: Tensor) -> Tensor | None:
    """``grad`` in its operand's dtype (a float32 input's gradient stays float32 when the
    slope mixed in a float64 target)."""
    if grad is None or grad._dtype is operand._dtype:
        return grad
    return grad.to(operand._dtype)
