"""Device reductions (jitgrad.kernels.cuda.reduce) against float64 numpy, in the simulator."""

from __future__ import annotations

import numpy as np
import pytest
from kern_common import FLOATS, SIM, dev, host

from jitgrad.kernels.cuda import common as C
from jitgrad.kernels.cuda import reduce as R

EPS = {np.float32: np.finfo(np.float32).eps, np.float64: np.finfo(np.float64).eps}


def check_sum(got, x, axes, keepdim, dtype, mean=False):
    # |error| <= n * eps * sum|x| is the sequential bound; ours (tree) is far inside it
    x64 = x.astype(np.float64)
    ref = x64.mean(axis=axes, keepdims=keepdim) if mean else x64.sum(axis=axes, keepdims=keepdim)
    bound = x64.__abs__().sum(axis=axes, keepdims=keepdim) * 16 * EPS[dtype] + 1e-300
    if mean:
        bound = bound / max(1, x.size // max(1, ref.size))
    assert got.dtype == dtype and got.shape == np.shape(ref), (got.dtype, got.shape, ref.shape)
    assert np.all(np.abs(got - ref) <= bound), (got, ref)


AXES = [None, (), 0, 1, 2, -1, (0, 1), (0, 2), (1, 2), (0, 1, 2), (2, 0)]


@pytest.mark.parametrize("dtype", FLOATS)
def test_sum_mean_axes(dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4, 5)).astype(dtype)
    d = dev(x)
    for axes in AXES if dtype == np.float32 else [None, 1, (0, 2)]:
        np_axes = None if axes in (None, ()) else axes
        for keepdim in (False, True):
            check_sum(host(R.sum(d, axes, keepdim)), x, np_axes, keepdim, dtype)
        check_sum(host(R.mean(d, axes)), x, np_axes, False, dtype, mean=True)


@pytest.mark.parametrize("dtype", FLOATS)
def test_amax_amin_nan(dtype):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 6)).astype(dtype)
    x[1, 2] = np.nan
    x[3, 0] = -np.inf
    d = dev(x)
    for axes in (None, 0, 1):
        np.testing.assert_array_equal(host(R.amax(d, axes)), np.max(x, axis=axes))
        np.testing.assert_array_equal(
            host(R.amin(d, axes, True)), np.min(x, axis=axes, keepdims=True)
        )
    got = host(R.amax(d, 1))
    assert np.isnan(got[1]) and not np.isnan(got[[0, 2, 3]]).any()


def test_zero_dim_and_size_one_axes():
    x = np.array(2.5, np.float32)
    d = dev(x)
    for fn in (R.sum, R.mean, R.amax, R.amin):
        for axes in (None, 0, -1):
            got = host(fn(d, axes))
            assert got.shape == () and got == np.float32(2.5)
    y = np.arange(6, dtype=np.float64).reshape(1, 6, 1)
    got = host(R.sum(dev(y), (0, 2), keepdim=True))
    np.testing.assert_array_equal(got, y)


def test_empty():
    d = dev(np.zeros((0, 3), np.float32))
    np.testing.assert_array_equal(host(R.sum(d, 0)), np.zeros(3, np.float32))
    assert np.isnan(host(R.mean(d, 0))).all() and host(R.mean(d, 0)).shape == (3,)
    assert host(R.sum(d, 1)).shape == (0,)
    assert host(R.amax(d, 1)).shape == (0,)
    assert host(R.sum(d)) == 0
    with pytest.raises(
        IndexError, match=r"amax\(\): Expected reduction dim 0 to have non-zero size"
    ):
        R.amax(d, 0)
    with pytest.raises(IndexError, match="amin"):
        R.amin(d)


def test_bad_arguments():
    d = dev(np.zeros((2, 3), np.float32))
    with pytest.raises(IndexError, match=r"range of \[-2, 1\], but got 2"):
        R.sum(d, 2)
    with pytest.raises(RuntimeError, match="dim 0 appears multiple times"):
        R.sum(d, (0, -2))
    with pytest.raises(TypeError, match="does not support dtype complex128"):
        R.sum(dev(np.zeros(3, np.complex128)))


