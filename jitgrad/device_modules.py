"""The per-device namespaces PyTorch programs probe when they pick a device:
``torch.accelerator`` (what PyTorch's own tutorials now use:
``torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else
"cpu"``), ``torch.cpu`` (with ``torch.cpu.amp.autocast``), and ``torch.xpu``, ``torch.mps``,
``torch.mtia`` (devices jitgrad has none of: ``is_available()`` is False, as in a PyTorch
build without them). The accelerator is CUDA when :func:`jitgrad.cuda.is_available`.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any

from . import amp, cuda
from .frontend.tensor import device
from .helpers import missing_attribute
from .helpers import warn as warn_user

_NONE_AVAILABLE = "Cannot access accelerator device when none is available."


def namespace(name: str, doc: str, **members: Any) -> ModuleType:
    """A submodule ``jitgrad.<name>`` (importable: registered in ``sys.modules``) whose
    missing names say they are not implemented."""
    module = ModuleType(f"jitgrad.{name}", doc)
    module.__dict__.update(members)
    module.__getattr__ = missing_attribute(f"jitgrad.{name}")  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    return module


def _need_accelerator() -> None:
    if not cuda.is_available():
        raise RuntimeError(_NONE_AVAILABLE)


def _current_accelerator(check_available: bool = False) -> device | None:
    return device("cuda") if cuda.is_available() else None


def _current_device_index() -> int:
    _need_accelerator()
    return cuda.current_device()


def _synchronize(device: Any = None) -> None:
    _need_accelerator()
    cuda.synchronize(device)


def _set_device_index(device: Any) -> None:
    _need_accelerator()


accelerator = namespace(
    "accelerator",
    "torch.accelerator: the CUDA device when there is one.",
    is_available=cuda.is_available,
    current_accelerator=_current_accelerator,
    device_count=lambda: cuda.device_count() if cuda.is_available() else 0,
    current_device_index=_current_device_index,
    current_device_idx=_current_device_index,
    set_device_index=_set_device_index,
    set_device_idx=_set_device_index,
    synchronize=_synchronize,
)


def _deprecated(name: str, dev: str) -> None:
    """PyTorch's FutureWarning for the ``torch.<dev>.amp`` aliases of ``torch.amp``."""
    warn_user(
        f"`torch.{dev}.amp.{name}(args...)` is deprecated. Please use "
        f"`torch.amp.{name}('{dev}', args...)` instead.",
        FutureWarning,
        stacklevel=3,
    )


class _CpuAutocast(amp.autocast):
    """``torch.cpu.amp.autocast(enabled=True, dtype=torch.bfloat16, cache_enabled=True)``."""

    def __init__(self, enabled: bool = True, dtype: Any = None, cache_enabled: bool = True):
        _deprecated("autocast", "cpu")
        super().__init__("cpu", dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)


class _CudaAutocast(amp.autocast):
    """``torch.cuda.amp.autocast(enabled=True, dtype=torch.float16, cache_enabled=True)``:
    deprecated, ``torch.autocast("cuda", ...)``."""

    def __init__(self, enabled: bool = True, dtype: Any = None, cache_enabled: bool = True):
        _deprecated("autocast", "cuda")
        super().__init__("cuda", dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)


class _CudaGradScaler(amp.GradScaler):
    """``torch.cuda.amp.GradScaler(...)``: deprecated, ``torch.amp.GradScaler("cuda", ...)``
    (``torch.cpu.amp.GradScaler`` likewise for the CPU)."""

    _device_type = "cuda"

    def __init__(
        self,
        init_scale: float = 2.0**16,
        growth_factor: float = 2.0,
        backoff_factor: float = 0.5,
        growth_interval: int = 2000,
        enabled: bool = True,
    ) -> None:
        dev = self._device_type
        _deprecated("GradScaler", dev)
        super().__init__(dev, init_scale, growth_factor, backoff_factor, growth_interval, enabled)


class _CpuGradScaler(_CudaGradScaler):
    _device_type = "cpu"


cuda.amp = namespace(  # type: ignore[attr-defined] - torch.cuda.amp, the deprecated aliases
    "cuda.amp", "torch.cuda.amp", autocast=_CudaAutocast, GradScaler=_CudaGradScaler
)

cpu = namespace(
    "cpu",
    "torch.cpu: the one CPU device.",
    is_available=lambda: True,
    is_initialized=lambda: True,
    device_count=lambda: 1,
    current_device=lambda: "cpu",
    set_device=lambda device: None,
    synchronize=lambda device=None: None,
    amp=namespace("cpu.amp", "torch.cpu.amp", autocast=_CpuAutocast, GradScaler=_CpuGradScaler),
)


def _absent(name: str) -> ModuleType:
    return namespace(
        name,
        f"torch.{name}: jitgrad has no {name} device.",
        is_available=lambda: False,
        device_count=lambda: 0,
    )


xpu = _absent("xpu")
mps = _absent("mps")
mtia = _absent("mtia")
