"""``Tensor.unfold(dimension, size, step)``: every ``size``-long window of one dimension,
``step`` apart, as a new last dimension; a view (shared buffer) as in PyTorch.

Its backward (``UnfoldBackward0``) adds each window's gradient back where the window came
from; that is itself a linear op whose backward is ``unfold`` again, so ``create_graph``
works through both.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import movement as M
from .recording import record
from .tensor import Tensor, _wrap_dim


def _windows(arr: np.ndarray, d: int, size: int, step: int) -> np.ndarray:
    """The strided view: dimension ``d`` becomes the window count, a new last one the
    window (for a 0-d array, one window of the one element)."""
    if arr.ndim == 0:
        return arr.reshape(1)[:size]
    count = (arr.shape[d] - size) // step + 1
    shape = arr.shape[:d] + (count,) + arr.shape[d + 1 :] + (size,)
    strides = arr.strides[:d] + (arr.strides[d] * step,) + arr.strides[d + 1 :] + (arr.strides[d],)
    return np.lib.stride_tricks.as_strided(arr, shape, strides)


def unfold(self: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """Windows of ``size`` along ``dimension``, ``step`` apart (``UnfoldBackward0``)."""
    d = _wrap_dim(dimension, self.dim())
    length = self.shape[d] if self.dim() else 1
    if size > length:
        raise RuntimeError(
            f"maximum size for tensor at dimension {d} is {length} but size is {size}"
        )
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    shape = tuple(self.shape)
    arr = _windows(self._value, d, size, step)
    return M.make_view(
        self, arr, "UnfoldBackward0", lambda g: _unfold_backward(g, shape, d, size, step)
    )


def _unfold_backward(g: Tensor, shape: tuple[int, ...], d: int, size: int, step: int) -> Tensor:
    """The sum of each window's gradient placed back over the input (overlaps add)."""
    out = np.zeros(shape, g._value.dtype)
    if out.ndim == 0:
        out[()] = g._value.sum()  # the one window of 0 or 1 elements
    else:
        view = _windows(out, d, size, step)
        for i in range(view.shape[d]):  # windows overlap: add one window position at a time
            index = (slice(None),) * d + (i,)
            view[index] += g._value[index]
    return record(
        "UnfoldBackwardBackward0", out, g._dtype, (g,), lambda gg: unfold(gg, d, size, step)
    )


METHODS: dict[str, Any] = {"unfold": unfold}
