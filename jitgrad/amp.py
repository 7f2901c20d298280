"""``torch.amp``: ``autocast`` and ``GradScaler``.

``autocast("cpu", dtype=torch.bfloat16)`` (or float16) casts as PyTorch's CPU autocast: the
matrix products and convolutions run in the region's dtype, the losses it lists in float32
(see :mod:`jitgrad.autocast_state`). A CPU target dtype PyTorch refuses disables the region
with its warning; a ``"cuda"`` region without CUDA disables itself with PyTorch's warning, and
an enabled one on a CUDA device raises ``NotImplementedError`` (jitgrad's autocast casts on
the CPU only). ``GradScaler``'s loss scaling is float32 arithmetic: it works
enabled on the CPU as PyTorch's does (scale, unscale_ with the inf check, skipped steps,
growth and backoff of the scale); ``device="cuda"`` without CUDA disables it with PyTorch's
warning.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from . import cuda
from . import dtypes as D
from .autocast_state import STATE as AUTOCAST
from .engine.grad_mode import no_grad
from .frontend.tensor import Tensor
from .helpers import warn as warn_user

_DEVICES = (
    "cpu cuda ipu xpu mkldnn opengl opencl ideep hip ve fpga maia xla lazy vulkan mps meta hpu "
    "mtia privateuseone"
).split()


class autocast:  # noqa: N801 - PyTorch's name
    """``with autocast(device_type, dtype=None, enabled=True):``: on the CPU, the listed ops
    cast their inputs to ``dtype`` (bfloat16 by default) inside the region."""

    def __init__(
        self,
        device_type: str,
        dtype: Any = None,
        enabled: bool = True,
        cache_enabled: bool | None = None,
    ) -> None:
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        if device_type not in _DEVICES:
            raise RuntimeError(
                f"Expected one of {', '.join(_DEVICES)} device type at start of device string: "
                f"{device_type}"
            )
        self.device = device_type
        self.fast_dtype = dtype if dtype is not None else (
            D.bfloat16 if device_type == "cpu" else D.float16
        )
        self._enabled = bool(enabled)
        if self._enabled and device_type == "cpu" and dtype is not None:
            if dtype not in D.REDUCED:
                warn_user(
                    "In CPU autocast, but the target dtype is not supported. Disabling "
                    "autocast.\nCPU Autocast only supports dtypes of torch.bfloat16, "
                    "torch.float16 currently.",
                    stacklevel=2,
                )
                self._enabled = False
        if self._enabled and device_type == "cuda" and not cuda.is_available():
            warn_user(
                "CUDA is not available or torch_xla is imported. Disabling autocast.",
                stacklevel=2,
            )
            self._enabled = False

    def __enter__(self) -> autocast:
        if self._enabled and self.device != "cpu":
            raise NotImplementedError(
                f"autocast(device_type={self.device!r}): jitgrad's autocast casts on the CPU "
                "only; use autocast('cpu', ...) or enabled=False"
            )
        AUTOCAST.saved.append(AUTOCAST.dtype)  # per thread: one instance may serve several
        AUTOCAST.dtype = self.fast_dtype if self._enabled else None
        return self

    def __exit__(self, *exc: Any) -> None:
        AUTOCAST.dtype = AUTOCAST.saved.pop()

    def __call__(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self:
                return fn(*args, **kwargs)

        return wrapper


def is_autocast_available(device_type: str) -> bool:
    """Whether an enabled autocast region can run on ``device_type``: the CPU's."""
    return device_type == "cpu"


def is_autocast_enabled(device_type: str | None = None) -> bool:
    """Whether an enabled region for ``device_type`` is open (no argument: CUDA's, never)."""
    return device_type == "cpu" and AUTOCAST.dtype is not None


def is_autocast_cpu_enabled() -> bool:
    return AUTOCAST.dtype is not None


def get_autocast_dtype(device_type: str) -> D.dtype:
    """The dtype an enabled region for ``device_type`` casts to (PyTorch's defaults outside)."""
    if device_type == "cpu":
        return AUTOCAST.dtype or D.bfloat16
    return D.float16


def _leaves(outputs: Any) -> list[Tensor]:
    if isinstance(outputs, Tensor):
        return [outputs]
    if isinstance(outputs, list | tuple):
        return [t for o in outputs for t in _leaves(o)]
    raise ValueError("outputs must be a Tensor or an iterable of Tensors")


