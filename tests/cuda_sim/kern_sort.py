"""The sorting kernels (``jitgrad/kernels/cuda/sort.py``) against NumPy: the stable merge sort
of every line (ties in input order, NaN last, descending NaN first), cummax/cummin's running
extremes with the later index on ties, ``index_put``'s sorted-run fold in PyTorch CUDA's
summation order, ``index_add`` / ``scatter_add``'s (``fold_along``) in the CPU's, and
(``jitgrad/kernels/cuda/compact.py``) the block-scan running sum and compaction (with tiny
chunks, so three levels of blocking run)."""

from __future__ import annotations

import numpy as np
import pytest
from kern_common import SIM  # noqa: F401 - (its module-level skip without a GPU or simulator)
from numba import cuda

from jitgrad.kernels.cuda import compact as KC
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


@pytest.mark.parametrize("n,chunk", [(1, 4), (4, 4), (5, 4), (17, 4), (64, 4), (100, 4),
                                     (200, 64)])  # fmt: skip
def test_running_sum_and_compact(monkeypatch, n, chunk):
    # chunk 4: 100 values are chunk sums of chunk sums of chunk sums, a thread per element;
    # chunk 64 in the simulator's 32-thread blocks: two elements per thread
    monkeypatch.setattr(KC, "CHUNK", chunk)
    rng = np.random.default_rng(n)
    v = rng.integers(0, 3, n).astype(np.int64)
    np.testing.assert_array_equal(KC.running_sum(cuda.to_device(v)).copy_to_host(), np.cumsum(v))
    m, x = rng.random(n) > 0.5, rng.standard_normal(n).astype(np.float32)
    coords = KC.nonzero(cuda.to_device(m), (n,)).copy_to_host()
    np.testing.assert_array_equal(coords[:, 0], np.flatnonzero(m))
    vals, where = KC.compact(cuda.to_device(x), cuda.to_device(m))
    np.testing.assert_array_equal(vals.copy_to_host(), x[m])
    np.testing.assert_array_equal(where.copy_to_host(), np.flatnonzero(m))


def _torch_cuda_fold(out, rows, g, n):
    """PyTorch CUDA's ``index_put_(accumulate=True)`` sums (``index_put_with_sort_kernel``),
    one float32 add at a time in NumPy: a run of equal rows (in index order) summed from 0
    and added to ``out`` once for rows of at most 32 elements, a full index's run of 32 or
    more first as its warp's 32 lanes and their shuffle-down tree; wider rows added one at
    a time into ``out``."""
    out, inner = out.copy(), g.shape[1]
    for r in range(n):
        run = [j for j in range(len(rows)) if rows[j] == r]
        for i in range(inner):
            if not run:
                continue
            if inner > 32:
                for j in run:
                    out[r, i] = out[r, i] + g[j, i]
                continue
            s, k = np.float32(0), 0
            if inner == 1 and len(run) >= 32:
                passes = len(run) // 32
                lanes = [np.float32(0)] * 32
                for lane in range(32):
                    for p in range(passes):
                        lanes[lane] = lanes[lane] + g[run[p * 32 + lane], 0]
                off = 16
                while off:
                    lanes[:off] = [lanes[q] + lanes[q + off] for q in range(off)]
                    off //= 2
                s, k = lanes[0], passes * 32
            for j in run[k:]:
                s = s + g[j, i]
            out[r, i] = out[r, i] + s
    return out


@pytest.mark.parametrize("inner", [1, 3, 33])
def test_fold_runs_sums_in_pytorch_cudas_order(inner):
    # runs of 1, 2, 5, 31 (inner 1: also 32 and 70, a warp's lanes and a remainder), rows
    # out of range skipped; values of mixed magnitude so that every order gives other bits
    rng = np.random.default_rng(inner)
    sizes = [1, 2, 5, 31] + ([32, 70] if inner == 1 else [])
    rows = np.concatenate([np.full(k, r, np.int64) for r, k in enumerate(sizes)] + [[9, -1]])
    rows = rows[rng.permutation(rows.size)]
    n = len(sizes) + 1  # (row n - 1 untouched; 9 and -1 out of range)
    g = rng.standard_normal((rows.size, inner)) * 10.0 ** rng.integers(-3, 4, (rows.size, 1))
    g = g.astype(np.float32)
    if inner == 1:  # the 70-row run: 2**24 then ones, which one thread from 0 would all lose
        g[rows == 5, 0] = 1.0
        g[np.flatnonzero(rows == 5)[0], 0] = 2.0**24
    base = rng.standard_normal((n, inner)).astype(np.float32) * 1e7  # (small adds lost in it)
    got = K.fold_runs(cuda.to_device(g), cuda.to_device(rows), n, cuda.to_device(base))
    want = _torch_cuda_fold(base, rows, g, n)
    np.testing.assert_array_equal(got.copy_to_host(), want)
    serial = base.copy()
    for j, r in enumerate(rows):  # (the CPU's order: not what PyTorch's CUDA kernel gives)
        if 0 <= r < n:
            serial[r] += g[j]
    assert inner > 32 or not np.array_equal(serial, want)
    if inner == 1:  # the 70-row run: its lanes' order, not one thread's from 0
        run = g[rows == 5, 0]
        assert want[5, 0] != base[5, 0] + np.cumsum(run, dtype=np.float32)[-1]
    last = base.copy()
    for j, r in enumerate(rows):  # assign: the last write of each row wins
        if 0 <= r < n:
            last[r] = g[j]
    got = K.fold_runs(cuda.to_device(g), cuda.to_device(rows), n, cuda.to_device(base), True)
    np.testing.assert_array_equal(got.copy_to_host(), last)


@pytest.mark.parametrize("shared", [True, False])
@pytest.mark.parametrize("dtype", [np.float32, np.int8])
def test_fold_along_adds_every_element_in_index_order(shared, dtype):
    # out (2, 5, 3) += g (2, 7, 3) at r = idx[j] (shared: index_add) or idx[o, j, i]
    # (scatter_add), negative from the end; float32: 2**24 then ones, whose sum depends on the
    # order (the CPU's, one add at a time: 2**24 stays)
    rng = np.random.default_rng(7)
    idx = rng.integers(-5, 5, 7 if shared else (2, 7, 3)).astype(np.int64)
    g = rng.integers(-10, 10, (2, 7, 3)).astype(dtype)
    base = rng.integers(-10, 10, (2, 5, 3)).astype(dtype)
    if dtype == np.float32:
        base[:], g[:] = 2.0**24, 1.0
    want = base.copy()
    for o, j, i in np.ndindex(g.shape):
        want[o, (idx[j] if shared else idx[o, j, i]) % 5, i] += g[o, j, i]
    flag = cuda.to_device(np.zeros(1, np.int32))
    out = K.fold_along(cuda.to_device(g), cuda.to_device(idx), 5, 3, cuda.to_device(base),
                       shared, flag)  # fmt: skip
    np.testing.assert_array_equal(out.copy_to_host(), want)
    assert flag.copy_to_host()[0] == 0
    bad = idx.copy()
    bad.reshape(-1)[3] = 5  # (out of range: adds nothing, sets the flag)
    out = K.fold_along(cuda.to_device(g), cuda.to_device(bad), 5, 3, cuda.to_device(base),
                       shared, flag)  # fmt: skip
    assert flag.copy_to_host()[0] == 1
