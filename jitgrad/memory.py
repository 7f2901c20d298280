"""A caching allocator for large CPU buffers: freed gradients are reused, not re-faulted.

Why: a fresh multi-megabyte array comes from ``mmap``, and the kernel zeroes every page on
first touch. On the project machine that first touch costs about as much as writing the
buffer again (32 MB: 3.4 ms to fill a reused array, 6.1 ms to fill a fresh one), so an
elementwise backward that writes two fresh gradients pays nearly twice the memory traffic of
the kernel itself. A training loop frees and reallocates the same sizes every step
(``zero_grad()`` sets ``.grad`` to None, intermediates die with the graph), so keeping the
freed buffers and handing them out again removes that cost. PyTorch does the same on CUDA
(its caching allocator); numpy's allocator only caches small blocks.

How a buffer is known to be free: every pooled buffer is a 1-D ``uint8`` root array that the
pool keeps; what callers get is a typed view of it, and NumPy points every view (and every
view of a view, every ``memoryview`` and every array built over its buffer) at that root
through ``.base``. So the root's reference count is exactly the pool's own references while
nothing else can reach its memory, and a buffer is reused only then. Every look at the pool
is made under one lock, so two threads never receive the same buffer: a root handed out is
referenced by the caller's local before the lock is released, so it no longer reads as idle.

Size classes: a request of ``n`` bytes gets a block of ``n`` rounded up to one of four steps
per power of two (1, 1.25, 1.5, 1.75, 2, 2.5 ... MB; jemalloc's classes, PyTorch rounds CUDA
blocks in the same spirit), and the caller sees a view of exactly ``n`` bytes. A loop whose
sizes vary a little (bucketed lengths, a short last batch) then reuses blocks instead of
growing a bucket per exact size; at most a fifth of a block goes unused.

Returning memory: blocks are anonymous private ``mmap`` regions, one per block, so dropping a
block unmaps it at once. (With ``np.empty`` glibc raises its mmap threshold after the first
large free and serves later multi-megabyte arrays from its heap, whose freed middle never
goes back to the system: evicting such a block would not lower RSS.) The pool evicts only
when it is about to grow (no idle block fits, see :func:`_take`): then idle blocks, least
recently handed out first, go until the idle bytes fit ``JITGRAD_POOL_IDLE_MB`` (default
128) and the total fits ``JITGRAD_POOL_MB`` (default 1024; 0 turns pooling off). A loop
with fixed sizes stops growing after its first step, so it never evicts, whatever its
working set (trimming on reuse would evict it between steps); a loop with varying sizes
holds at most its peak use plus the idle cap. :func:`empty_cache` releases every idle
block, as ``torch.cuda.empty_cache`` does.
"""

from __future__ import annotations

import math
import mmap
import os
import sys
import threading
from collections.abc import Sequence

import numpy as np

__all__ = [
    "copy",
    "empty",
    "zeros",
    "empty_cache",
    "pool_info",
    "min_pooled_size",
    "size_class",
]

#: Smallest request (bytes) worth pooling: below it malloc reuses freed blocks without faults.
MIN_BYTES = 1 << 20
#: Size classes per power of two (see :func:`size_class`).
STEPS = 4

_lock = threading.Lock()
#: size class -> its blocks (roots), idle or in use
_buckets: dict[int, list[np.ndarray]] = {}
#: id(root) -> root, every block, least recently handed out first (eviction order)
_order: dict[int, np.ndarray] = {}
_held = 0  # bytes of all pooled roots, idle or in use


def _refs(where: list | dict, k: int) -> int:
    """The reference count of ``where[k]``; every idle check goes through here, so the pool's
    own references (its bucket list, ``_order``) are counted the same way each time."""
    return sys.getrefcount(where[k])


def _idle_refs() -> int:
    """What :func:`_refs` reports for a root only the pool refers to. Measured, not assumed:
    the count an interpreter reports for a list item differs between Python versions."""
    root = np.empty(1, np.uint8)
    bucket, order = [root], {0: root}
    del root
    assert _refs(bucket, 0) == _refs(order, 0)
    return _refs(bucket, 0)


_IDLE_REFS = _idle_refs()


