"""Running sums and products along one axis (cumsum, cumprod, cumsum's reverse for its
gradient).

The array is seen as ``(A, R, B)``, the scanned axis ``R`` in the middle; one thread per
``(a, b)`` line (threads loop over lines with a grid stride) walks its line in order, carrying
the running value in the array's dtype. That is the CPU kernel's order (``_cumsum`` in
``kernels/cpu/reduce_softmax.py``: ``0 + x_0``, then ``+ x_1`` ...; ``np.cumprod``: ``x_0``,
then ``* x_1`` ...), so results are bitwise the CPU's, deterministic, with no atomics. A long
line is one thread's serial work: a parallel (blocked) scan would change the rounding order.
Input and output have one dtype (the caller casts first: cumsum of ints runs in int64).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import cuda

from .common import check_out, contiguous, elementwise_grid, view

__all__ = ["scan", "SUM", "PROD"]

#: scan operations (plain ints: the kernel branches on them)
SUM, PROD = 0, 1


@cuda.jit
def _scan_kernel(x, out, R, B, op, rev, start):
    # x, out: flat (A * R * B) arrays of one dtype; start: 0 (a sum) or 1 (a product) in it.
    lines = x.size // R
    i = cuda.grid(1)
    stride = cuda.gridsize(1)
    while i < lines:
        a = i // B
        p = a * R * B + (i - a * B)  # the line's first element
        acc = start
        for k in range(R):
            r = R - 1 - k if rev else k
            q = p + r * B
            if op == 0:
                acc = acc + x[q]
            elif k == 0:
                acc = x[q]
            else:
                acc = acc * x[q]
            out[q] = acc
        i += stride


def scan(x: Any, shape3: tuple[int, int, int], op: int = SUM, reverse: bool = False,
         out: Any = None) -> Any:  # fmt: skip
    """The running sum (or product) of the contiguous device array ``x`` along the middle axis
    of its ``(A, R, B)`` view ``shape3`` (from the end when ``reverse``): an array of ``x``'s
    shape and dtype."""
    contiguous(x, "scan")
    dt = np.dtype(x.dtype)
    out = check_out(out, tuple(x.shape), dt, "scan")
    a, r, b = (int(n) for n in shape3)
    if a * r * b != x.size:
        raise ValueError(f"scan: {tuple(x.shape)} is no view of {shape3}")
    if x.size:
        grid, threads = elementwise_grid(a * b)
        start = dt.type(0 if op == SUM else 1)
        _scan_kernel[grid, threads](view(x, x.size), view(out, x.size), r, b, op, reverse, start)
    return out
