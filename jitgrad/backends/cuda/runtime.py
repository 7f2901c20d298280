"""Device memory for the CUDA backend: numba device arrays, copies, fills and launch sizes.

A cuda Tensor's ``_value`` is a numba device array (``DeviceNDArray`` on a GPU,
``FakeCUDAArray`` in Numba's simulator), always C-contiguous: every kernel here indexes flat
buffers. Arrays come from the caching allocator (:mod:`.pool`); fills, casts and strided
copies are the kernels of :mod:`jitgrad.kernels.cuda.memory`. Importing this module requires
``numba.cuda.is_available()``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numba
import numpy as np
from numba import cuda

from ...kernels.cuda import memory as M
from . import pool
from .pool import SIMULATOR

#: Threads per block and the most blocks one grid-stride launch uses. The simulator runs
#: each CUDA thread as a Python thread: keep its grids small.
THREADS, MAX_BLOCKS = (32, 2) if SIMULATOR else (256, 65535)

#: numba-cuda warns at every launch of a grid under 128 blocks ("Grid size 1 will likely
#: result in GPU under-utilization due to low occupancy"): a small tensor's kernel is a small
#: grid by design, and PyTorch prints nothing there. numba-cuda reads the switch from its own
#: config module (``numba.cuda.config``), older numba from ``numba.config``: both off.
for _config in (numba.config, getattr(cuda, "config", numba.config)):
    _config.CUDA_LOW_OCCUPANCY_WARNINGS = 0

DEVICE_ARRAY_TYPES: tuple[type, ...] = (type(cuda.device_array(1, np.float32)),)


def is_device_array(v: Any) -> bool:
    return isinstance(v, DEVICE_ARRAY_TYPES)


def launch_config(n: int) -> tuple[int, int]:
    """(blocks, threads per block) for a grid-stride loop over ``n`` elements."""
    threads = THREADS
    return max(1, min(MAX_BLOCKS, -(-n // threads))), threads


def flat(v: Any) -> Any:
    """A 1-D view of a contiguous device array (0-d arrays included)."""
    return v.reshape(v.size) if v.ndim != 1 else v


def empty(shape: tuple[int, ...], dtype: Any) -> Any:
    return pool.alloc(tuple(shape), dtype)


def full(shape: tuple[int, ...], value: Any, dtype: Any) -> Any:
    out = empty(shape, dtype)
    fill(out, value)
    return out


def fill(v: Any, value: Any) -> None:
    """Every element of device array ``v`` set to ``value``."""
    if v.size:
        M.fill(v, value)


def zeros(shape: tuple[int, ...], dtype: Any) -> Any:
    return full(shape, 0, dtype)


def cast(v: Any, dtype: Any) -> Any:
    """A new contiguous device array with ``v``'s values in ``dtype``."""
    return M.cast(v, dtype)


def to_device(a: np.ndarray) -> Any:
    """A device copy of host array ``a`` (made contiguous first), in pooled memory."""
    out = empty(a.shape, a.dtype)
    if out.size:
        out.copy_to_device(a if a.flags.c_contiguous else np.ascontiguousarray(a))
    return out


def to_host(v: Any) -> np.ndarray:
    """A host copy of ``v``: a synchronization, so the deferred device checks run first."""
    if _PENDING or _FLAGS:
        run_deferred_checks()
    return v.copy_to_host()


#: ``CUDA_LAUNCH_BLOCKING=1`` (PyTorch's switch for debugging device asserts): the checks
#: run at the op that launched the kernel, which then gets the CPU op's error.
BLOCKING = os.environ.get("CUDA_LAUNCH_BLOCKING") == "1"
_PENDING: list[Callable[[], None]] = []
#: kernels' error flags not read yet, each with the check taking its value (:func:`flagged`)
_FLAGS: list[tuple[Any, Callable[[int], None]]] = []


def defer_check(check: Callable[[], None]) -> None:
    """Run ``check`` (which reads device flags and raises) at the next synchronization: a
    kernel's device-side assert reported where PyTorch reports it, so a training step needs
    no host round trip of its own (``loss.item()`` is its one synchronization)."""
    _PENDING.append(check)


