"""The device caching allocator: every device array of the backend and of
:mod:`jitgrad.kernels.cuda` comes from here.

``cuda.device_array`` calls ``cuMemAlloc`` for each array, and Numba's deferred ``cuMemFree``
synchronizes the device when its batch flushes: a training step that allocated its
activations and gradients that way would pay both on every op. The pool keeps freed blocks by
size class (:func:`jitgrad.memory.size_class`, the CPU pool's classes: a block is at most a
fifth unused) and hands them out again, so from the second step on a step allocates nothing
from the driver. :func:`empty_cache` gives the idle blocks back (``torch.cuda.empty_cache``);
:func:`stats` reports what ``torch.cuda.memory_allocated``/``max_memory_allocated`` return
(bytes of live arrays, rounded to their blocks, as PyTorch's caching allocator reports).

How a block comes back: on a GPU the array handed out is a ``DeviceNDArray`` over a Numba
``MemoryPointer`` whose finalizer returns the block to its free list. Numba calls that
finalizer when it would otherwise free the memory (the array and every view or slice of it
gone), as it does for the External Memory Management plugins. In the simulator an array's
memory is a host numpy buffer and its views keep that buffer as their ``base``, so a block is
idle when nothing but the pool refers to its root (the CPU pool's refcount rule).
"""

from __future__ import annotations

import inspect
import math
import os
import sys
import threading
from typing import Any

import numpy as np
from numba import cuda

from ...memory import size_class, storage_nbytes
from .. import OutOfMemoryError

SIMULATOR = os.environ.get("NUMBA_ENABLE_CUDASIM") == "1"
if not SIMULATOR:  # the driver's classes (the simulator has no driver)
    from numba.cuda.cudadrv.devicearray import DeviceNDArray
    from numba.cuda.cudadrv.driver import MemoryPointer

    #: numba's MemoryPointer takes the context first; numba-cuda's newer ones may not
    _WITH_CONTEXT = "context" in inspect.signature(MemoryPointer.__init__).parameters

#: The simulator's device array type (a view of a host buffer).
_FAKE = type(cuda.device_array(1, np.uint8)) if SIMULATOR else None

#: Reentrant: on a GPU a block comes back through its MemoryPointer's finalizer, which the
#: cyclic garbage collector can run in the middle of :func:`alloc` (any allocation there may
#: trigger a collection of an autograd graph's cycles): a plain Lock would deadlock there.
_lock = threading.RLock()
#: size class -> idle roots (GPU: device arrays, returned by their finalizers; simulator:
#: the host buffers that stand in for device memory)
_free: dict[int, list[Any]] = {}
#: simulator: every root handed out (idle when only this list refers to it)
_out: list[np.ndarray] = []
_stats = {"allocated": 0, "peak": 0, "held": 0, "driver_allocs": 0}


def _root(size: int) -> Any:
    """A new block of ``size`` bytes from the driver. When the driver has none left, the
    idle blocks go back to it and it is asked once more (PyTorch's allocator does the
    same); then PyTorch's OutOfMemoryError."""
    try:
        block = cuda.device_array(size, np.uint8)
    except Exception as exc:
        if not _out_of_memory(exc):
            raise
        empty_cache()
        try:
            block = cuda.device_array(size, np.uint8)
        except Exception as again:
            if not _out_of_memory(again):
                raise
            raise OutOfMemoryError(_oom_message(size)) from None
    _stats["driver_allocs"] += 1
    _stats["held"] += size
    return block._ary if SIMULATOR else block


def _out_of_memory(exc: Exception) -> bool:
    """A failed allocation: the driver's CUDA_ERROR_OUT_OF_MEMORY (code 2), or the host's
    MemoryError where the simulator's device memory is host memory."""
    return isinstance(exc, MemoryError) or getattr(exc, "code", None) == 2


def _oom_message(size: int) -> str:
    held, used = _stats["held"], _stats["allocated"]
    return (
        f"CUDA out of memory. Tried to allocate {_size(size)}. Of the allocated memory "
        f"{_size(used)} is allocated by jitgrad, and {_size(held - used)} is reserved by "
        "jitgrad but unallocated."
    )


def _size(n: int) -> str:
    """Bytes as PyTorch's allocator messages write them (``20.00 MiB``)."""
    if n < 1024:
        return f"{n} bytes"
    unit = "KiB" if n < 2**20 else "MiB" if n < 2**30 else "GiB"
    return f"{n / {'KiB': 2**10, 'MiB': 2**20, 'GiB': 2**30}[unit]:.2f} {unit}"


def _release(size: int, root: Any) -> None:
    """A GPU block's finalizer: the block is idle again."""
    with _lock:
        _free.setdefault(size, []).append(root)
        _stats["allocated"] -= size


def _idle_count() -> int:
    """What ``sys.getrefcount`` reports for an item of a list only the list refers to
    (measured: it differs between Python versions)."""
    probe = [np.empty(1, np.uint8)]
    return sys.getrefcount(probe[0])


_IDLE = _idle_count()


def _sweep() -> None:
    """Simulator: every handed-out root only :data:`_out` refers to goes back to its free
    list (its arrays and their views, which hold it as their ``base``, are gone)."""
    keep = []
    for k in range(len(_out)):
        if sys.getrefcount(_out[k]) <= _IDLE:
            _free.setdefault(_out[k].nbytes, []).append(_out[k])
            _stats["allocated"] -= _out[k].nbytes
        else:
            keep.append(_out[k])
    _out[:] = keep


def alloc(shape: tuple[int, ...], dtype: Any) -> Any:
    """An uninitialized C-contiguous device array of ``shape`` and ``dtype`` from the pool."""
    dtype = np.dtype(dtype)
    shape = tuple(int(s) for s in shape)
    # PyTorch's size check (its overflow error) before any device allocation, as the CPU's
    nbytes = storage_nbytes(shape, dtype.itemsize)
    if nbytes == 0:
        return cuda.device_array(shape, dtype)
    size = size_class(nbytes)
    with _lock:
        if SIMULATOR and not _free.get(size) and _out:
            _sweep()
        bucket = _free.get(size)
        root = bucket.pop() if bucket else _root(size)
        _stats["allocated"] += size
        _stats["peak"] = max(_stats["peak"], _stats["allocated"])
        if SIMULATOR:
            _out.append(root)
            return _FAKE(np.ndarray(shape, dtype, root))
    mem = root.gpu_data
    head = (mem.context,) if _WITH_CONTEXT else ()
    ptr = MemoryPointer(*head, mem.device_pointer, size, finalizer=lambda: _release(size, root))
    strides = tuple(math.prod(shape[k + 1 :]) * dtype.itemsize for k in range(len(shape)))
    return DeviceNDArray(shape, strides, dtype, gpu_data=ptr)


def empty_cache() -> None:
    """Give every idle block back to the driver (blocks in use stay)."""
    with _lock:
        if SIMULATOR and _out:
            _sweep()
        for bucket in _free.values():
            _stats["held"] -= sum(int(r.nbytes) for r in bucket)
        _free.clear()


def stats() -> dict[str, int]:
    """Bytes in live arrays (``allocated``, by block), its ``peak``, bytes ``held`` from the
    driver, and how many ``driver_allocs`` the pool has made."""
    with _lock:
        if SIMULATOR and _out:
            _sweep()
        return dict(_stats)


def reset_peak() -> None:
    with _lock:
        _stats["peak"] = _stats["allocated"]
