"""PyTorch's argument checks of ``autograd.functional`` with its words: inputs, outputs and
``v`` must be tensors or tuples of tensors, ``v`` must match the outputs' sizes, and
``strict=True`` refuses outputs that do not depend differentiably on every input."""

from __future__ import annotations

from typing import Any

from ..frontend.tensor import Tensor


def checked_tuple(x: Any, arg_name: str, fn_name: str) -> tuple[bool, tuple]:
    """``(was a tuple, x as a tuple)``, each item a Tensor (PyTorch's ``_as_tuple``)."""
    is_tuple = isinstance(x, tuple | list)
    items = tuple(x) if is_tuple else (x,)
    for i, el in enumerate(items):
        if not isinstance(el, Tensor):
            where = f"the value at index {i}" if is_tuple else f"the given {arg_name}"
            raise TypeError(
                f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of "
                f"Tensors but {where} has type {type(el)}."
            )
    return is_tuple, items


def check_v(v: tuple, other: tuple, is_other_tuple: bool) -> None:
    """``v`` has one tensor per output, each of the output's size (PyTorch's ``_validate_v``)."""
    if len(other) != len(v):
        if is_other_tuple:
            raise RuntimeError(
                f"v is a tuple of invalid length: should be {len(other)} but got {len(v)}."
            )
        raise RuntimeError("The given v should contain a single Tensor.")
    for idx, (el_v, el_other) in enumerate(zip(v, other, strict=True)):
        if tuple(el_v.shape) != tuple(el_other.shape):
            prepend = f"Entry {idx} in " if is_other_tuple else ""
            raise RuntimeError(
                f"{prepend}v has invalid size: should be torch.Size({list(el_other.shape)}) "
                f"but got torch.Size({list(el_v.shape)})."
            )


def check_strict_outputs(outputs: tuple) -> None:
    for i, out in enumerate(outputs):
        if not out.requires_grad:
            raise RuntimeError(
                f"Output {i} of the user-provided function does not require gradients. The "
                "outputs must be computed in a differentiable manner from the input when "
                "running in strict mode."
            )


def check_strict_used(grads: tuple) -> None:
    for i, g in enumerate(grads):
        if g is None:
            raise RuntimeError(
                f"The output of the user-provided function is independent of input {i}. This "
                "is not allowed in strict mode."
            )


def single_element(out: Any, fn_name: str) -> Any:
    """The output of a function ``hessian``/``vhp``/``hvp`` differentiates twice."""
    is_tuple, outs = checked_tuple(out, "outputs of the user-provided function", fn_name)
    if len(outs) != 1:
        raise RuntimeError(f"The function given to {fn_name} should return a single Tensor")
    if outs[0].numel() != 1:
        raise RuntimeError(
            f"The Tensor returned by the function given to {fn_name} should contain a single "
            "element"
        )
    return out
