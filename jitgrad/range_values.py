"""``torch.arange``'s floating-point values, bit for bit as PyTorch's CPU kernel writes them.

PyTorch computes ``start + step * i`` in the accumulate type (double for float32/float64,
float for float16/bfloat16) and rounds to the result dtype, but not quite element by element:
its vectorised loop writes pairs of ``32 // itemsize``-lane vectors, each lane
``base + k * step`` with ``base = start + step * i0`` first rounded to the result dtype; the
elements past the last whole pair take the scalar formula. The compiler contracts both
``a + b * c`` forms into fused multiply-adds (one rounding). A plain ``start + i * step``
misses PyTorch's last bit on about a third of a long float32 range; this model matched every
element of the ranges recorded (tests/fixtures/creation_legacy_torch.json). Ranges past
32768 elements are split across PyTorch's threads, which moves where its pairs start; those
are modelled as one thread's.
"""

from __future__ import annotations

import numpy as np

from . import dtypes as D
from .lowp import round_bfloat16, round_float16

_SPLIT = 134217729.0  # 2**27 + 1: Dekker's splitter for doubles


def _two_prod(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``a * b`` as an unevaluated sum ``p + e`` of two doubles, exactly (Dekker)."""
    p = a * b
    ta = _SPLIT * a
    ah = ta - (ta - a)
    al = a - ah
    tb = _SPLIT * b
    bh = tb - (tb - b)
    bl = b - bh
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def _fma64(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """``a * b + c`` with one rounding (up to a rare double-rounding tie), in doubles."""
    p, e = _two_prod(a, b)
    s = p + c
    bv = s - p
    err = (p - (s - bv)) + (c - bv)
    return s + (err + e)


def _fma(a: np.ndarray, b: np.ndarray, c: np.ndarray, acc: type) -> np.ndarray:
    if acc is np.float64:
        return _fma64(a, b, c)
    # float accumulate: the float32 product is exact in double, one rounding to float32
    return (a.astype(np.float64) * b + c).astype(np.float32)


def _round(a: np.ndarray, dt: D.dtype) -> np.ndarray:
    """``a`` rounded to ``dt``'s values (kept in the accumulate type)."""
    if dt is D.bfloat16:
        return round_bfloat16(a.astype(np.float32)).astype(a.dtype)
    if dt is D.float16:
        return round_float16(a.astype(np.float32)).astype(a.dtype)
    return a.astype(dt.np).astype(a.dtype)


def float_range(start: float, step: float, n: int, dt: D.dtype) -> np.ndarray:
    """The ``n`` values of ``arange(start, ..., step, dtype=dt)`` for a floating ``dt``."""
    acc = np.float64 if dt in (D.float32, D.float64) else np.float32
    s, st = acc(start), acc(step)
    idx = np.arange(n, dtype=np.int64)
    out = _fma(np.full(n, st, acc), idx.astype(acc), np.full(n, s, acc), acc)
    lanes = 32 // dt.itemsize
    whole = (n // (2 * lanes)) * 2 * lanes
    k = idx[:whole] % lanes
    base = _round(_fma(np.full(whole, st, acc), (idx[:whole] - k).astype(acc), s, acc), dt)
    out[:whole] = _fma(k.astype(acc), np.full(whole, st, acc), base, acc)
    return _round(out, dt).astype(dt.np)
