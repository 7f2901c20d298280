"""``optim.Rprop``: resilient backpropagation, per-element step sizes driven by gradient signs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..frontend.tensor import Tensor
from ._elementwise import ElementwiseOptimizer, zeros_state
from .optimizer import check_min


class Rprop(ElementwiseOptimizer):
    """Step sizes grow by ``etas[1]`` while a gradient keeps its sign and shrink by ``etas[0]``
    when it flips (that element then skips its update), clamped to ``step_sizes``."""

    _zero_states = ("prev",)
    _device_native, _device_launch = True, "rprop_launch"

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50),
        *,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_min("learning rate", lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = dict(
            lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach, maximize=maximize,
            differentiable=differentiable, capturable=capturable,
        )  # fmt: skip
        super().__init__(params, defaults)

    def _init_state(self, state: dict[str, Any], p: Tensor, group: dict[str, Any]) -> None:
        super()._init_state(state, p, group)
        lr = group["lr"]  # a complex parameter's real and imaginary parts each start at lr
        state["step_size"] = zeros_state(p).fill_(complex(lr, lr) if p.is_complex() else lr)

    def _device_args(self, state: dict[str, Any], group: dict[str, Any], cast: Any) -> tuple:
        (etaminus, etaplus), (lo, hi) = group["etas"], group["step_sizes"]
        return (
            state["prev"]._value, state["step_size"]._value, cast(etaminus), cast(etaplus),
            cast(lo), cast(hi), bool(group["maximize"]),
        )  # fmt: skip

    def _step_param(
        self, p: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]
    ) -> None:
        etaminus, etaplus = group["etas"]
        lo, hi = group["step_sizes"]
        prev, step_size = state["prev"]._value, state["step_size"]._value
        sign = np.sign(grad * prev)
        factor = np.where(sign > 0, etaplus, np.where(sign < 0, etaminus, 1)).astype(p.dtype)
        step_size *= factor
        np.clip(step_size, lo, hi, out=step_size)
        grad = np.where(factor == p.dtype.type(etaminus), 0, grad).astype(p.dtype)
        p -= np.sign(grad) * step_size
        prev[...] = grad
