"""A view's region of its C-contiguous root as a differentiable tensor (``as_strided``).

Writing ``t[key] = v`` into a view with autograd on rebases the view's root (as PyTorch does);
the view then reads its region of the rebased root through :func:`strided`
(``AsStridedBackward0``), whose backward embeds the gradient in zeros of the root's shape.
"""

from __future__ import annotations

import numpy as np

from .copying import contiguous_array, copy_into
from .recording import record
from .tensor import Tensor, _make
from .views import make_view


def geometry(view: np.ndarray, root: np.ndarray) -> tuple:
    """``view`` as (shape, element strides, element offset) into C-contiguous ``root``."""
    item = root.itemsize
    offset = view.__array_interface__["data"][0] - root.__array_interface__["data"][0]
    return view.shape, tuple(st // item for st in view.strides), offset // item


def strided(t: Tensor, geom: tuple) -> Tensor:
    """The region ``geom`` of ``t`` laid out C-contiguously (``AsStridedBackward0``)."""
    shape, strides, offset = geom
    flat = contiguous_array(t._value, t._dtype).reshape(-1)
    arr = np.lib.stride_tricks.as_strided(
        flat[offset:], shape, tuple(st * flat.itemsize for st in strides)
    )
    tshape = t.shape
    if np.shares_memory(flat, t._value):
        return make_view(t, arr, "AsStridedBackward0", lambda g: _strided_embed(g, tshape, geom))
    return record(
        "AsStridedBackward0", arr, t._dtype, (t,), lambda g: _strided_embed(g, tshape, geom)
    )


def _strided_embed(g: Tensor, shape: tuple[int, ...], geom: tuple) -> Tensor:
    """Zeros of ``shape`` with ``g`` written at region ``geom`` (the backward of strided)."""
    out = np.zeros(shape, g._dtype.np)
    region = strided(_make(out, g._dtype), geom)._value
    copy_into(region, g._value, g._dtype)
    return record("AsStridedBackwardBackward0", out, g._dtype, (g,), lambda gg: strided(gg, geom))
