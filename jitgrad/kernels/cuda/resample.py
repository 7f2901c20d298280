"""Per-dim taps applied along one axis: ``F.interpolate``'s device kernel, forward and
backward.

The interpolation plan (:func:`jitgrad.nn.upsample.interpolation`, shared with the CPU kernel
``kernels/cpu/resample.py``) is separable: along each spatial dim output ``o`` is a weighted
sum of a few input rows (nearest 1, linear 2, bicubic 4 taps), kept in compressed rows
(``ptr``, ``cols``, ``weights``: row ``o``'s taps are ``ptr[o]`` to ``ptr[o + 1]``, in
PyTorch's tap order, zero weights and repeated clamped indices kept, as PyTorch reads them).
A thread per output element sums its row's taps in that order. The backward is the same
kernel over the transposed rows, a gather: each input element's thread adds the outputs that
read it, in output order, with no atomics (PyTorch's CUDA backward scatters with atomic adds,
so its bits vary run to run; these do not).

A grid-stride loop over the output with 64-bit positions (``out.size`` is an int64).
"""

from __future__ import annotations

from typing import Any

from numba import cuda

from .common import elementwise_grid, empty

__all__ = ["apply_rows"]


@cuda.jit
def _rows_kernel(x, ptr, cols, weights, zero, out):
    # out[p, o, q] = sum of weights[j] * x[p, cols[j], q] for j from ptr[o] to ptr[o + 1] - 1
    n_out, inner = out.shape[1], out.shape[2]
    start, step = cuda.grid(1), cuda.gridsize(1)
    for k in range(start, out.size, step):
        q = k % inner
        r = k // inner
        o = r % n_out
        p = r // n_out
        acc = zero
        for j in range(ptr[o], ptr[o + 1]):
            acc += weights[j] * x[p, cols[j], q]
        out[p, o, q] = acc


def apply_rows(x: Any, rows: tuple, n_out: int) -> Any:
    """``(P, n_in, Q)`` -> ``(P, n_out, Q)``: the matrix in compressed rows ``rows`` = (ptr,
    cols, weights, zero: the weights' dtype's 0) applied along the middle axis."""
    ptr, cols, weights, zero = rows
    out = empty((x.shape[0], n_out, x.shape[2]), x.dtype)
    if out.size:
        grid, threads = elementwise_grid(out.size)
        _rows_kernel[grid, threads](x, ptr, cols, weights, zero, out)
    return out
