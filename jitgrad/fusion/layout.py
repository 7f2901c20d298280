"""Views that let one generated loop nest serve every operand of an elementwise kernel.

Each operand (input, output or gradient buffer) is viewed with the full iteration shape;
broadcast dimensions get stride 0 (so an accumulating store into such a view sums over that
dimension). Dimensions of size 1 are dropped and adjacent dimensions that are contiguous for
every operand are merged, so most kernels run as a flat 1-D loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided


def iteration_views(
    shape: tuple[int, ...], arrays: Sequence[np.ndarray]
) -> tuple[list[np.ndarray], int]:
    """Views of ``arrays`` (each broadcastable to ``shape``) over a collapsed iteration space.

    Returns the views and their common ndim (0 only for a 0-d ``shape``, whose kernel reads
    the arrays as they are: cheaper than a reshape each). The layout depends only on the
    operands' shapes, strides and item sizes, so it is worked out once per combination.
    """
    for a in arrays:  # a loop, not all(...): a generator costs a frame per operand
        if a.shape != shape:
            break
    else:
        if len(shape) < 2:  # any strides serve a 1-D loop as they are; 0-d needs no loop
            return list(arrays), len(shape)
        if all(a.flags.c_contiguous for a in arrays):
            return [a.reshape(-1) for a in arrays], 1
    key = (shape, *[(a.shape, a.strides, a.itemsize) for a in arrays])
    recipe = _recipes.get(key)
    if recipe is None:
        if len(_recipes) >= _MAX_RECIPES:
            _recipes.clear()
        recipe = _recipes[key] = _recipe(shape, arrays)
    merged_shape, how = recipe
    views = []
    for a, h in zip(arrays, how, strict=True):
        if h is None:
            views.append(a)
        elif h is _RESHAPE:
            views.append(a.reshape(merged_shape))
        elif h[0]:  # C-contiguous base: a strided ndarray over its buffer (~10x as_strided)
            views.append(np.ndarray(merged_shape, a.dtype, buffer=a, strides=h[1]))
        else:
            views.append(as_strided(a, merged_shape, h[1], writeable=a.flags.writeable))
    return views, len(merged_shape)


_RESHAPE = "reshape"
_MAX_RECIPES = 4096
#: (shape, (shape, strides, itemsize) per operand) -> (merged shape, how to view each operand)
_recipes: dict[tuple, tuple] = {}


def _recipe(shape: tuple[int, ...], arrays: Sequence[np.ndarray]) -> tuple:
    """Merge dimensions that are contiguous for every operand; say how to view each."""
    nd = len(shape)
    elem_strides = []
    for a in arrays:
        st = [0] * (nd - a.ndim)
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
    return tuple(merged_shape), [
        _how(a, merged_shape, m) for a, m in zip(arrays, merged, strict=True)
    ]


def _how(a: np.ndarray, shape: list[int], elem_strides: list[int]) -> Any:
    """None (``a`` as it is), reshape (dense in the merged order) or strides to view with."""
    strides = tuple([s * a.itemsize for s in elem_strides])
    if a.strides == strides and a.shape == tuple(shape):
        return None
    dense = a.itemsize
    for n, s in zip(reversed(shape), reversed(strides), strict=True):
        if s != dense:
            return (bool(a.flags.c_contiguous), strides)
        dense *= n
    return _RESHAPE
