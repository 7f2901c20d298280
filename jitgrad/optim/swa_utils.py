"""``optim.swa_utils``: stochastic weight averaging and exponential moving averages of a model.

``AveragedModel`` keeps a deep copy of a model whose parameters (and buffers with
``use_buffers``) are the running average of the model's, updated by ``update_parameters``:
the equal-weight SWA mean by default, or any ``avg_fn``/``multi_avg_fn`` (EMA via
``get_ema_multi_avg_fn``). ``SWALR`` anneals each group's learning rate to its ``swa_lr``;
``update_bn`` recomputes BatchNorm running statistics with one pass over a loader.
"""

from __future__ import annotations

import copy
import itertools
import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..dtypes import int64
from ..engine.grad_mode import no_grad
from ..frontend.creation import tensor
from ..frontend.tensor import Tensor
from ..nn.batchnorm import _BatchNorm
from ..nn.module import Module
from ._lr_base import LRScheduler, per_group
from .optimizer import Optimizer


def _assign(target: Tensor, value: Tensor) -> None:
    """``target.copy_(value)`` with PyTorch's cast (an integer buffer such as
    ``num_batches_tracked`` takes the truncated average; jitgrad's ``copy_`` refuses
    float-to-integer copies, a difference reported separately)."""
    target.copy_(value if value.dtype == target.dtype else value.to(target.dtype))


def get_ema_multi_avg_fn(decay: float = 0.999) -> Callable:
    """In place ``ema += (1 - decay) * (current - ema)`` over lists of tensors."""

    def ema_update(ema: list[Tensor], current: list[Tensor], _n: Any) -> None:
        for e, c in zip(ema, current, strict=True):
            if e.is_floating_point():
                e.lerp_(c, 1 - decay)
            else:
                _assign(e, e * decay + c * (1 - decay))

    return ema_update


def get_swa_multi_avg_fn() -> Callable:
    """In place ``avg += (current - avg) / (n + 1)`` over lists of tensors."""

    def swa_update(avg: list[Tensor], current: list[Tensor], n: Any) -> None:
        # PyTorch divides by the int64 count tensor: the weight is a float32 number
        weight = float(np.float32(1.0) / np.float32(float(n) + 1))
        for a, c in zip(avg, current, strict=True):
            if a.is_floating_point():
                a.lerp_(c, weight)
            else:
                _assign(a, a + (c - a) / (float(n) + 1))

    return swa_update


def get_ema_avg_fn(decay: float = 0.999) -> Callable:
    def ema_update(ema_param: Tensor, current_param: Tensor, num_averaged: Any) -> Tensor:
        return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn() -> Callable:
    def swa_update(averaged_param: Tensor, current_param: Tensor, num_averaged: Any) -> Tensor:
        return averaged_param + (current_param - averaged_param) / (num_averaged + 1)

    return swa_update


class AveragedModel(Module):
    """A copy of ``model`` holding the average of its parameters over ``update_parameters``
    calls (``n_averaged`` counts them)."""

    def __init__(
        self,
        model: Module,
        device: Any = None,
        avg_fn: Callable | None = None,
        multi_avg_fn: Callable | None = None,
        use_buffers: bool = False,
    ) -> None:
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = copy.deepcopy(model)
        self.register_buffer("n_averaged", tensor(0, dtype=int64))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        return self.module(*args, **kwargs)

    def update_parameters(self, model: Module) -> None:
        """Fold ``model``'s current parameters into the average (copy them on the first call)."""
        mine: Iterable = (
            itertools.chain(self.module.parameters(), self.module.buffers())
            if self.use_buffers
            else self.parameters()
        )
        theirs: Iterable = (
            itertools.chain(model.parameters(), model.buffers())
            if self.use_buffers
            else model.parameters()
        )
        n = int(self.n_averaged)
        with no_grad():
            pairs = [(a.detach(), m.detach()) for a, m in zip(mine, theirs, strict=False)]
            if n == 0:
                for a, m in pairs:
                    a.copy_(m)
            elif self.multi_avg_fn is not None:
                self.multi_avg_fn([a for a, _ in pairs], [m for _, m in pairs], self.n_averaged)
            else:
                fn = self.avg_fn or get_swa_avg_fn()
                for a, m in pairs:
                    _assign(a, fn(a, m, self.n_averaged))
            if not self.use_buffers:
                for b_swa, b_model in zip(self.module.buffers(), model.buffers(), strict=False):
                    b_swa.copy_(b_model.detach())
            self.n_averaged.add_(1)


@no_grad()
def update_bn(loader: Iterable, model: Module, device: Any = None) -> None:
    """Recompute every BatchNorm's running statistics as the plain mean over ``loader``."""
    momenta = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    for batch in loader:
        if isinstance(batch, list | tuple):
            batch = batch[0]
        model(batch)
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)


class SWALR(LRScheduler):
    """Anneal each group's learning rate from its value to ``swa_lr`` over ``anneal_epochs``
    steps (cosine or linear), then hold it there."""

    def __init__(
        self,
        optimizer: Optimizer,
        swa_lr: float | list[float],
        anneal_epochs: int = 10,
        anneal_strategy: str = "cos",
        last_epoch: int = -1,
    ) -> None:
        for lr, group in zip(per_group(swa_lr, optimizer, "swa_lr"), optimizer.param_groups,
                             strict=True):  # fmt: skip
            group["swa_lr"] = lr
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(
                "anneal_strategy must be one of 'cos' or 'linear', instead got "
                f"{anneal_strategy}"
            )
        self.anneal_func = _cosine_anneal if anneal_strategy == "cos" else _linear_anneal
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_get_lr()
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        prev_alpha = self.anneal_func(max(0, min(1, (step - 1) / max(1, self.anneal_epochs))))
        groups = self.optimizer.param_groups
        prev_lrs = [_initial_lr(g["lr"], g["swa_lr"], prev_alpha) for g in groups]
        alpha = self.anneal_func(max(0, min(1, step / max(1, self.anneal_epochs))))
        return [g["swa_lr"] * alpha + lr * (1 - alpha) for g, lr in zip(groups, prev_lrs,
                                                                        strict=True)]  # fmt: skip


def _linear_anneal(t: float) -> float:
    return t


def _cosine_anneal(t: float) -> float:
    return (1 - math.cos(math.pi * t)) / 2


def _initial_lr(lr: float, swa_lr: float, alpha: float) -> float:
    """The learning rate before the last step, recovered from the current one."""
    return swa_lr if alpha == 1 else (lr - alpha * swa_lr) / (1 - alpha)


__all__ = [
    "SWALR",
    "AveragedModel",
    "get_ema_avg_fn",
    "get_ema_multi_avg_fn",
    "get_swa_avg_fn",
    "get_swa_multi_avg_fn",
    "update_bn",
]
