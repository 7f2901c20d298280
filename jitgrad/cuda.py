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
from .backends import OutOfMemoryError as OutOfMemoryError
from .backends import meta_tensor as meta
from .frontend.tensor import Tensor
from .frontend.tensor import device as torch_device

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


def move(t: Tensor, target: torch_device) -> Tensor:
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


def pin_memory(t: Tensor) -> Tensor:
    """``t.pin_memory()``: a page-locked copy (:func:`.backends.cuda.api.pin_memory`); with no
    device there is nothing to pin for, and PyTorch refuses, as here."""
    if not is_available():
        raise RuntimeError("Cannot access accelerator device when none is available.")
    return _backend().pin_memory(t)


def is_pinned(t: Tensor) -> bool:
    return is_available() and _backend().is_pinned(t)


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
    moved = move(t, torch_device(target))
    return moved if dtype is None else moved.to(dtype)


# ---- device properties, streams and events (torch.cuda's names) --------------------------------
def _index(dev: Any) -> int:
    """The device index ``dev`` names (None, an int, "cuda", "cuda:0", a torch.device), with
    PyTorch's error for one that does not exist; the backend loaded (no driver: its error)."""
    _backend()
    if dev is None:
        return 0
    if isinstance(dev, str | torch_device):
        target = torch_device(dev)
        if target.type != "cuda":
            raise ValueError(f"Expected a cuda device, but got: {target}")
        dev = target.index or 0
    if not isinstance(dev, int) or not 0 <= dev < device_count():
        raise RuntimeError("CUDA error: invalid device ordinal")
    return dev


class _CudaDeviceProperties:
    """What ``get_device_properties`` returns (PyTorch's type name and repr fields)."""

    __slots__ = ("name", "major", "minor", "total_memory", "multi_processor_count")

    def __init__(self, props: dict[str, Any]) -> None:
        for name in self.__slots__:
            setattr(self, name, props[name])

    def __repr__(self) -> str:
        return (
            f"_CudaDeviceProperties(name='{self.name}', major={self.major}, minor={self.minor}, "
            f"total_memory={self.total_memory // 2**20}MB, "
            f"multi_processor_count={self.multi_processor_count})"
        )


def get_device_properties(device: Any = None) -> _CudaDeviceProperties:
    _index(device)
    return _CudaDeviceProperties(_backend().device_properties())


def get_device_capability(device: Any = None) -> tuple[int, int]:
    props = get_device_properties(device)
    return props.major, props.minor


def is_bf16_supported(including_emulation: bool = True) -> bool:
    """Whether the GPU computes in bfloat16 natively (compute capability 8.0 or newer)."""
    return is_available() and get_device_capability() >= (8, 0)


def mem_get_info(device: Any = None) -> tuple[int, int]:
    """(free, total) bytes of device memory, as the driver reports them."""
    _index(device)
    return _backend().memory_info()


def init() -> None:
    _backend()


def set_device(device: Any) -> None:
    """Select the current device: jitgrad uses one GPU, so only index 0 exists."""
    _index(device)


def memory_stats(device: Any = None) -> dict[str, int]:
    """The caching allocator's counters under PyTorch's keys."""
    stats = _memory_stats()
    return {
        "allocated_bytes.all.current": stats["allocated"],
        "allocated_bytes.all.peak": stats["peak"],
        "reserved_bytes.all.current": stats["held"],
    }


def initial_seed() -> int:
    """The seed of the generator device random factories draw from (the default one)."""
    return random.initial_seed()


def seed() -> None:
    random.seed()


seed_all = seed


def get_rng_state(device: Any = "cuda") -> Tensor:
    """The state of the generator device random draws come from (see :func:`manual_seed`)."""
    return random.get_rng_state()


def set_rng_state(new_state: Tensor, device: Any = "cuda") -> None:
    random.set_rng_state(new_state)


class device:  # noqa: N801 - torch.cuda.device
    """``with torch.cuda.device(0):``: selects the current device for the block (only one
    exists: the index is checked, nothing else changes)."""

    def __init__(self, device: Any) -> None:
        self.idx = -1 if device is None else _index(device)

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        return None


class Event:
    """``torch.cuda.Event``: a marker in the stream of launched kernels; ``elapsed_time``
    (milliseconds) between two recorded with ``enable_timing=True`` times the kernels
    between them."""

    def __init__(
        self, enable_timing: bool = False, blocking: bool = False, interprocess: bool = False
    ) -> None:
        self.enable_timing = enable_timing
        self._event = _backend().DeviceEvent(enable_timing)

    def record(self, stream: Any = None) -> None:
        self._event.record()

    def wait(self, stream: Any = None) -> None:
        return None  # (one stream: its kernels already run after the recorded ones)

    def query(self) -> bool:
        return self._event.query()

    def synchronize(self) -> None:
        self._event.synchronize()

    def elapsed_time(self, end_event: Event) -> float:
        if not (self.enable_timing and end_event.enable_timing):
            raise RuntimeError("Both events must be created with argument 'enable_timing=True'.")
        if not (self._event.recorded and end_event._event.recorded):
            raise RuntimeError("Both events must be recorded before calculating elapsed time.")
        return self._event.elapsed_ms(end_event._event)


class Stream:
    """``torch.cuda.Stream``: jitgrad launches every kernel on the default stream, so work
    "on" any stream runs in the order the program issued it (PyTorch's result, with no
    overlap); ``synchronize`` waits for all of it."""

    def __init__(self, device: Any = None, priority: int = 0, **kwargs: Any) -> None:
        _index(device)
        self.device = torch_device("cuda", 0)
        self.priority = priority

    def synchronize(self) -> None:
        synchronize()

    def query(self) -> bool:
        return True

    def wait_stream(self, stream: Stream) -> None:
        return None

    def wait_event(self, event: Event) -> None:
        return None

    def record_event(self, event: Event | None = None) -> Event:
        event = Event() if event is None else event
        event.record(self)
        return event

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Stream)

    def __hash__(self) -> int:
        return 0


def current_stream(device: Any = None) -> Stream:
    return Stream(device)


default_stream = current_stream


class StreamContext:
    """``with torch.cuda.stream(s):`` (a no-op: see :class:`Stream`)."""

    def __init__(self, stream: Stream | None) -> None:
        self.stream = stream

    def __enter__(self) -> Stream | None:
        return self.stream

    def __exit__(self, *exc: Any) -> None:
        return None


def stream(stream: Stream | None) -> StreamContext:  # noqa: A001 - torch.cuda.stream
    return StreamContext(stream)
