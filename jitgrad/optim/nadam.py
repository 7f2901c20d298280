"""``optim.NAdam``: Adam with Nesterov momentum and Dozat's momentum-decay schedule."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ._elementwise import ElementwiseOptimizer, adam_moment_args, lerp_
from .optimizer import check_adam_like, check_min


class NAdam(ElementwiseOptimizer):
    """PyTorch's NAdam; ``mu_product`` is kept, like PyTorch, as a default-dtype 0-d tensor."""

    _zero_states = ("exp_avg", "exp_avg_sq")
    _device_native, _device_launch = True, "nadam_launch"

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_adam_like(lr, eps, betas, weight_decay)
        check_min("momentum_decay value", momentum_decay)
        defaults = dict(
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
            momentum_decay=momentum_decay, decoupled_weight_decay=decoupled_weight_decay,
            maximize=maximize, foreach=foreach, capturable=capturable,
            differentiable=differentiable,
        )  # fmt: skip
        super().__init__(params, defaults)

    def _scalar_states(self, group: dict[str, Any]) -> dict[str, float]:
        return {"mu_product": 1.0}

    def _schedule(self, state: dict[str, Any], group: dict[str, Any]) -> tuple:
        """This step's ``1 - b2^t`` and the two update coefficients (Python floats), with
        ``mu_product`` (a host 0-d tensor) advanced."""
        beta1, beta2 = group["betas"]
        lr, decay = group["lr"], group["momentum_decay"]
        step = float(state["step"]._value)
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * decay)))
        mu_product = state["mu_product"]._value
        mu_product *= mu
        prod = float(mu_product)
        c1 = -lr * (1.0 - mu) / (1.0 - prod)
        return 1 - beta2**step, c1, (-lr * mu_next) / (1.0 - prod * mu_next)

    def _device_args(self, state: dict[str, Any], group: dict[str, Any], cast: Any) -> tuple:
        bc2, c1, c2 = self._schedule(state, group)
        return (
            *adam_moment_args(state, group, cast), cast(bc2), cast(group["eps"]), cast(c1),
            cast(c2), bool(group["maximize"]),
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
        bias_correction2, c1, c2 = self._schedule(state, group)
        exp_avg, exp_avg_sq = state["exp_avg"]._value, state["exp_avg_sq"]._value
        lerp_(exp_avg, grad, 1 - beta1)
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * grad * grad
        denom = np.sqrt(exp_avg_sq / bias_correction2) + group["eps"]
        p += c1 * grad / denom
        p += c2 * exp_avg / denom
