"""``optim.Adagrad`` (with ``lr_decay``, ``initial_accumulator_value`` and ``maximize``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..frontend.tensor import Tensor, _make
from .optimizer import Optimizer, check_hyper, flat, kernels_for, scalar_step, zeros_like


def _accumulator(p: Tensor, init: float) -> Tensor:
    """The ``sum`` state beside ``p`` (on its device), filled with ``init``."""
    if isinstance(p._value, np.ndarray):
        return _make(np.full_like(p._value, init), p._dtype)
    s = zeros_like(p)
    return s.fill_(init) if init else s


class Adagrad(Optimizer):
    """PyTorch's Adagrad: ``s += g^2``, ``p -= clr g / (sqrt(s) + eps)`` with
    ``clr = lr / (1 + (step - 1) lr_decay)``. State exists from construction, as in PyTorch."""

    _device_native = True  # (its state beside the parameters, its kernel on their device)

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        check_hyper(
            ("learning rate", lr),
            ("lr_decay value", lr_decay),
            ("weight_decay value", weight_decay),
            ("initial_accumulator_value value", initial_accumulator_value),
            ("epsilon value", eps),
        )
        defaults = dict(
            lr=lr,
            lr_decay=lr_decay,
            eps=eps,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            foreach=foreach,
            maximize=maximize,
            differentiable=differentiable,
            fused=fused,
        )
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = scalar_step()
                init = group["initial_accumulator_value"]
                state["sum"] = _accumulator(p, init)

    def _update(self, group: dict[str, Any], params: list[Tensor], dtype: Any) -> None:
        lr, lr_decay = group["lr"], group["lr_decay"]
        states = [self.state[p] for p in params]
        neg_clrs = np.empty(len(params), dtype.np)
        for i, st in enumerate(states):
            st["step"]._value += 1
            step = float(st["step"]._value)
            neg_clrs[i] = -(lr / (1 + (step - 1) * lr_decay))
        cast = dtype.np.type
        kernels_for(params).adagrad_step(
            flat(p._value for p in params),
            flat(p._grad._value for p in params),
            flat(st["sum"]._value for st in states),
            neg_clrs,
            cast(group["eps"]),
            cast(group["weight_decay"]),
            bool(group["maximize"]),
        )
