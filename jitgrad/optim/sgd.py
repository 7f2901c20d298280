"""``optim.SGD`` with momentum, dampening, Nesterov, weight decay and ``maximize``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..frontend.tensor import Tensor
from .optimizer import Optimizer, flat, kernels_for, zeros_like


class SGD(Optimizer):
    """PyTorch's SGD: ``buf = momentum*buf + (1-dampening)*g``, ``p -= lr*(g or buf)``."""

    _device_native = True

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
            maximize=maximize,
            foreach=foreach,
            differentiable=differentiable,
            fused=fused,
        )
        super().__init__(params, defaults)

    def _update(self, group: dict[str, Any], params: list[Tensor], dtype: Any) -> None:
        cast = dtype.np.type
        momentum = group["momentum"]
        grads = flat(p._grad._value for p in params)
        has_buf = np.zeros(len(params), np.uint8)
        if momentum != 0:
            bufs = []
            for i, p in enumerate(params):
                state = self.state[p]
                buf = state.get("momentum_buffer")
                if buf is None:
                    buf = state["momentum_buffer"] = zeros_like(p)
                else:
                    has_buf[i] = 1
                bufs.append(buf._value)
            bufs_t = flat(bufs)
        else:
            bufs_t = grads
        kernels_for(params).sgd_step(
            flat(p._value for p in params),
            grads,
            bufs_t,
            has_buf,
            cast(group["lr"]),
            cast(momentum),
            cast(1 - group["dampening"]),
            cast(group["weight_decay"]),
            bool(group["nesterov"]),
            bool(group["maximize"]),
        )
