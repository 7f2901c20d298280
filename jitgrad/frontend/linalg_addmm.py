"""``addmm`` and ``baddbmm``: ``beta * input + alpha * product``, and the backward that the
whole add-a-product family shares (:func:`add_product_backward`, also used by ``addmv``,
``addr`` and ``addbmm`` in :mod:`.linalg_more`).

Separate from :mod:`.linalg` (the plain products and ``matmul``'s dispatch) because these
wrap a product rather than being one: they build on ``mm``/``bmm`` and add the blend with
``input``, its broadcast check and the scaled gradients.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..autocast_state import STATE as AUTOCAST
from ..autocast_state import lower as autocast_lower
from ..ops.registry import REGISTRY
from . import argcheck as A
from . import functions as F
from . import movement as M
from .linalg import _WORD, _mT, bmm, mm
from .pointwise import apply, sum_to_shape
from .recording import product_saved, record
from .tensor import Tensor


def scaled(g: Tensor | None, s: float) -> Tensor | None:
    """``g * s``, skipped (the same node) when ``s == 1`` or there is no ``g``."""
    return g if g is None or s == 1 else g * s


def add_product_backward(
    input: Tensor,  # noqa: A002
    a: Tensor,
    b: Tensor,
    beta: float,
    alpha: float,
    grad_a: Callable[[Tensor], Tensor],
    grad_b: Callable[[Tensor], Tensor],
    spread: Callable[[Tensor], Tensor] | None = None,
) -> Callable[[Tensor], tuple[Tensor | None, ...]]:
    """The backward that ``addmm``, ``baddbmm``, ``addmv``, ``addr`` and ``addbmm`` share for
    ``beta * input + alpha * product(a, b)``: ``beta * g`` summed to ``input``'s shape, and
    ``alpha`` times ``grad_a(h)`` / ``grad_b(h)``, each only where a gradient is wanted; ``h``
    is ``g``, or ``spread(g)`` computed once (``addbmm`` repeats ``g`` over the batch)."""

    def backward(g: Tensor) -> tuple[Tensor | None, ...]:
        h = g if spread is None or not (a._requires_grad or b._requires_grad) else spread(g)
        return (
            sum_to_shape(scaled(g, beta), tuple(input.shape)) if input._requires_grad else None,
            scaled(grad_a(h), alpha) if a._requires_grad else None,
            scaled(grad_b(h), alpha) if b._requires_grad else None,
        )

    return backward


def blend(input: Tensor, product: Tensor, beta: float, alpha: float) -> np.ndarray:  # noqa: A002
    """``beta * input + alpha * product`` with input broadcast; ``beta == 0`` ignores input
    (its NaNs too), as PyTorch. In detached Tensor ops (device kernels for device operands,
    so the products run on the device): the value of the node the caller records
    (``addmm``'s on the device, ``addmv``'s, ``addr``'s, ``addbmm``'s)."""
    out = product if alpha == 1 else F.mul(product, alpha)
    if beta != 0:
        out = F.add(out, input.detach() if beta == 1 else F.mul(input.detach(), beta))
    if tuple(out.shape) != tuple(product.shape):
        M.expand(input.detach(), tuple(product.shape))  # raises PyTorch's expand error
    return (out if out._dtype is product._dtype else out.to(product._dtype)).contiguous()._value


def addmm(
    input: Tensor,  # noqa: A002
    mat1: Tensor,
    mat2: Tensor,
    *,
    beta: float = 1,
    alpha: float = 1,
) -> Tensor:
    """``beta * input + alpha * (mat1 @ mat2)`` with ``input`` broadcast (``AddmmBackward0``)."""
    if AUTOCAST.dtype is not None:  # torch.autocast('cpu'): computed in its dtype
        input, mat1, mat2 = autocast_lower(input, mat1, mat2)
    A.tensor_args("addmm", ("input", "mat1", "mat2"), (input, mat1, mat2))
    if input._dtype is not mat2._dtype:
        raise RuntimeError(
            "self and mat2 must have the same dtype, but got "
            f"{_WORD[input._dtype.name]} and {_WORD[mat2._dtype.name]}"
        )
    product = mm(mat1.detach(), mat2.detach())
    shape = tuple(product._value.shape)  # (the simulator's device shape: no [-i])
    src = tuple(input._value.shape)
    for i in range(1, len(src) + 1):
        if len(src) > len(shape) or src[-i] not in (1, shape[-i]):
            d = len(shape) - i
            raise RuntimeError(
                f"The expanded size of the tensor ({shape[d]}) must match the existing size "
                f"({src[-i]}) at non-singleton dimension {d}.  Target sizes: {list(shape)}.  "
                f"Tensor sizes: {list(src)}"
            )
    out = product._value
    if product.is_cuda:  # (apply's out= writes host arrays: the blend's device kernels)
        out = blend(input, product, beta, alpha)
    elif beta == 0:  # torch ignores input entirely (its NaNs too)
        if alpha != 1:
            apply(REGISTRY["mul"], (product, alpha), out=out)
    else:
        bias = input.detach() if beta == 1 else F.mul(input.detach(), beta)
        if alpha == 1:
            apply(REGISTRY["add"], (product, bias), out=out)
        else:
            apply(REGISTRY["add_scaled"], (bias, product, alpha), out=out)

    backward = add_product_backward(
        input, mat1, mat2, beta, alpha, lambda g: mm(g, M.t(mat2)), lambda g: mm(M.t(mat1), g)
    )
    return record(
        "AddmmBackward0", out, mat2._dtype, (input, mat1, mat2), backward, product_saved(mat1, mat2)
    )


def baddbmm(
    input: Tensor,  # noqa: A002
    batch1: Tensor,
    batch2: Tensor,
    *,
    beta: float = 1,
    alpha: float = 1,
) -> Tensor:
    """``beta * input + alpha * (batch1 @ batch2)`` per batch (``BaddbmmBackward0``)."""
    if AUTOCAST.dtype is not None:  # torch.autocast('cpu'): computed in its dtype
        input, batch1, batch2 = autocast_lower(input, batch1, batch2)
    A.tensor_args("baddbmm", ("input", "batch1", "batch2"), (input, batch1, batch2))
    product = bmm(batch1.detach(), batch2.detach())
    if beta == 0:  # torch ignores input entirely (its NaNs too)
        out = product if alpha == 1 else F.mul(product, alpha)
    else:
        bias = input.detach() if beta == 1 else F.mul(input.detach(), beta)
        out = F.add(bias, product if alpha == 1 else F.mul(product, alpha))
    if out._value.shape != product._value.shape:
        M.expand(input.detach(), product._value.shape)  # raises PyTorch's expand error

    backward = add_product_backward(
        input, batch1, batch2, beta, alpha, lambda g: bmm(g, _mT(batch2)),
        lambda g: bmm(_mT(batch1), g),
    )  # fmt: skip
    return record(
        "BaddbmmBackward0",
        out._value,
        out._dtype,
        (input, batch1, batch2),
        backward,
        product_saved(batch1, batch2),
    )

__all__ = ["addmm", "baddbmm"]

#: Tensor method name -> function, bound by jitgrad.methods.bind().
METHODS: dict[str, Any] = {"addmm": addmm, "baddbmm": baddbmm}
