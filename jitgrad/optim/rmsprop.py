"""``optim.RMSprop`` (with ``momentum``, ``centered`` and ``maximize``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..frontend.tensor import Tensor
from .optimizer import Optimizer, check_hyper, flat, kernels_for, scalar_step, zeros_like


class RMSprop(Optimizer):
    """PyTorch's RMSprop: ``v = alpha v + (1 - alpha) g^2``, ``p -= lr g / (sqrt(v) + eps)``."""

    _device_native = True  # (its state beside the parameters, its kernel on their device)

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_hyper(
            ("learning rate", lr),
            ("epsilon value", eps),
            ("momentum value", momentum),
            ("weight_decay value", weight_decay),
            ("alpha value", alpha),
        )
        defaults = dict(
            lr=lr,
            momentum=momentum,
            alpha=alpha,
            eps=eps,
            centered=centered,
            weight_decay=weight_decay,
            capturable=capturable,
            foreach=foreach,
            maximize=maximize,
            differentiable=differentiable,
        )
        super().__init__(params, defaults)

    def _state(self, p: Tensor, momentum: float, centered: bool) -> dict[str, Any]:
        state = self.state[p]
        if not state:
            state["step"] = scalar_step()
            state["square_avg"] = zeros_like(p)
            if momentum > 0:
                state["momentum_buffer"] = zeros_like(p)
            if centered:
                state["grad_avg"] = zeros_like(p)
        return state

    def _update(self, group: dict[str, Any], params: list[Tensor], dtype: Any) -> None:
        cast = dtype.np.type
        momentum, centered = group["momentum"], bool(group["centered"])
        states = [self._state(p, momentum, centered) for p in params]
        for st in states:
            st["step"]._value += 1
        square = flat(st["square_avg"]._value for st in states)
        kernels_for(params).rmsprop_step(
            flat(p._value for p in params),
            flat(p._grad._value for p in params),
            square,
            flat(st["grad_avg"]._value for st in states) if centered else square,
            flat(st["momentum_buffer"]._value for st in states) if momentum > 0 else square,
            cast(-group["lr"]),
            cast(group["alpha"]),
            cast(1 - group["alpha"]),
            cast(group["eps"]),
            cast(group["weight_decay"]),
            cast(momentum),
            centered,
            bool(group["maximize"]),
        )
