"""``nonzero`` (``as_tuple`` too), ``argwhere`` and ``x[mask]`` reads on device tensors.

These read the whole input on the host before (NumPy reading the device array: the
simulator lets it, a GPU would fail or copy the mask). Now the coordinates come from
:func:`~jitgrad.kernels.cuda.compact.nonzero`: per-chunk counts and their running sum on the
device (block-wide prefix sums), **one** device-to-host read of the total (the result's
size: PyTorch's CUDA ``nonzero`` synchronizes there too), then each chunk's block writes
its int64 coordinates in row-major order, as PyTorch's. ``as_tuple=True`` is written one
row per dim, so each returned tensor is a contiguous buffer of its own. A 0-d input is a
line of one (PyTorch: ``(count, 0)``; as a tuple, one tensor of positions 0).

``x[mask]`` with a bool device mask of ``x``'s leading shape takes the mask's flat positions
(the same kernel at the mask's size) and reads ``x`` seen as ``(rows, rest)`` at them with
:func:`.selecting._take`'s kernel, recorded as the CPU's ``IndexBackward0`` straight on
``x``: its gradient is ``g`` added into zeros at those rows (``index_add``, device ops, so
``create_graph`` records them). Other keys, a 0-d or host mask or one of another shape, and
complex ``x`` go to :func:`.selecting.getitem` as before (its views, the fallback).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ... import dtypes as D
from ...engine.grad_mode import no_grad
from ...frontend.recording import record
from ...frontend.tensor import Tensor, _make
from ...kernels.cuda import compact as K
from ...kernels.cuda.common import view as buffer_view
from . import runtime, selecting
from .elementwise import on_device


def _bool_buffer(t: Tensor) -> Any:
    """``t != 0`` as a flat contiguous bool device array (NaN counts as nonzero)."""
    v = runtime.contiguous(t._value)
    v = buffer_view(v, (v.size,))  # (numba's reshape of an empty array may refuse)
    return v if t._dtype is D.bool_ else runtime.cast(v, np.bool_)


def _takes(t: Any) -> bool:
    return isinstance(t, Tensor) and on_device(t) and not t._dtype.is_complex


def positions(mask: Tensor) -> Tensor:
    """The flat positions of ``mask``'s set elements (1-D int64 device tensor)."""
    return _make(K.nonzero(_bool_buffer(mask), (max(mask.numel(), 1),), True)[0], D.int64)


def nonzero_tensors(t: Tensor) -> list[Tensor]:
    """One int64 device tensor per dim of ``t`` (at least 1-D): the coordinates of its
    nonzero elements, each a contiguous buffer (``nonzero(as_tuple=True)``)."""
    rows = K.nonzero(_bool_buffer(t), tuple(t.shape) or (1,), True)
    return [_make(rows[j], D.int64) for j in range(rows.shape[0])]


def nonzero(input: Any, *, as_tuple: bool = False) -> Any:  # noqa: A002
    """``torch.nonzero`` / ``Tensor.nonzero`` on the device (module docstring)."""
    if not _takes(input) or type(as_tuple) is not bool:
        return NotImplemented
    if as_tuple:
        return tuple(nonzero_tensors(input))
    coords = K.nonzero(_bool_buffer(input), tuple(input.shape) or (1,))
    if not input.dim():
        coords = runtime.empty((coords.shape[0], 0), np.int64)
    return _make(coords, D.int64)


def argwhere(input: Any) -> Any:  # noqa: A002
    """``torch.argwhere``: PyTorch's is ``nonzero``."""
    return nonzero(input)


def getitem(x: Any, key: Any) -> Any:
    """``x[mask]`` with a bool device mask (module docstring); other keys are
    :func:`.selecting.getitem`'s."""
    plain = isinstance(key, Tensor) and key._dtype is D.bool_ and key.dim() > 0
    if not plain or not _takes(x) or not on_device(key) or key.shape != x.shape[: key.dim()]:
        return selecting.getitem(x, key)  # (as before: its views, or the CPU op's errors)
    shape, k = tuple(x.shape), key.dim()
    rows, rest = math.prod(shape[:k]), shape[k:]
    index = positions(key)
    with no_grad():
        taken = selecting.getitem(x.reshape((rows, *rest)), index)
    if taken is NotImplemented:
        return taken

    def backward(g: Tensor) -> Tensor:
        if not index.numel():  # (nothing was read)
            return g.new_zeros(shape)
        return g.new_zeros((rows, *rest)).index_add(0, index, g).reshape(shape)

    return record("IndexBackward0", taken._value, x._dtype, [x], backward, saved=[key])


NATIVE: dict[str, Any] = {
    "nonzero": nonzero,
    "argwhere": argwhere,
    "__getitem__": getitem,
}
