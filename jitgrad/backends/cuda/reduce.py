"""Deterministic sums on the device: the simple, correct stand-in the CUDA renderer and the
device ops use until the dedicated parallel reduction kernels (jitgrad/kernels/cuda/) land.

A sum over one axis views the contiguous input as ``(outer, n, inner)``; each thread sums a
fixed chunk of :data:`CHUNK` consecutive ``n``-elements in order, and the partial sums are
summed again by the same kernel until one chunk is left. Chunk boundaries depend only on the
shape, so the result is the same bits on every run (no atomics). float32 sums accumulate in
float64, as the CPU kernels do.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from numba import cuda

from . import runtime

CHUNK = 256


@cuda.jit
def _sum_chunks(x, out, n, inner, chunk, nchunks, total, zero):
    # out[o, c, j] = sum(x[o, c*chunk : (c+1)*chunk, j]) over x as (outer, n, inner)
    t = np.int64(cuda.grid(1))
    step = np.int64(cuda.gridsize(1))
    while t < total:
        j = t % inner
        r = t // inner
        c = r % nchunks
        o = r // nchunks
        lo = c * chunk
        hi = min(lo + chunk, n)
        base = o * n * inner + j
        acc = zero
        for k in range(lo, hi):
            acc += x[base + k * inner]
        out[t] = acc
        t += step


@cuda.jit
def _add_into(dest, src, n):  # dest[i] += src[i]
    i = np.int64(cuda.grid(1))
    step = np.int64(cuda.gridsize(1))
    while i < n:
        dest[i] += src[i]
        i += step


def accumulator(dtype: np.dtype) -> np.dtype:
    """The dtype a sum of ``dtype`` runs in (float32 in float64, bool as int64)."""
    if dtype == np.float32:
        return np.dtype(np.float64)
    if dtype == np.bool_:
        return np.dtype(np.int64)
    return np.dtype(dtype)


def sum_axes(x: Any, axes: Sequence[int], dtype: np.dtype | None = None) -> Any:
    """``x`` (a contiguous device array) summed over ``axes``, which are dropped; the result
    has ``dtype`` (default: ``x``'s, int64 for bool)."""
    out_dtype = np.dtype(dtype or (np.int64 if x.dtype == np.bool_ else x.dtype))
    acc = accumulator(out_dtype)
    shape = list(x.shape)
    cur = runtime.flat(x)
    if not axes:
        return runtime.cast(x, out_dtype)
    for ax in sorted(set(axes), reverse=True):
        outer, n, inner = math.prod(shape[:ax]), shape[ax], math.prod(shape[ax + 1 :])
        last = ax == min(axes)
        while True:
            nchunks = max(1, -(-n // CHUNK))
            done = nchunks == 1
            total = outer * nchunks * inner
            kind = out_dtype if done and last else acc
            out = runtime.empty((total,), kind)
            if total:
                blocks, threads = runtime.launch_config(total)
                _sum_chunks[blocks, threads](cur, out, n, inner, CHUNK, nchunks, total, acc.type(0))
            cur, n = out, nchunks
            if done:
                break
        del shape[ax]
    return cur.reshape(tuple(shape)) if shape else cur.reshape(())


def sum_to(x: Any, shape: tuple[int, ...]) -> Any:
    """``x`` summed over the dimensions that broadcasting ``shape`` to ``x.shape`` expanded."""
    lead = x.ndim - len(shape)
    axes = list(range(lead))
    axes += [lead + k for k, s in enumerate(shape) if s == 1 and x.shape[lead + k] != 1]
    out = sum_axes(x, axes, x.dtype)
    return out.reshape(tuple(shape)) if tuple(out.shape) != tuple(shape) else out


def add_into(dest: Any, src: Any) -> None:
    """``dest += src`` elementwise (same number of elements, both contiguous)."""
    n = dest.size
    if n:
        blocks, threads = runtime.launch_config(n)
        _add_into[blocks, threads](runtime.flat(dest), runtime.flat(src), n)
