"""Launch helpers shared by the CUDA kernels: dtype checks, block sizes, output allocation.

Kernels avoid the builtins ``min``/``max``: numba 0.68's CUDA target fails to compile their
star-argument overload inside a kernel ("Signature mismatch"), so they spell out the comparison.

Block sizes depend on the problem's shape only (never on timing or the device), so the
reduction order, and with it every float result, is the same run to run.
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np
from numba import cuda

#: Most threads a 1-D reduction block uses; the shared arrays of the row kernels have this size.
MAX_THREADS = 256
#: Cap on grid sizes: the kernels loop over their work with a grid stride, so any size works.
MAX_BLOCKS = 65535
#: Numba's CUDA simulator runs every thread of a block as a Python thread, so a launch costs
#: about a thread start per simulated thread whatever the work. There the launches use at
#: most a warp of threads per block and two blocks per grid dimension (as
#: jitgrad/backends/cuda/runtime.py's elementwise launches do): every kernel here loops with
#: a block stride and a grid stride, so the same code runs (a fold still combines several
#: threads, a grid still several blocks), with more iterations per thread.
SIMULATOR = bool(numba.config.ENABLE_CUDASIM)
LAUNCH_THREADS, LAUNCH_BLOCKS = (32, 2) if SIMULATOR else (MAX_THREADS, MAX_BLOCKS)
FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
#: Fold operations of :func:`combine` (plain ints: a kernel branches on them at run time).
SUM, MAX, MIN = 0, 1, 2


@cuda.jit(device=True, inline=True)
def combine(a, b, op):
    # op SUM: a + b; MAX/MIN: the larger/smaller, a NaN on either side wins (PyTorch).
    if op == SUM:
        return a + b
    if op == MAX:
        return a if (a > b or a != a) else b
    return a if (a < b or a != a) else b


@cuda.jit(device=True)
def block_fold(sm, v, op):
    # Fold one value per thread of a 1-D block (blockDim.x a power of two, sm a shared array
    # of at least blockDim.x): thread t pairs with t + s for s = T/2, T/4, ..., 1, a fixed
    # tree, so the result is the same run to run. Every thread gets the result; sm is free
    # again on return.
    t = cuda.threadIdx.x
    sm[t] = v
    cuda.syncthreads()
    s = cuda.blockDim.x // 2
    while s > 0:
        if t < s:
            sm[t] = combine(sm[t], sm[t + s], op)
        cuda.syncthreads()
        s //= 2
    r = sm[0]
    cuda.syncthreads()
    return r


@cuda.jit(device=True)
def block_scan(sm, v):
    # The inclusive running sum of one int64 value per thread of a 1-D block (sm a shared int64
    # array of at least blockDim.x): Hillis-Steele, log2(T) rounds of a read and a write
    # between barriers. Every thread gets its own prefix; sm is free again on return.
    t = cuda.threadIdx.x
    sm[t] = v
    cuda.syncthreads()
    s = 1
    while s < cuda.blockDim.x:
        a = sm[t - s] if t >= s else 0
        cuda.syncthreads()
        sm[t] += a
        cuda.syncthreads()
        s *= 2
    r = sm[t]
    cuda.syncthreads()
    return r


def pow2_threads(n: int, cap: int = MAX_THREADS) -> int:
    """The smallest power of two >= ``n`` (at least 1), at most ``cap`` (and
    :data:`LAUNCH_THREADS`): a tree reduction in shared memory needs a power-of-two block, and
    a short row should not idle 256 threads."""
    t = 1
    while t < n and t < cap and t < LAUNCH_THREADS:
        t *= 2
    return t


def blocks(n: int) -> int:
    """Grid size for ``n`` independent work items (blocks loop with a grid stride)."""
    return max(1, min(n, LAUNCH_BLOCKS))


def elementwise_grid(n: int, threads: int = 256) -> tuple[int, int]:
    """(blocks, threads) for a grid-stride loop over ``n`` elements."""
    threads = pow2_threads(n, threads)
    return blocks((n + threads - 1) // threads), threads


def float_dtype(x: Any, op: str) -> np.dtype:
    """``x``'s dtype, which must be float32 or float64 (TypeError naming ``op`` otherwise)."""
    dt = np.dtype(x.dtype)
    if dt not in FLOATS:
        raise TypeError(f"{op}: CUDA kernel expects float32 or float64, got {dt}")
    return dt


def contiguous(x: Any, op: str) -> Any:
    """``x`` itself if it is C-contiguous; otherwise a ValueError naming ``op`` (use
    :func:`jitgrad.kernels.cuda.memory.copy` to gather a strided view first)."""
    if not x.is_c_contiguous():
        raise ValueError(f"{op}: CUDA kernel expects a C-contiguous device array")
    return x


#: Makes every output and scratch array of these kernels: ``alloc(shape, dtype)`` -> a
#: C-contiguous device array. :func:`set_allocator` installs the backend's caching allocator:
#: plain ``cuda.device_array`` calls ``cuMemAlloc`` for each array, and numba's batched
#: ``cuMemFree`` synchronizes the device, which a training step must not do.
_alloc: Any = None


def set_allocator(alloc: Any) -> Any:
    """Route every allocation of these kernels through ``alloc(shape, dtype)`` (None: back to
    ``cuda.device_array``); returns the previous allocator."""
    global _alloc
    prev, _alloc = _alloc, alloc
    return prev


def empty(shape: tuple[int, ...], dtype: Any) -> Any:
    """A new uninitialised C-contiguous device array, from the installed allocator."""
    shape = tuple(int(s) for s in shape)
    if _alloc is not None:
        return _alloc(shape, np.dtype(dtype))
    return cuda.device_array(shape, np.dtype(dtype))


def view(x: Any, *shape: Any) -> Any:
    """``x.reshape(shape)`` for a C-contiguous device array (``shape`` as arguments or one
    tuple), also for an empty ``x``: numba's ``DeviceNDArray.reshape`` refuses some empty
    arrays ("operation requires copying", e.g. (3, 0) -> (0,)), and an empty array has no data
    to share, so a new empty one of the new shape stands in."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    shape = tuple(int(s) for s in shape)
    if x.size == 0 and tuple(x.shape) != shape:
        return empty(shape, x.dtype)
    return x.reshape(shape)


def check_out(out: Any, shape: tuple[int, ...], dtype: Any, op: str) -> Any:
    """``out`` if given and of the right shape and dtype, else a new device array."""
    shape = tuple(int(s) for s in shape)
    if out is None:
        return empty(shape, dtype)
    if tuple(out.shape) != shape or np.dtype(out.dtype) != np.dtype(dtype):
        raise ValueError(
            f"{op}: out has shape {tuple(out.shape)} and dtype {out.dtype}, "
            f"expected {shape} and {np.dtype(dtype)}"
        )
    contiguous(out, op)
    return out


def prod(dims: Any) -> int:
    n = 1
    for d in dims:
        n *= int(d)
    return n
