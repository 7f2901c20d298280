"""Counter-based random numbers on the device: Philox-4x32-10, and the dropout keep mask.

Philox (Salmon, Moraes, Dror, Shaw: "Parallel random numbers: as easy as 1, 2, 3", SC 2011;
the generator PyTorch's CUDA backend and cuRAND use) maps a 128-bit counter and a 64-bit key
to four independent 32-bit words with ten rounds of multiplies and xors. Being a pure
function of (key, counter), it needs no state on the device: element ``i`` of a draw takes
counter ``(i, 0, offset_lo, offset_hi)`` under key ``(seed_lo, seed_hi)``, so any thread
computes any element, in any order, with the same result, and a draw is reproducible from
``(seed, offset)`` alone. The caller advances ``offset`` by one per draw (see
:mod:`jitgrad.backends.cuda.random`), so successive draws never reuse a counter.

Arithmetic is on uint64 holding 32-bit words (``& MASK``): a 32x32-bit product fits in 64
bits, which gives the high and low halves Philox needs without a mulhi intrinsic, and the
simulator (plain numpy) computes the same bits as the GPU.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import cuda

from .common import contiguous, elementwise_grid, view

__all__ = ["philox", "dropout_mask", "uniform"]

MASK = np.uint64(0xFFFFFFFF)
SHIFT = np.uint64(32)
M0 = np.uint64(0xD2511F53)
M1 = np.uint64(0xCD9E8D57)
W0 = np.uint64(0x9E3779B9)
W1 = np.uint64(0xBB67AE85)


@cuda.jit(device=True)
def philox(c0, c1, c2, c3, k0, k1):
    # Philox-4x32-10 of counter (c0, c1, c2, c3) under key (k0, k1): 32-bit words in uint64.
    for _ in range(10):
        p0 = M0 * c0
        p1 = M1 * c2
        n0 = ((p1 >> SHIFT) ^ c1 ^ k0) & MASK
        n2 = ((p0 >> SHIFT) ^ c3 ^ k1) & MASK
        c1 = p1 & MASK
        c3 = p0 & MASK
        c0 = n0
        c2 = n2
        k0 = (k0 + W0) & MASK
        k1 = (k1 + W1) & MASK
    return c0, c1, c2, c3


@cuda.jit
def _dropout_mask_kernel(out, threshold, scale, zero, k0, k1, o0, o1):
    # out[i] = scale if word(i) < threshold else zero: word(i) is Philox's first 32-bit word
    # for counter (i_lo, i_hi, o0, o1), uniform on [0, 2**32), so an element is kept with
    # probability threshold / 2**32 (integer compare: no float conversion); i is a 64-bit
    # flat index (grid-stride loop)
    start, step = cuda.grid(1), cuda.gridsize(1)
    for i in range(start, out.size, step):
        c = np.uint64(i)
        r0, _r1, _r2, _r3 = philox(c & MASK, c >> SHIFT, o0, o1, k0, k1)
        out[i] = scale if r0 < threshold else zero


def dropout_mask(out: Any, p: float, seed: int, offset: int) -> Any:
    """Fill the contiguous float device array ``out`` with dropout's scaled keep mask: each
    element ``1 / (1 - p)`` with probability ``1 - p``, else 0, drawn by Philox under
    ``seed`` at draw ``offset`` (both 64-bit)."""
    dt = np.dtype(out.dtype).type
    threshold = np.uint64(min(round((1.0 - p) * 4294967296.0), 4294967296))
    args = (threshold, dt(1.0 / (1.0 - p)), dt(0))
    return _draw(_dropout_mask_kernel, "dropout_mask", out, args, seed, offset)


@cuda.jit
def _uniform_kernel(out, low, scale, shift, k0, k1, o0, o1):
    # out[i] = low + scale * bits(i): bits(i) is the top 64 - shift bits of Philox's first two
    # words for counter (i_lo, i_hi, o0, o1) (24 for float32, 53 for float64: exact in the
    # out dtype, so the store converts without rounding and the rest is dtype arithmetic)
    start, step = cuda.grid(1), cuda.gridsize(1)
    for i in range(start, out.size, step):
        c = np.uint64(i)
        r0, r1, _r2, _r3 = philox(c & MASK, c >> SHIFT, o0, o1, k0, k1)
        out[i] = ((r0 << SHIFT) | r1) >> shift
        out[i] = low + out[i] * scale


def uniform(out: Any, low: float, high: float, seed: int, offset: int) -> Any:
    """Fill the contiguous float32/float64 device array ``out`` with draws uniform on
    ``[low, high]`` (a grid of ``2**24`` or ``2**53`` steps, the mantissa's precision), by
    Philox under ``seed`` at draw ``offset``; element ``i`` depends only on those and ``i``."""
    dt = np.dtype(out.dtype)
    bits = np.finfo(dt).nmant + 1
    args = (dt.type(low), dt.type((high - low) / 2.0**bits), np.uint64(64 - bits))
    return _draw(_uniform_kernel, "uniform", out, args, seed, offset)


def _draw(kernel: Any, name: str, out: Any, args: tuple, seed: int, offset: int) -> Any:
    """Launch a drawing kernel ``kernel(out, *args, k0, k1, o0, o1)`` over contiguous ``out``:
    the key is ``seed``'s two 32-bit words, the counter's high half ``offset``'s."""
    contiguous(out, name)
    n = out.size
    if n:
        words = [np.uint64(v) for v in _split(seed) + _split(offset)]
        blocks, threads = elementwise_grid(n)
        kernel[blocks, threads](view(out, n), *args, *words)
    return out


def _split(v: int) -> tuple[int, int]:
    v &= (1 << 64) - 1
    return v & 0xFFFFFFFF, v >> 32
