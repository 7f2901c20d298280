"""``jitgrad.cuda``: device queries, and moving tensors to and from the CUDA device.

The backend (:mod:`jitgrad.backends.cuda`) is imported on first use only, and only where
``numba.cuda.is_available()`` (a GPU, or Numba's simulator with ``NUMBA_ENABLE_CUDASIM=1``):
importing it on a machine without either would fail, so ``import jitgrad`` never does.
Without a device, ``device="cuda"`` raises the error PyTorch raises without a driver.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from types import ModuleType
from typing import Any

from . import random
from .backends import meta_tensor as meta
from .frontend.tensor import Tensor, device

NO_DRIVER = (
    "Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and "
    "installed a driver from http://www.nvidia.com/Download/index.aspx"
)


@cache
def is_available() -> bool:
    """Whether Numba sees a usable CUDA GPU (or its CUDA simulator is enabled)."""
    try:
        from numba import cuda
    except ImportError:  # pragma: no cover - numba always ships numba.cuda
        return False
    try:
        return bool(cuda.is_available())
    except Exception:
        return False


def device_count() -> int:
    if not is_available():
        return 0
    from numba import cuda

    return len(cuda.gpus)


class _Above:
    """``load()`` imports the backend's API module (:mod:`jitgrad.backends.cuda.api`) and
    returns it: set by ``jitgrad/__init__``, since the backend sits above this module (it
    wraps the public namespace), and called on first use only (see the module docstring)."""

    __slots__ = ("load",)

    def __init__(self) -> None:
        self.load: Callable[[], ModuleType] | None = None


ABOVE = _Above()


def _backend() -> Any:
    """The backend's API module (imported on first use: see the module docstring)."""
    if not is_available():
        raise RuntimeError(NO_DRIVER)
    return ABOVE.load()


def current_device() -> int:
    _backend()
    return 0


def synchronize(device: Any = None) -> None:
    """Wait for every kernel launched so far to finish."""
    _backend().synchronize()


def manual_seed(seed: int) -> None:
    """Seed the default generator: device tensors from random factories (``randn``) are
    drawn by it and copied, and dropout's on-device Philox stream restarts from its seed
    (see :mod:`jitgrad.backends.cuda.random`)."""
    random.manual_seed(seed)


manual_seed_all = manual_seed


def memory_allocated(device: Any = None) -> int:
    """Bytes in live device tensors (by caching-allocator block, as PyTorch counts)."""
    return _memory_stats()["allocated"]


def max_memory_allocated(device: Any = None) -> int:
    return _memory_stats()["peak"]


def memory_reserved(device: Any = None) -> int:
    """Bytes the caching allocator holds from the driver, in use or idle."""
    return _memory_stats()["held"]


def reset_peak_memory_stats(device: Any = None) -> None:
    if _pool_active():
        _backend().STATE.backend.reset_peak_memory_stats()


def empty_cache() -> None:
    """Give the caching allocator's idle device blocks back to the driver."""
    if _pool_active():
        _backend().STATE.backend.empty_cache()


def _pool_active() -> bool:
    return is_available() and _backend().STATE.active


def _memory_stats() -> dict[str, int]:
    if not _pool_active():
        return {"allocated": 0, "peak": 0, "held": 0}
    return _backend().STATE.backend.memory_stats()


def is_initialized() -> bool:
    return is_available()


def get_device_name(device: Any = None) -> str:
    """The GPU's name, as the driver reports it."""
    return _backend().device_name()


def move(t: Tensor, target: device) -> Tensor:
    """``t`` on ``target``: itself if already there, else a copy (``ToCopyBackward0``)."""
    if target.type == "meta" or meta.is_meta(t):
        return meta.move(t, target)
    if target.type == "cpu":
        if not t.is_cuda:
            return t
        return _backend().to_cpu(t)
    api = _backend()
    if target.index not in (None, 0) and target.index >= device_count():
        raise RuntimeError("CUDA error: invalid device ordinal")
    return api.to_cuda(t)


def is_cuda_array(obj: Any) -> bool:
    """Whether ``obj`` is device memory: it has ``__cuda_array_interface__`` or is a numba
    device array (the simulator's have no interface)."""
    if isinstance(obj, Tensor):
        return False
    return hasattr(obj, "__cuda_array_interface__") or type(obj).__name__ == "FakeCUDAArray"


def from_cuda_array(obj: Any, dtype: Any = None) -> Tensor:
    """A device tensor sharing the memory of ``obj`` (``__cuda_array_interface__``)."""
    return _backend().from_cuda_array(obj, dtype)


def to_device(t: Tensor, target: Any, dtype: Any = None) -> Tensor:
    """``t.to(target, dtype)`` for a device target (kept for callers of the old name)."""
    moved = move(t, device(target))
    return moved if dtype is None else moved.to(dtype)
