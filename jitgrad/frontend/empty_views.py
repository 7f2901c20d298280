"""Basic slicing that keeps an empty view's place in its storage.

NumPy sets the data pointer of an empty slice to the start of the sliced axis (``a[3:3]``
points at ``a[0]``), so ``storage_offset()`` and ``torch.save`` of an empty view read 0
where PyTorch keeps the view's real offset (``x[3:3].storage_offset() == 3``, and the file
carries it). :func:`sliced` gives the view NumPy gives, re-pointed at its offset when it is
empty; a non-empty result is returned as NumPy made it (one size test on that path).
"""

from __future__ import annotations

import operator

import numpy as np


def sliced(arr: np.ndarray, key: tuple) -> np.ndarray:
    """``arr[key + (...,)]`` for a basic-index ``key`` (ints, slices, None)."""
    out = arr[key + (...,)]
    if out.size or not arr.size or not isinstance(out, np.ndarray):
        return out
    offset = _offset_bytes(arr, key)
    root = arr
    while isinstance(root.base, np.ndarray):
        root = root.base
    if offset is None or not root.flags.c_contiguous:
        return out
    start = arr.__array_interface__["data"][0] - root.__array_interface__["data"][0] + offset
    if not 0 <= start <= root.nbytes:
        return out
    flat = root.reshape(-1).view(np.uint8)
    return np.ndarray(out.shape, out.dtype, flat, start, out.strides)


def _offset_bytes(arr: np.ndarray, key: tuple) -> int | None:
    """Bytes from ``arr``'s first element to ``arr[key]``'s, as PyTorch counts them (a
    slice's start clamped into its axis); None for a key this does not read."""
    offset, dim = 0, 0
    for item in key:
        if item is None:
            continue
        if dim >= arr.ndim:
            return None
        n, step = arr.shape[dim], arr.strides[dim]
        if isinstance(item, slice):
            offset += item.indices(n)[0] * step
        elif isinstance(item, bool | np.bool_):
            return None
        else:
            try:
                i = operator.index(item)
            except TypeError:
                return None
            offset += (i % n if n else 0) * step
        dim += 1
    return offset
