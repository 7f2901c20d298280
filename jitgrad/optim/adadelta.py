"""``optim.Adadelta`` (with ``weight_decay`` and ``maximize``), as pytorch/examples' MNIST
example trains with it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..frontend.tensor import Tensor
from ..kernels.cpu import adadelta as cpu_adadelta
from . import optimizer as O
from .optimizer import Optimizer, check_hyper, check_min, flat, scalar_step


class Adadelta(Optimizer):
    """PyTorch's Adadelta (Zeiler 2012): ``v = rho v + (1 - rho) g^2``,
    ``delta = sqrt(u + eps) / sqrt(v + eps) g``, ``u = rho u + (1 - rho) delta^2``,
    ``p -= lr delta``."""

    _device_native = True  # (its state beside the parameters, its kernel on their device)

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        capturable: bool = False,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_min("learning rate", lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        check_hyper(("epsilon value", eps), ("weight_decay value", weight_decay))
        defaults = dict(
            lr=lr,
            rho=rho,
            eps=eps,
            weight_decay=weight_decay,
            maximize=maximize,
            capturable=capturable,
            foreach=foreach,
            differentiable=differentiable,
        )
        super().__init__(params, defaults)

    def _state(self, p: Tensor) -> dict[str, Any]:
        state = self.state[p]
        if not state:
            state["step"] = scalar_step()
            state["square_avg"] = O.zeros_like(p)
            state["acc_delta"] = O.zeros_like(p)
        return state

    def _update(self, group: dict[str, Any], params: list[Tensor], dtype: Any) -> None:
        cast = dtype.np.type
        states = [self._state(p) for p in params]
        for st in states:
            st["step"]._value += 1
        O.kernels_for(params, cpu_adadelta).adadelta_step(
            flat(p._value for p in params),
            flat(p._grad._value for p in params),
            flat(st["square_avg"]._value for st in states),
            flat(st["acc_delta"]._value for st in states),
            cast(-group["lr"]),
            cast(group["rho"]),
            cast(1 - group["rho"]),
            cast(group["eps"]),
            cast(group["weight_decay"]),
            bool(group["maximize"]),
        )
