"""Device memory for the CUDA backend: numba device arrays, copies, fills and launch sizes.

A cuda Tensor's ``_value`` is a numba device array (``DeviceNDArray`` on a GPU,
``FakeCUDAArray`` in Numba's simulator), always C-contiguous: every kernel here indexes flat
buffers. Importing this module requires ``numba.cuda.is_available()``.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
from numba import cuda

SIMULATOR = os.environ.get("NUMBA_ENABLE_CUDASIM") == "1"
#: Threads per block and the most blocks one grid-stride launch uses. The simulator runs
#: each CUDA thread as a Python thread: keep its grids small.
THREADS, MAX_BLOCKS = (32, 2) if SIMULATOR else (256, 65535)

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
    return cuda.device_array(tuple(shape), dtype=np.dtype(dtype))


@cuda.jit
def _fill(x, value, n):
    i = np.int64(cuda.grid(1))
    step = np.int64(cuda.gridsize(1))
    while i < n:
        x[i] = value
        i += step


@cuda.jit
def _copy(dest, src, n):  # also casts: dest and src may differ in dtype
    i = np.int64(cuda.grid(1))
    step = np.int64(cuda.gridsize(1))
    while i < n:
        dest[i] = src[i]
        i += step


def full(shape: tuple[int, ...], value: Any, dtype: Any) -> Any:
    out = empty(shape, dtype)
    fill(out, value)
    return out


def fill(v: Any, value: Any) -> None:
    """Every element of device array ``v`` set to ``value``."""
    n = v.size
    if n:
        blocks, threads = launch_config(n)
        _fill[blocks, threads](flat(v), v.dtype.type(value), n)


def zeros(shape: tuple[int, ...], dtype: Any) -> Any:
    return full(shape, 0, dtype)


def cast(v: Any, dtype: Any) -> Any:
    """A new contiguous device array with ``v``'s values in ``dtype``."""
    out = empty(v.shape, dtype)
    n = out.size
    if n:
        blocks, threads = launch_config(n)
        _copy[blocks, threads](flat(out), flat(v), n)
    return out


def to_device(a: np.ndarray) -> Any:
    """A device copy of host array ``a`` (made contiguous first)."""
    return cuda.to_device(a if a.flags.c_contiguous else a.copy())


def to_host(v: Any) -> np.ndarray:
    return v.copy_to_host()


def contiguous(v: Any) -> Any:
    """``v`` if C-contiguous, else a contiguous device copy (through the host: rare)."""
    if v.is_c_contiguous():
        return v
    return to_device(v.copy_to_host())


def synchronize() -> None:
    cuda.synchronize()


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
