"""``optim.Adamax``: Adam with the infinity norm of past gradients as its denominator."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ._elementwise import ElementwiseOptimizer, lerp_
from .optimizer import check_adam_like


class Adamax(ElementwiseOptimizer):
    """``m = lerp(m, g, 1-b1)``, ``u = max(b2 u, |g| + eps)``, ``p -= lr/(1-b1^t) m/u``."""

    _zero_states = ("exp_avg", "exp_inf")
    _device_native, _device_launch = True, "adamax_launch"

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        check_adam_like(lr, eps, betas, weight_decay)
        defaults = dict(
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
            maximize=maximize, differentiable=differentiable, capturable=capturable,
        )  # fmt: skip
        super().__init__(params, defaults)

    def _device_args(self, state: dict[str, Any], group: dict[str, Any], cast: Any) -> tuple:
        beta1, beta2 = group["betas"]
        w = 1 - beta1
        clr = group["lr"] / (1 - beta1 ** float(state["step"]._value))
        return (
            state["exp_avg"]._value, state["exp_inf"]._value, cast(w), cast(1 - w),
            abs(w) < 0.5, cast(beta2), cast(group["eps"]), cast(group["weight_decay"]),
            cast(-clr), bool(group["maximize"]),
        )  # fmt: skip

    def _step_param(
        self, p: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]
    ) -> None:
        beta1, beta2 = group["betas"]
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * p
        exp_avg, exp_inf = state["exp_avg"]._value, state["exp_inf"]._value
        lerp_(exp_avg, grad, 1 - beta1)
        exp_inf *= beta2
        np.maximum(exp_inf, np.abs(grad) + group["eps"], out=exp_inf)
        clr = group["lr"] / (1 - beta1 ** float(state["step"]._value))
        p += -clr * exp_avg / exp_inf
