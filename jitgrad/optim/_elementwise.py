"""Base of the optimizers whose update is a short per-parameter NumPy expression.

Adamax, NAdam, RAdam, Rprop and ASGD follow PyTorch's single-tensor code path (the one PyTorch
takes on CPU) operation by operation, in the parameter's dtype, so float64 trajectories agree to
rounding and float32 ones to a few ulps. Their steps are NumPy array expressions, not one
compiled kernel per group like SGD/Adam: they are rarer, and correctness came first.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes as D
from ..frontend.tensor import Tensor, _make
from .optimizer import Optimizer, kernels_for, scalar_step, zeros_like


def zeros_state(p: Tensor) -> Tensor:
    """A zero buffer beside ``p`` (on its device: a device-native subclass's state)."""
    return zeros_like(p)


def scalar_state(value: float) -> Tensor:
    """A 0-d tensor of the default float dtype, as PyTorch keeps ``mu_product``, ``eta``..."""
    dt = D.get_default_dtype()
    return _make(np.array(value, dt.np), dt)


def lerp_(a: np.ndarray, b: np.ndarray, w: float) -> None:
    """``a.lerp_(b, w)`` with PyTorch's formula for a scalar weight."""
    if abs(w) < 0.5:
        a += w * (b - a)
    else:
        a[...] = b - (b - a) * (1 - w)


def adam_moment_args(state: dict[str, Any], group: dict[str, Any], cast: Any) -> tuple:
    """The device NAdam/RAdam kernels' first arguments: ``exp_avg``, ``exp_avg_sq``, the
    lerp weight ``1 - b1`` (with ``1 - w`` and whether ``|w| < 1/2``), ``b2``, ``1 - b2``, the
    decoupled decay factor ``1 - lr*wd`` (else 1) and the coupled ``wd`` (else 0)."""
    beta1, beta2 = group["betas"]
    w, lr, wd = 1 - beta1, group["lr"], group["weight_decay"]
    decoupled = wd != 0 and group["decoupled_weight_decay"]
    return (
        state["exp_avg"]._value, state["exp_avg_sq"]._value, cast(w), cast(1 - w),
        abs(w) < 0.5, cast(beta2), cast(1 - beta2), cast(1 - lr * wd if decoupled else 1),
        cast(0 if decoupled else wd),
    )  # fmt: skip


class ElementwiseOptimizer(Optimizer):
    """Calls ``_init_state`` once per parameter, then ``_step_param`` on its arrays; device
    parameters go to the device backend's ``_device_launch`` kernel instead."""

    #: The buffers shaped like the parameter, zero at first, in PyTorch's state order.
    _zero_states: tuple[str, ...] = ()

    def _scalar_states(self, group: dict[str, Any]) -> dict[str, float]:
        """The 0-d default-dtype states (``mu_product``, ``eta``...) and their first values."""
        return {}

    def _init_state(self, state: dict[str, Any], p: Tensor, group: dict[str, Any]) -> None:
        """PyTorch's state order: ``step``, the scalar states, then the zero buffers."""
        state["step"] = scalar_step()
        for name, value in self._scalar_states(group).items():
            state[name] = scalar_state(value)
        for name in self._zero_states:
            state[name] = zeros_state(p)

    def _step_param(
        self, p: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]
    ) -> None:
        raise NotImplementedError

    #: The device backend's one-parameter step, called as ``launch(p, grad,
    #: *self._device_args(...))``: :meth:`_step_param`'s operations in a kernel, with its
    #: Python-float scalars cast to the dtype as NumPy casts them.
    _device_launch = ""

    def _device_args(self, state: dict[str, Any], group: dict[str, Any], cast: Any) -> tuple:
        """The launch's state buffers and scalars (and the host-side scalar state advanced,
        as :meth:`_step_param` advances it)."""
        raise NotImplementedError

    def _next_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        """``p``'s state (created on first use), its step count incremented."""
        state = self.state[p]
        if not state:
            self._init_state(state, p, group)
        state["step"]._value += 1
        return state

    def _update(self, group: dict[str, Any], params: list[Tensor], dtype: Any) -> None:
        device = kernels_for(params, None)
        for p in params:
            state = self._next_state(p, group)
            if device is not None:
                launch = getattr(device, self._device_launch)
                launch(p._value, p._grad._value, *self._device_args(state, group, dtype.np.type))
                continue
            grad = p._grad._value
            if group.get("maximize"):
                grad = -grad
            if p._dtype.is_complex:  # PyTorch steps view_as_real(param, grad, buffers)
                real = {k: _real_tensor(v) for k, v in state.items()}
                self._step_param(real_view(p._value), real_view(grad), real, group)
                continue
            self._step_param(p._value, grad, state, group)


def real_view(a: np.ndarray) -> np.ndarray:
    """A complex array as float pairs (``view_as_real``'s layout, sharing memory)."""
    a = np.ascontiguousarray(a)
    return a.view(a.real.dtype).reshape(a.shape + (2,))


def _real_tensor(v: Any) -> Any:
    """A complex state buffer as a real tensor sharing its memory; anything else as it is."""
    if isinstance(v, Tensor) and v._dtype.is_complex:
        return _make(real_view(v._value), D.real_of(v._dtype))
    return v