def flagged(flag: Any, check: Callable[[int], None]) -> bool:
    """A kernel's one-element integer error flag: under ``CUDA_LAUNCH_BLOCKING=1`` read at
    once (True: set, and the caller lets the CPU op raise its error), else read at the next
    synchronization, where ``check(value)`` raises (:func:`defer_check`), and False."""
    if BLOCKING:
        return bool(int(flag.copy_to_host()[0]))
    _FLAGS.append((flag, check))
    return False


def run_deferred_checks() -> None:
    flags, checks = _FLAGS[:], _PENDING[:]
    _FLAGS.clear()
    _PENDING.clear()
    if flags:
        for (_, check), value in zip(flags, _read_flags([f for f, _ in flags]), strict=True):
            check(int(value))
    for check in checks:
        check()


def _read_flags(flags: list) -> np.ndarray:
    """The flags' values in one device-to-host copy: several are first gathered into one
    int64 array on the device (a small launch each, no synchronization), so a step with an
    embedding, a gather and a cross-entropy pending still reads once at ``loss.item()``."""
    if len(flags) == 1:
        return flags[0].copy_to_host()[:1]
    stage = empty((len(flags),), np.int64)
    for k, flag in enumerate(flags):
        M.cast(flag, np.int64, out=stage[k : k + 1])
    return stage.copy_to_host()


def contiguous(v: Any) -> Any:
    """``v`` if C-contiguous, else a contiguous device copy gathered on the device."""
    if v.is_c_contiguous():
        return v
    if any(int(st) < 0 for st in v.strides):  # rare (foreign arrays): through the host
        return to_device(v.copy_to_host())
    item = v.dtype.itemsize
    strides = tuple(int(st) // item for st in v.strides)
    return M.gather(_base_of(v), tuple(v.shape), strides, 0)


def _base_of(v: Any) -> Any:
    """A 1-D device array starting at ``v``'s first element and spanning its strided extent
    (non-negative strides; what :func:`contiguous` gathers from)."""
    span = 1 + sum((n - 1) * (int(st) // v.dtype.itemsize) for n, st in zip(v.shape, v.strides))
    if SIMULATOR:
        host = np.lib.stride_tricks.as_strided(v._ary, (span,), (v.dtype.itemsize,))
        return DEVICE_ARRAY_TYPES[0](host)
    return cuda.as_cuda_array(_Span(v, span))


def synchronize() -> None:
    cuda.synchronize()
    if _PENDING or _FLAGS:
        run_deferred_checks()


def interface(v: Any) -> dict:
    """``v``'s ``__cuda_array_interface__`` (version 3). The simulator's arrays have none:
    there it describes the host memory that stands in for the device's."""
    if not SIMULATOR:
        return v.__cuda_array_interface__
    host = v._ary.__array_interface__
    return {
        "shape": tuple(v.shape),
        "typestr": host["typestr"],
        "data": (host["data"][0], False),
        "strides": None if v.is_c_contiguous() else tuple(v.strides),
        "version": 3,
    }


class _Span:
    """``v``'s memory as a 1-D array of ``span`` elements (``__cuda_array_interface__``)."""

    def __init__(self, v: Any, span: int) -> None:
        iface = v.__cuda_array_interface__
        self.__cuda_array_interface__ = {**iface, "shape": (span,), "strides": None}
        self.owner = v


class _HostView:
    """What numpy needs to view simulator "device" memory: its array interface (and the
    object that owns the memory, kept alive as long as the view)."""

    def __init__(self, iface: dict, owner: Any) -> None:
        self.__array_interface__ = {**iface, "version": 3}
        self.owner = owner


def as_device_array(obj: Any) -> Any:
    """A device array sharing the memory of ``obj`` (``__cuda_array_interface__``)."""
    if isinstance(obj, DEVICE_ARRAY_TYPES):
        return obj
    if not SIMULATOR:
        return cuda.as_cuda_array(obj)
    return DEVICE_ARRAY_TYPES[0](np.asarray(_HostView(obj.__cuda_array_interface__, obj)))
