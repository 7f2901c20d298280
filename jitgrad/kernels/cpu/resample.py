"""Per-dim taps applied along one axis: ``F.interpolate``'s CPU kernel, forward and backward.

Interpolation is separable: along each spatial dim output ``o`` is a short weighted sum of
input rows (its taps: nearest 1, linear 2, bicubic 4). The plan
(:func:`jitgrad.nn.upsample.interpolation`, shared with the CUDA kernel
``kernels/cuda/resample.py``) keeps each dim's taps in compressed rows: row ``o``'s input
indices ``cols[ptr[o]:ptr[o + 1]]`` and weights ``weights[...]``, in PyTorch's tap order,
zero weights and repeated (clamped) indices kept, because PyTorch reads them too (``0 * nan``
is NaN there; ``w1 * inf + w2 * inf`` is not ``(w1 + w2) * inf``). The sum starts from the
first tap's product, as PyTorch's ``output = t * w; output += ...`` does. The backward runs the
same kernel over the transposed rows: a gather, each input row adding the outputs that read
it in output order (PyTorch's single-thread scatter order), deterministic.

Layout contract: ``x`` C-contiguous ``(P, n_in, Q)``, ``out`` ``(P, n_out, Q)`` preallocated.
A row with no taps (an input no output reads, in a backward) is zero. Rows ``(p, o)`` are
independent: planes split across threads (:func:`.workers.by_planes`) give the same bits.
"""

from __future__ import annotations

from . import workers
from .jit import cached_njit

_JIT = {"error_model": "numpy"}

__all__ = ["apply_taps"]


@cached_njit(**_JIT, inline="always")
def _line(x, ptr, cols, weights, p, out):
    # the last dim (Q = 1): out[p, o, 0] one scalar sum of o's taps, for every o
    for o in range(out.shape[1]):
        start, end = ptr[o], ptr[o + 1]
        acc = x[p, cols[start], 0] * weights[start] if start < end else out.dtype.type(0)
        for j in range(start + 1, end):
            acc += x[p, cols[j], 0] * weights[j]
        out[p, o, 0] = acc


@cached_njit(**_JIT, inline="always")
def _row(x, ptr, cols, weights, p, o, out):
    # out[p, o, :] = sum over o's taps j of weights[j] * x[p, cols[j], :], in tap order
    q_len = out.shape[2]
    start, end = ptr[o], ptr[o + 1]
    if start == end:
        for q in range(q_len):
            out[p, o, q] = 0
        return
    w, c = weights[start], cols[start]
    for q in range(q_len):
        out[p, o, q] = x[p, c, q] * w
    for j in range(start + 1, end):
        w, c = weights[j], cols[j]
        for q in range(q_len):
            out[p, o, q] += x[p, c, q] * w


@cached_njit(**_JIT, nogil=True)
def _apply(x, p0, p1, ptr, cols, weights, out):
    # planes [p0, p1): the whole range in one call, or a thread's share (workers.by_planes)
    if out.shape[2] == 1:  # a row of scalars a plane: its own loop (~7 ns an output saved)
        for p in range(p0, p1):
            _line(x, ptr, cols, weights, p, out)
    else:
        for p in range(p0, p1):
            for o in range(out.shape[1]):
                _row(x, ptr, cols, weights, p, o, out)


def apply_taps(x, ptr, cols, weights, out) -> None:
    """Fill ``out`` ``(P, n_out, Q)`` from ``x`` ``(P, n_in, Q)`` through the compressed
    rows; planes split across the thread pool from ``helpers.PARALLEL_THRESHOLD`` output
    elements (:func:`.workers.by_planes`: no ``prange`` twin to compile)."""
    if out.size:
        workers.by_planes(_apply, out.size)(x, ptr, cols, weights, out)