def size_class(nbytes: int) -> int:
    """``nbytes`` (positive) rounded up to its block size: a multiple of a quarter of the
    largest power of two not above it, so a block is at most a fifth unused."""
    step = max(1, (1 << (nbytes.bit_length() - 1)) // STEPS)
    return -(-nbytes // step) * step


def _mb(name: str, default: str) -> int:
    return int(float(os.environ.get(name, default)) * (1 << 20))


def _new_block(nbytes: int) -> np.ndarray:
    """A root of ``nbytes`` in its own private anonymous mapping (unmapped when dropped)."""
    if hasattr(mmap, "MAP_ANONYMOUS"):
        region = mmap.mmap(-1, nbytes, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
        if hasattr(mmap, "MADV_HUGEPAGE"):  # first touch faults 2 MB at a time (8 MB: 16x
            region.madvise(mmap.MADV_HUGEPAGE)  # faster measured); numpy does the same
        return np.frombuffer(region, np.uint8)
    return np.empty(nbytes, np.uint8)  # no anonymous mmap (Windows): malloc's block


def _take(nbytes: int) -> np.ndarray | None:
    """An idle root for ``nbytes`` from the pool, else a new pooled one, else None.

    The idle root is of ``nbytes``'s class, else of the smallest larger class up to twice
    the request that has one: a block the pool holds anyway serves better than a new one
    (no page faults, no growth), and the doubling bound keeps a small request from tying up
    a much larger block.
    """
    global _held
    size = size_class(nbytes)
    fit = size
    while fit <= 2 * nbytes:
        bucket = _buckets.get(fit)
        if bucket is not None:
            for k in range(len(bucket)):
                if _refs(bucket, k) == _IDLE_REFS:
                    root = bucket[k]
                    del _order[id(root)]  # now the most recently handed out
                    _order[id(root)] = root
                    return root
        fit = size_class(fit + 1)
    limit = _mb("JITGRAD_POOL_MB", "1024")
    if not _trim(_mb("JITGRAD_POOL_IDLE_MB", "128"), limit - size):
        return None
    root = _new_block(size)
    _buckets.setdefault(size, []).append(root)
    _order[id(root)] = root
    _held += size
    return root


def _trim(max_idle: int, max_held: int) -> bool:
    """Drop idle roots, least recently handed out first, until at most ``max_idle`` bytes are
    idle and at most ``max_held`` are held; whether ``max_held`` was reached."""
    global _held
    idle = [k for k in _order if _refs(_order, k) == _IDLE_REFS]
    idle_bytes = sum(_order[k].nbytes for k in idle)
    for k in idle:
        if idle_bytes <= max_idle and _held <= max_held:
            break
        root = _order.pop(k)
        bucket = _buckets[root.nbytes]
        del bucket[next(i for i, r in enumerate(bucket) if r is root)]
        if not bucket:
            del _buckets[root.nbytes]
        idle_bytes -= root.nbytes
        _held -= root.nbytes
        del root  # the last reference: the block is unmapped here
    return _held <= max_held


def _pooled(shape: tuple[int, ...], dtype: np.dtype, size: int | None) -> np.ndarray | None:
    """A typed view of a pooled buffer when the request is large enough, else None."""
    nbytes = (math.prod(shape) if size is None else size) * dtype.itemsize
    if nbytes < MIN_BYTES:
        return None
    with _lock:
        root = _take(nbytes)
    return None if root is None else np.ndarray(shape, dtype, root)


def min_pooled_size(dtype: np.dtype) -> int:
    """The element count from which arrays of ``dtype`` come from the pool: the per-op hot
    path allocates below it with ``np.empty`` directly and skips the call here."""
    return -(-MIN_BYTES // dtype.itemsize)


def empty(shape: tuple[int, ...], dtype: np.dtype, size: int | None = None) -> np.ndarray:
    """An uninitialized C-contiguous array, from the pool when it is large.

    ``dtype`` must be a ``np.dtype`` instance and ``size``, if given, the element count of
    ``shape``: the per-op hot path calls this and already knows both.
    """
    out = _pooled(shape, dtype, size)
    return np.empty(shape, dtype) if out is None else out


def zeros(shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """A zero-filled C-contiguous array, from the pool when it is large (``dtype``: as in
    :func:`empty`)."""
    out = _pooled(shape, dtype, None)
    if out is None:
        return np.zeros(shape, dtype)  # calloc: fresh pages come zeroed
    out.fill(0)  # reused memory holds old values
    return out


def copy(a: np.ndarray) -> np.ndarray:
    """A C-contiguous copy of ``a`` (any strides, broadcast views included), pooled when large."""
    out = empty(a.shape, a.dtype)
    np.copyto(out, a)
    return out


def empty_cache() -> None:
    """Release every idle pooled buffer back to the system (in-use ones stay pooled)."""
    with _lock:
        _trim(0, _held)


def pool_info() -> dict[str, int]:
    """Bytes the pool holds, split into in use and idle, its limits, and its block count."""
    with _lock:
        idle = sum(_order[k].nbytes for k in _order if _refs(_order, k) == _IDLE_REFS)
        return {
            "held": _held,
            "idle": idle,
            "in_use": _held - idle,
            "blocks": len(_order),
            "limit": _mb("JITGRAD_POOL_MB", "1024"),
            "idle_limit": _mb("JITGRAD_POOL_IDLE_MB", "128"),
        }


#: PyTorch's limit on a storage's byte count (int64); here, below every allocator (the
#: CPU's argument checks and the device pool check sizes the same way)
STORAGE_MAX = (1 << 63) - 1


def negative_dim(shape: Sequence[int]) -> None:
    """PyTorch's error for a negative size, checked before anything is allocated."""
    for n in shape:
        if n < 0:
            raise RuntimeError(
                f"Trying to create tensor with negative dimension {n}: {list(shape)}"
            )


def storage_nbytes(shape: Sequence[int], itemsize: int) -> int:
    """The bytes a tensor of ``shape`` needs; PyTorch's overflow error past int64."""
    negative_dim(shape)
    nbytes = math.prod(shape) * itemsize
    if nbytes > STORAGE_MAX:
        raise RuntimeError(f"Storage size calculation overflowed with sizes={list(shape)}")
    if math.prod(n for n in shape if n) * itemsize > STORAGE_MAX:  # PyTorch allows this one
        raise RuntimeError(
            f"jitgrad cannot hold an empty tensor with sizes={list(shape)}: numpy arrays need "
            "the product of the nonzero sizes to fit in int64 bytes"
        )
    return nbytes
