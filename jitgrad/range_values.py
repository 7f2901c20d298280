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

import math
from itertools import repeat
from typing import Any

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


def _halves(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The first half's mask (``i < n // 2``), ``i``, and ``n - 1 - i``, as int64."""
    idx = np.arange(n, dtype=np.int64)
    return idx < n // 2, idx, n - 1 - idx


def linspace_values(start: float, end: float, n: int, dt: D.dtype) -> np.ndarray:
    """``linspace(start, end, n, dtype=dt)`` bit for bit as PyTorch's CPU kernel writes it.

    ``step = (end - start) / (n - 1)`` in ``dt`` (in double for integer dtypes), with
    ``start``/``end`` first cast to ``dt``; then ``start + step * i`` below ``n // 2`` and
    ``end - step * (n - 1 - i)`` from there, each contracted to one fused multiply-add as the
    kernel's compiler does (float16/bfloat16 round after each operation instead); integers
    truncate. So a float32 ``linspace(-5, 5, 15)`` has -1.19e-07 where float64 has 0.
    """
    if dt.is_complex:  # computed in double (not modelled bit for bit)
        return np.linspace(start, end, n).astype(dt.np)
    if n == 1:
        return _filled(float(start), dt)
    low, i, j = _halves(n)
    if dt in D.REDUCED:
        def r(v: Any) -> np.ndarray:
            return dt.round(np.array(v, np.float32).reshape(-1))

        s, e = (r(_cast_scalar(v, dt)) for v in (start, end))
        step = r(r(e - s) / r(n - 1))
        first = r(s + r(step * r(i.astype(np.float32))))
        second = r(e - r(step * r(j.astype(np.float32))))
        return np.where(low, first, second)
    acc = dt.np.type if dt.is_floating_point else np.float64
    s, e = (acc(_cast_scalar(v, dt)) for v in (start, end))
    step, h = (e - s) / acc(n - 1), n // 2
    first = _fma(np.full(h, step, acc), i[:h].astype(acc), np.full(h, s, acc), acc)
    second = _fma(np.full(n - h, -step, acc), j[h:].astype(acc), np.full(n - h, e, acc), acc)
    return np.concatenate([first, second]).astype(dt.np)


def _cast_scalar(v: float, dt: D.dtype) -> float:
    """``Scalar::to<scalar_t>()``: ``v`` rounded to ``dt`` (truncated for integers)."""
    if not dt.is_floating_point:
        return float(int(v))
    a = np.array([v], np.float32 if dt in D.REDUCED else dt.np)
    return float(dt.round(a)[0] if dt in D.REDUCED else a[0])


def logspace_values(start: float, end: float, n: int, base: float, dt: D.dtype) -> np.ndarray:
    """``logspace(start, end, n, base, dtype=dt)`` as PyTorch's CPU code writes it: the
    exponents as ``linspace`` takes them but in double (``start``/``end`` cast to ``dt``
    first; this loop is not built with FMA, so no contraction), ``pow`` in double (libm's, as
    ``math.pow``: numpy's vectorised power differs in the last bit), then cast to ``dt``."""
    if dt.is_complex:  # computed in double (not modelled bit for bit)
        return np.power(base, np.linspace(start, end, n)).astype(dt.np)
    if n == 1:
        return _filled(math.pow(base, float(start)), dt)
    s, e = (_cast_scalar(v, dt) for v in (start, end))
    step = _cast_scalar(e - s, dt) / (n - 1)  # the difference is taken in ``dt``
    low, i, j = _halves(n)
    x = np.where(low, s + step * i, e - step * j)
    return _filled(np.fromiter(map(math.pow, repeat(float(base)), x.tolist()), np.float64, n), dt)


def _filled(v: Any, dt: D.dtype) -> np.ndarray:
    """Double value(s) ``v`` stored into a ``dt`` array (rounded, or truncated to integers)."""
    out = np.asarray(v, np.float64).reshape(-1)
    return dt.round(out.astype(np.float32)) if dt in D.REDUCED else out.astype(dt.np)
