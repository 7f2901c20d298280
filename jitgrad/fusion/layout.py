"""Views that let one generated loop nest serve every operand of an elementwise kernel.

Each operand (input, output or gradient buffer) is viewed with the full iteration shape;
broadcast dimensions get stride 0 (so an accumulating store into such a view sums over that
dimension). Dimensions of size 1 are dropped and adjacent dimensions that are contiguous for
every operand are merged, so most kernels run as a flat 1-D loop.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.lib.stride_tricks import as_strided


def iteration_views(
    shape: tuple[int, ...], arrays: Sequence[np.ndarray]
) -> tuple[list[np.ndarray], int]:
    """Views of ``arrays`` (each broadcastable to ``shape``) over a collapsed iteration space.

    Returns the views and their common ndim (at least 1).
    """
    if all(a.shape == shape and a.flags.c_contiguous for a in arrays):
        if len(shape) == 1:
            return list(arrays), 1
        return [a.reshape(-1) for a in arrays], 1
    nd = len(shape)
    elem_strides = []
    for a in arrays:
        lead = nd - a.ndim
        st = [0] * lead
        for s, n in zip(a.strides, a.shape, strict=True):
            st.append(s // a.itemsize if n != 1 else 0)
        elem_strides.append(st)
    merged_shape: list[int] = []
    merged: list[list[int]] = [[] for _ in arrays]
    for d in range(nd):
        n = shape[d]
        if n == 1:
            continue
        if merged_shape and all(
            m[-1] == st[d] * n for m, st in zip(merged, elem_strides, strict=True)
        ):
            merged_shape[-1] *= n
            for m, st in zip(merged, elem_strides, strict=True):
                m[-1] = st[d]
            continue
        merged_shape.append(n)
        for m, st in zip(merged, elem_strides, strict=True):
            m.append(st[d])
    if not merged_shape:
        merged_shape = [1]
        merged = [[0] for _ in arrays]
    views = [
        as_strided(
            a, tuple(merged_shape), tuple(s * a.itemsize for s in m), writeable=a.flags.writeable
        )
        for a, m in zip(arrays, merged, strict=True)
    ]
    return views, len(merged_shape)