class GradScaler:
    """Dynamic loss scaling: ``scaler.scale(loss).backward(); scaler.step(opt);
    scaler.update()``. A step whose gradients hold an inf or NaN is skipped and the scale
    backs off; ``growth_interval`` clean steps in a row grow it."""

    def __init__(
        self,
        device: str = "cuda",
        init_scale: float = 2.0**16,
        growth_factor: float = 2.0,
        backoff_factor: float = 0.5,
        growth_interval: int = 2000,
        enabled: bool = True,
    ) -> None:
        self._device = device
        self._enabled = enabled
        if device == "cuda" and enabled and not cuda.is_available():
            warn_user(
                "torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  Disabling.",
                stacklevel=2,
            )
            self._enabled = False
        if growth_factor <= 1.0:
            raise AssertionError("The growth factor must be > 1.0.")
        if backoff_factor >= 1.0:
            raise AssertionError("The backoff factor must be < 1.0.")
        self._scale = float(init_scale)
        self._growth_factor = growth_factor
        self._backoff_factor = backoff_factor
        self._growth_interval = growth_interval
        self._growth_tracker = 0
        self._stage: dict[int, str] = {}  # optimizer id -> "unscaled" / "stepped"
        self._found_inf: dict[int, bool] = {}

    def is_enabled(self) -> bool:
        return self._enabled

    def get_scale(self) -> float:
        return self._scale if self._enabled else 1.0

    def scale(self, outputs: Any) -> Any:
        """``outputs`` times the scale (each tensor of a list/tuple, same structure)."""
        if not self._enabled:
            return outputs
        if isinstance(outputs, Tensor):
            return outputs * self._scale
        _leaves(outputs)  # the type check
        return type(outputs)(self.scale(o) for o in outputs)

    def unscale_(self, optimizer: Any) -> None:
        """Divide the gradients by the scale, once per step, noting any inf/NaN."""
        if not self._enabled:
            return
        stage = self._stage.get(id(optimizer))
        if stage == "unscaled":
            raise RuntimeError(
                "unscale_() has already been called on this optimizer since the last update()."
            )
        if stage == "stepped":
            raise RuntimeError("unscale_() is being called after step().")
        inv = 1.0 / self._scale  # in double, as PyTorch takes the reciprocal
        found = False
        with no_grad():
            for group in optimizer.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    g = p.grad
                    g.mul_(inv)
                    found = found or not bool(g.isfinite().all())  # (on g's device)
        self._found_inf[id(optimizer)] = found
        self._stage[id(optimizer)] = "unscaled"

    def step(self, optimizer: Any, *args: Any, **kwargs: Any) -> Any:
        """``optimizer.step()`` unless the unscaled gradients hold an inf or NaN."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        if self._stage.get(id(optimizer)) == "stepped":
            raise RuntimeError("step() has already been called since the last update().")
        if self._stage.get(id(optimizer)) is None:
            self.unscale_(optimizer)
        result = None
        if not self._found_inf[id(optimizer)]:
            result = optimizer.step(*args, **kwargs)
        self._stage[id(optimizer)] = "stepped"
        return result

    def update(self, new_scale: float | Tensor | None = None) -> None:
        """Back off after a step with inf/NaN gradients, grow after ``growth_interval``
        clean ones (or set ``new_scale``)."""
        if not self._enabled:
            return
        if new_scale is not None:
            self._scale = float(new_scale)
        else:
            if not self._found_inf:
                raise AssertionError("No inf checks were recorded prior to update.")
            if any(self._found_inf.values()):
                self._scale *= self._backoff_factor
                self._growth_tracker = 0
            else:
                self._growth_tracker += 1
                if self._growth_tracker == self._growth_interval:
                    grown = self._scale * self._growth_factor
                    if math.isfinite(np.float32(grown)):
                        self._scale = grown
                    self._growth_tracker = 0
        self._stage.clear()
        self._found_inf.clear()

    def get_growth_factor(self) -> float:
        return self._growth_factor

    def get_backoff_factor(self) -> float:
        return self._backoff_factor

    def get_growth_interval(self) -> int:
        return self._growth_interval

    def state_dict(self) -> dict[str, Any]:
        if not self._enabled:
            return {}
        return {
            "scale": self.get_scale(),
            "growth_factor": self._growth_factor,
            "backoff_factor": self._backoff_factor,
            "growth_interval": self._growth_interval,
            "_growth_tracker": self._growth_tracker,
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError(
                "The source state dict is empty, possibly because it was saved "
                "from a disabled instance of GradScaler."
            )
        self._scale = float(state_dict["scale"])
        self._growth_factor = state_dict["growth_factor"]
        self._backoff_factor = state_dict["backoff_factor"]
        self._growth_interval = state_dict["growth_interval"]
        self._growth_tracker = state_dict["_growth_tracker"]


__all__ = [
    "GradScaler",
    "autocast",
    "is_autocast_available",
    "is_autocast_cpu_enabled",
    "is_autocast_enabled",
]
