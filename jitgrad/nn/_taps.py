"""Per-dim taps in compressed rows and their application: the CPU side of ``F.interpolate``
(:mod:`.upsample`) and of the 3-d adaptive average pool (:mod:`._functional_pool3d`, whose
windows are taps of weight ``1/len``), so each output reads only its own inputs (a NaN
reaches only the outputs whose windows hold it, as in PyTorch; a dense averaging matrix
spread it over the whole row, at O(out * in) a row). The CUDA backend applies the same taps
(``backends/cuda/nn_resample.py``).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ..frontend.copying import contiguous_array
from ..frontend.recording import record
from ..frontend.tensor import Tensor
from ..kernels.cpu import resample as RK


class Taps(NamedTuple):
    """One dim's taps in compressed rows: output ``o`` reads inputs ``cols[ptr[o]:ptr[o+1]]``
    with ``weights[...]`` (in PyTorch's tap order, zero weights and clamped repeats kept),
    out of ``n_in`` inputs."""

    ptr: np.ndarray
    cols: np.ndarray
    weights: np.ndarray
    n_in: int

    @property
    def n_out(self) -> int:
        return len(self.ptr) - 1


def windows(start: np.ndarray, end: np.ndarray, n_in: int, dt: np.dtype) -> Taps:
    """Output ``o`` the mean of inputs ``start[o]:end[o]`` (adaptive pooling's windows)."""
    lengths = (end - start).astype(np.int64)
    ptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    cols = np.concatenate([np.arange(s, e, dtype=np.int64) for s, e in zip(start, end)])
    weights = np.repeat((1 / lengths).astype(dt), lengths)
    return Taps(ptr, cols, weights, n_in)


def transposed(t: Taps) -> Taps:
    """The backward's rows: input ``i`` gathers every (output, weight) tap that reads it, in
    output order (a stable sort), as PyTorch's one-thread scatter adds them."""
    order = np.argsort(t.cols, kind="stable")
    rows = np.repeat(np.arange(t.n_out, dtype=np.int64), np.diff(t.ptr))
    ptr = np.searchsorted(t.cols[order], np.arange(t.n_in + 1)).astype(np.int64)
    return Taps(ptr, rows[order], t.weights[order], t.n_out)


def resample_taps(x: Tensor, taps: list[Taps], name: str) -> Tensor:
    """``taps[k]`` applied along spatial dim k (the trailing dims), last dim first (PyTorch's
    nesting: the innermost dim's taps sum first), as one node named ``name``; its backward
    applies the transposed taps (and is differentiable again)."""
    v = contiguous_array(x._value, x._dtype)
    shape = list(v.shape)
    first = len(shape) - len(taps)
    for k in reversed(range(len(taps))):
        axis, t = first + k, taps[k]
        outer, inner = math.prod(shape[:axis]), math.prod(shape[axis + 1 :])
        out = np.empty((outer, t.n_out, inner), v.dtype)
        RK.apply_taps(v.reshape(outer, shape[axis], inner), t.ptr, t.cols,
                      t.weights.astype(v.dtype, copy=False), out)  # fmt: skip
        shape[axis] = t.n_out
        v = out.reshape(shape)
    back = [transposed(t) for t in taps]
    return record(name, v, x._dtype, (x,), lambda g: (resample_taps(g, back, name),))
