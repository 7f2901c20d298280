"""``argmax`` / ``argmin`` along one axis (or of the flattened array) on the device.

The array is viewed as ``(A, R, B)`` with ``R`` the reduced axis; each output ``(a, b)`` is
one block that folds ``x[a, :, b]`` as (value, index) pairs: every thread walks its strided
share of ``R``, then the block folds the pairs in a fixed tree in shared memory. The pair
order is total (a NaN beats any number, as in PyTorch, where NaN is the max and the min;
equal values go to the lower index), so the result does not depend on the fold order at all.
One block per output suits the usual uses (the class of each row); a single very long
reduction runs on one block, unlike :mod:`.reduce`'s chunked sums.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import cuda

from .common import MAX_THREADS, blocks, contiguous, empty, pow2_threads, prod, view
from .reduce import norm_axes

__all__ = ["argmax", "argmin"]


@cuda.jit(device=True, inline=True)
def _second_wins(v1, i1, v2, i2, want_max):
    # whether (v2, i2) beats (v1, i1): an index < 0 marks an empty slot; NaN beats numbers;
    # ties (and NaN vs NaN) go to the lower index
    if i2 < 0:
        return False
    if i1 < 0:
        return True
    n1 = v1 != v1
    n2 = v2 != v2
    if n1 or n2:
        return n2 and (not n1 or i2 < i1)
    if v2 == v1:
        return i2 < i1
    return v2 > v1 if want_max else v2 < v1


@cuda.jit
def _arg_kernel(x, out, want_max):
    # x (A, R, B); out (A * B,) int64: out[a*B + b] = arg-extreme of x[a, :, b]
    sv = cuda.shared.array(MAX_THREADS, x.dtype)
    si = cuda.shared.array(MAX_THREADS, np.int64)
    t = cuda.threadIdx.x
    na, nr, nb = x.shape
    for o in range(cuda.blockIdx.x, na * nb, cuda.gridDim.x):
        a = o // nb
        k = o - a * nb
        v = x.dtype.type(0)
        i = np.int64(-1)
        for r in range(t, nr, cuda.blockDim.x):
            if _second_wins(v, i, x[a, r, k], r, want_max):
                v = x[a, r, k]
                i = r
        sv[t] = v
        si[t] = i
        cuda.syncthreads()
        s = cuda.blockDim.x // 2
        while s > 0:
            if t < s and _second_wins(sv[t], si[t], sv[t + s], si[t + s], want_max):
                sv[t] = sv[t + s]
                si[t] = si[t + s]
            cuda.syncthreads()
            s //= 2
        if t == 0:
            out[o] = si[0]
        cuda.syncthreads()


def _arg(x: Any, axis: Any, keepdim: bool, want_max: bool, op: str) -> Any:
    if np.dtype(x.dtype).kind not in "fiu":
        raise RuntimeError(f"{op}(): does not support {np.dtype(x.dtype).name} input")
    contiguous(x, op)
    shape = tuple(x.shape)
    if axis is None:
        final = (1,) * len(shape) if keepdim else ()
        a, r, b = 1, x.size, 1
        if r == 0:
            raise IndexError(
                f"{op}(): Expected reduction dim to be specified for input.numel() == 0."
            )
    else:
        if not isinstance(axis, (int, np.integer)):
            raise TypeError(f"{op}(): dim must be an int or None, got {axis!r}")
        (d,) = norm_axes(len(shape), (axis,), op) or (0,)
        a, r, b = prod(shape[:d]), shape[d] if shape else 1, prod(shape[d + 1 :])
        if r == 0:
            raise IndexError(f"{op}(): Expected reduction dim {d} to have non-zero size.")
        kept = [1 if i == d else s for i, s in enumerate(shape)]
        final = tuple(kept) if keepdim else tuple(s for i, s in enumerate(shape) if i != d)
    out = empty((a * b,), np.int64)
    if a * b:
        _arg_kernel[blocks(a * b), pow2_threads(r)](view(x, a, r, b), out, want_max)
    return view(out, final) if final else view(out, ())


def argmax(x: Any, axis: int | None = None, keepdim: bool = False) -> Any:
    """``x.argmax(dim, keepdim)`` as an int64 device array (first index of the max; NaN is
    the max)."""
    return _arg(x, axis, keepdim, True, "argmax")


def argmin(x: Any, axis: int | None = None, keepdim: bool = False) -> Any:
    """``x.argmin(dim, keepdim)`` as an int64 device array (NaN is the min, as in PyTorch)."""
    return _arg(x, axis, keepdim, False, "argmin")
