"""``optim.ASGD``: SGD with a decaying rate ``eta`` and a running average ``ax`` of the iterates."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ._elementwise import ElementwiseOptimizer
from .optimizer import check_min


class ASGD(ElementwiseOptimizer):
    """PyTorch's ASGD (Polyak-Juditsky averaging after ``t0`` steps); ``eta`` and ``mu`` are
    default-dtype 0-d tensors as in PyTorch, so they round the same way."""

    _zero_states = ("ax",)
    _device_native, _device_launch = True, "asgd_launch"

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        lambd: float = 1e-4,
        alpha: float = 0.75,
        t0: float = 1e6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        check_min("learning rate", lr)
        check_min("weight_decay value", weight_decay)
        defaults = dict(
            lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
            foreach=foreach, maximize=maximize, differentiable=differentiable,
            capturable=capturable,
        )  # fmt: skip
        super().__init__(params, defaults)

    def _scalar_states(self, group: dict[str, Any]) -> dict[str, float]:
        return {"eta": group["lr"], "mu": 1.0}

    def _advance(self, state: dict[str, Any], group: dict[str, Any]) -> None:
        """The next step's ``eta`` and ``mu`` (host 0-d tensors, as the CPU keeps them)."""
        lr, lambd = group["lr"], group["lambd"]
        step = float(state["step"]._value)
        state["eta"]._value[...] = lr / ((1 + lambd * lr * step) ** group["alpha"])
        state["mu"]._value[...] = 1 / max(1, step - group["t0"])

    def _device_args(self, state: dict[str, Any], group: dict[str, Any], cast: Any) -> tuple:
        eta, mu = float(state["eta"]._value), float(state["mu"]._value)
        args = (
            state["ax"]._value, cast(group["weight_decay"]), cast(1 - group["lambd"] * eta),
            cast(-eta), cast(mu), mu != 1, bool(group["maximize"]),
        )  # fmt: skip
        self._advance(state, group)
        return args

    def _step_param(
        self, p: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]
    ) -> None:
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * p
        eta = float(state["eta"]._value)
        p *= 1 - group["lambd"] * eta
        p += -eta * grad
        ax, mu = state["ax"]._value, state["mu"]._value
        if float(mu) != 1:
            ax += (p - ax) * mu.astype(p.dtype)
        else:
            ax[...] = p
        self._advance(state, group)
