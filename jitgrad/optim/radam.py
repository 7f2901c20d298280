"""``optim.RAdam``: Adam whose adaptive step is switched on once its variance is tractable."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ._elementwise import ElementwiseOptimizer, adam_moment_args, lerp_
from .optimizer import check_adam_like


class RAdam(ElementwiseOptimizer):
    """PyTorch's RAdam (Liu et al. 2019): SGD with momentum while ``rho_t <= 5``."""

    _zero_states = ("exp_avg", "exp_avg_sq")
    _device_native, _device_launch = True, "radam_launch"

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_adam_like(lr, eps, betas, weight_decay)
        defaults = dict(
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize,
            foreach=foreach, capturable=capturable,
            decoupled_weight_decay=decoupled_weight_decay, differentiable=differentiable,
        )  # fmt: skip
        super().__init__(params, defaults)

    @staticmethod
    def _rectifier(step: float, group: dict[str, Any]) -> tuple:
        """``1 - b1^t``, ``1 - b2^t`` and the variance rectification term (None while
        ``rho_t <= 5``: then the step is plain momentum)."""
        beta1, beta2 = group["betas"]
        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
        if rho_t <= 5.0:
            return bias_correction1, bias_correction2, None
        rect = (
            (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
        ) ** 0.5
        return bias_correction1, bias_correction2, rect

    def _device_args(self, state: dict[str, Any], group: dict[str, Any], cast: Any) -> tuple:
        bc1, bc2, rect = self._rectifier(float(state["step"]._value), group)
        return (
            *adam_moment_args(state, group, cast), cast(bc1), cast(group["lr"]),
            cast(bc2**0.5), cast(group["eps"]), cast(rect or 0), rect is not None,
            bool(group["maximize"]),
        )  # fmt: skip

    def _step_param(
        self, p: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]
    ) -> None:
        beta1, beta2 = group["betas"]
        lr, wd = group["lr"], group["weight_decay"]
        if wd != 0:
            if group["decoupled_weight_decay"]:
                p *= 1 - lr * wd
            else:
                grad = grad + wd * p
        exp_avg, exp_avg_sq = state["exp_avg"]._value, state["exp_avg_sq"]._value
        lerp_(exp_avg, grad, 1 - beta1)
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * grad * grad
        bias_correction1, bias_correction2, rect = self._rectifier(
            float(state["step"]._value), group
        )
        corrected = exp_avg / bias_correction1
        if rect is not None:
            adaptive = (bias_correction2**0.5) / (np.sqrt(exp_avg_sq) + group["eps"])
            p -= corrected * lr * adaptive * rect
        else:
            p -= corrected * lr