@pytest.mark.parametrize("dtype", FLOATS)
def test_two_pass_chunks(dtype):
    # the chunked paths that long rows/columns take on real sizes, forced with small chunks
    rng = np.random.default_rng(2)
    x = rng.standard_normal((3, 100)).astype(dtype)
    got = host(R._reduce_rows(dev(x), R.SUM, dtype(0), chunk=16))
    check_sum(got, x, 1, False, dtype)
    got = host(R._reduce_rows(dev(x), R.MAX, dtype(-np.inf), chunk=16))
    np.testing.assert_array_equal(got, x.max(1))
    y = rng.standard_normal((2, 50, 3)).astype(dtype)
    got = host(R._reduce_cols(dev(y), R.SUM, dtype(0), chunk=8))
    check_sum(got, y, 1, False, dtype)
    got = host(R._reduce_cols(dev(y), R.MIN, dtype(np.inf), chunk=8))
    np.testing.assert_array_equal(got, y.min(1))


def test_float32_tree_order_bitwise():
    # The documented order, replayed in numpy float32: thread t folds x[t::T] in order,
    # then pairs t with t + T/2 while halving; the device result has exactly these bits.
    # T is the block the launch takes: 256 on a GPU, a warp in the simulator (common.py).
    rng = np.random.default_rng(3)
    x = (rng.standard_normal(200) * 1e3).astype(np.float32)
    threads = C.pow2_threads(len(x))
    assert threads == (32 if SIM else 256)
    part = np.zeros(threads, np.float32)
    for t in range(threads):
        for v in x[t::threads]:
            part[t] = np.float32(part[t] + v)
    while len(part) > 1:
        h = len(part) // 2
        part = (part[:h] + part[h:]).astype(np.float32)
    got = host(R.sum(dev(x)))
    assert got.tobytes() == part[0].tobytes()
    assert host(R.sum(dev(x))).tobytes() == got.tobytes()  # and again, run to run


@pytest.mark.parametrize("dtype", FLOATS)
def test_sum_to_shape(dtype):
    rng = np.random.default_rng(4)
    g = rng.standard_normal((2, 3, 4)).astype(dtype)
    d = dev(g)
    for shape, axes in [
        ((3, 4), (0,)),
        ((3, 1), (0, 2)),
        ((1, 3, 1), (0, 2)),
        ((), None),
        ((4,), (0, 1)),
        ((2, 1, 4), (1,)),
    ]:
        got = host(R.sum_to_shape(d, shape))
        ref = g.astype(np.float64).sum(axis=axes).reshape(shape)
        assert got.shape == shape
        np.testing.assert_allclose(got, ref, rtol=1e-5 if dtype == np.float32 else 1e-12)
    assert R.sum_to_shape(d, (2, 3, 4)) is d
    with pytest.raises(RuntimeError, match="cannot be summed"):
        R.sum_to_shape(d, (5, 4))


def test_integer_and_bool():
    big = np.array([[2**60, 1, 3], [2**61, -5, 2**40 + 1]], np.int64)  # exact only in int64
    got = host(R.sum(dev(big), 1))
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, big.sum(1))
    np.testing.assert_array_equal(host(R.sum(dev(big), 0, keepdim=True)), big.sum(0, keepdims=True))
    x = np.array([[3, -7, 2], [5, 5, -1]], np.int32)
    for fn, ref in ((R.amax, np.max), (R.amin, np.min)):
        got = host(fn(dev(x), 1))
        assert got.dtype == np.int32
        np.testing.assert_array_equal(got, ref(x, 1))
    b = np.array([[True, False, True], [False, False, False]])
    got = host(R.sum(dev(b), 1))
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, [2, 0])
    assert host(R.sum(dev(b))) == 2
    np.testing.assert_array_equal(host(R.amax(dev(b), 1)), [True, False])
    np.testing.assert_array_equal(host(R.amin(dev(b), 0)), [False, False, False])
    assert host(R.sum(dev(np.zeros((0, 2), np.bool_)), 0)).dtype == np.int64
    with pytest.raises(RuntimeError, match="mean\\(\\): could not infer output dtype.*Got: Int"):
        R.mean(dev(x))


def test_plan():
    assert R.plan((2, 3, 4), (0, 2)) == [(6, 4, 1), (1, 2, 3)]
    assert R.plan((2, 3, 4), (1,)) == [(2, 3, 4)]
    assert R.plan((2, 1, 3, 4), (1, 2, 3)) == [(2, 12, 1)]
    assert R.plan((5, 1, 4), (1,)) == []
