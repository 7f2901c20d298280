"""The sorting kernels (``jitgrad/kernels/cuda/sort.py``) against NumPy: the stable merge sort
of every line (ties in input order, NaN last, descending NaN first), cummax/cummin's running
extremes with the later index on ties, and the blocked running sum and compaction (with tiny
chunks, so three levels of blocking run)."""

from __future__ import annotations

import numpy as np
import pytest
from kern_common import SIM  # noqa: F401 - (its module-level skip without a GPU or simulator)
from numba import cuda

from jitgrad.kernels.cuda import sort as K

SHAPES = [(1, 1, 1), (2, 3, 1), (1, 7, 2), (3, 33, 1), (2, 16, 3), (1, 100, 1)]


def _lines(shape3, seed, nan=True):
    rng = np.random.default_rng(seed)
    x = (rng.integers(-3, 4, shape3) * 0.5).astype(np.float32)  # many ties
    if nan and x.size > 4:
        x.reshape(-1)[rng.integers(0, x.size, 3)] = np.nan
    return x


def _stable(x, descending):
    """NumPy's stable order along axis 1 with PyTorch's NaN and descending rules."""
    if not descending:
        return np.argsort(x, axis=1, kind="stable")
    n = x.shape[1]
    return (n - 1) - np.flip(np.argsort(np.flip(x, 1), axis=1, kind="stable"), 1)


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("shape3", SHAPES)
def test_sort_lines_is_stable(shape3, descending):
    x = _lines(shape3, sum(shape3))
    values, idx = K.sort_lines(cuda.to_device(x), shape3, descending)
    want = _stable(x, descending)
    np.testing.assert_array_equal(idx.copy_to_host(), want)
    np.testing.assert_array_equal(values.copy_to_host(), np.take_along_axis(x, want, 1))


def test_sort_lines_int_keys():
    x = np.random.default_rng(0).integers(-5, 5, (3, 40, 2))
    values, idx = K.sort_lines(cuda.to_device(x), x.shape, True)
    np.testing.assert_array_equal(idx.copy_to_host(), _stable(x, True))
    np.testing.assert_array_equal(values.copy_to_host(), -np.sort(-x, axis=1))


@pytest.mark.parametrize("take_max", [True, False])
def test_cum_extreme_later_index_on_ties_and_nan_stays(take_max):
    x = _lines((2, 9, 3), 5)
    vals, where = K.cum_extreme(cuda.to_device(x), x.shape, take_max)
    best, at = x[:, 0].copy(), np.zeros((2, 3), np.int64)
    for r in range(9):  # the CPU's loop
        v = x[:, r]
        better = (v >= best) if take_max else (v <= best)
        better = (better & ~np.isnan(best)) | np.isnan(v)
        best, at = np.where(better, v, best), np.where(better, r, at)
        np.testing.assert_array_equal(vals.copy_to_host()[:, r], best)
        np.testing.assert_array_equal(where.copy_to_host()[:, r], at)


@pytest.mark.parametrize("n", [1, 4, 5, 17, 64, 100])
def test_running_sum_and_compact(monkeypatch, n):
    monkeypatch.setattr(K, "CHUNK", 4)  # 100 values: chunk sums of chunk sums of chunk sums
    rng = np.random.default_rng(n)
    v = rng.integers(0, 3, n).astype(np.int64)
    np.testing.assert_array_equal(K.running_sum(cuda.to_device(v)).copy_to_host(), np.cumsum(v))
    m, x = rng.random(n) > 0.5, rng.standard_normal(n).astype(np.float32)
    vals, where = K.compact(cuda.to_device(x), cuda.to_device(m))
    np.testing.assert_array_equal(vals.copy_to_host(), x[m])
    np.testing.assert_array_equal(where.copy_to_host(), np.flatnonzero(m))
