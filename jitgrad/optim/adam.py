"""``optim.Adam`` and ``optim.AdamW`` (with ``amsgrad`` and ``maximize``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..frontend.tensor import Tensor
from .optimizer import Optimizer, check_adam_like, flat, kernels_for, scalar_step, zeros_like


class Adam(Optimizer):
    """PyTorch's Adam; ``weight_decay`` is L2 added to the gradient (see :class:`AdamW`)."""

    _device_native = True

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        check_adam_like(lr, eps, betas, weight_decay)
        defaults = dict(
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
            foreach=foreach,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
            decoupled_weight_decay=decoupled_weight_decay,
        )
        super().__init__(params, defaults)

    def _state(self, p: Tensor, amsgrad: bool) -> dict[str, Any]:
        state = self.state[p]
        if not state:
            state["step"] = scalar_step()
            state["exp_avg"] = zeros_like(p)
            state["exp_avg_sq"] = zeros_like(p)
        if amsgrad and "max_exp_avg_sq" not in state:
            state["max_exp_avg_sq"] = zeros_like(p)
        return state

    def _update(self, group: dict[str, Any], params: list[Tensor], dtype: Any) -> None:
        cast = dtype.np.type
        beta1, beta2 = group["betas"]
        lr, wd, amsgrad = group["lr"], group["weight_decay"], bool(group["amsgrad"])
        decoupled = bool(group.get("decoupled_weight_decay", False))
        n = len(params)
        step_sizes = np.empty(n, dtype.np)
        bc2 = np.empty(n, dtype.np)
        states = [self._state(p, amsgrad) for p in params]
        for i, st in enumerate(states):
            step_t = st["step"]._value
            step_t += 1
            step = float(step_t)
            step_sizes[i] = lr / (1 - beta1**step)
            bc2[i] = (1 - beta2**step) ** 0.5  # as PyTorch: pow, not sqrt (1 ulp apart)
        avg_sq = flat(st["exp_avg_sq"]._value for st in states)
        kernels_for(params).adam_step(
            flat(p._value for p in params),
            flat(p._grad._value for p in params),
            flat(st["exp_avg"]._value for st in states),
            avg_sq,
            flat(st["max_exp_avg_sq"]._value for st in states) if amsgrad else avg_sq,
            step_sizes,
            bc2,
            cast(1 - beta1),
            cast(beta2),
            cast(1 - beta2),
            cast(group["eps"]),
            cast(0 if decoupled else wd),
            cast(1 - lr * wd if decoupled else 1),
            amsgrad,
            bool(group["maximize"]),
        )


class AdamW(Adam):
    """Adam with decoupled weight decay: ``p *= 1 - lr*weight_decay`` before the update
    (PyTorch's ``Adam(..., decoupled_weight_decay=True)``; AdamW takes no such keyword)."""

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        # the keywords spelled out, as PyTorch's signature: programs test
        # ``'fused' in inspect.signature(torch.optim.AdamW).parameters`` (nanoGPT)
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            foreach=foreach,
            maximize=maximize,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
            decoupled_weight_decay=True,
        )
