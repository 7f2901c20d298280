"""Device fill / copy / gather / cast (jitgrad.kernels.cuda.memory), in the simulator."""

from __future__ import annotations

import numpy as np
import pytest
from kern_common import dev, host
from numba import cuda
from numpy.lib.stride_tricks import as_strided

from jitgrad.kernels.cuda import common, reduce, rows
from jitgrad.kernels.cuda import memory as M


def view(base, shape, strides, offset):
    """numpy's view of base with element strides (the reference for gather)."""
    item = base.itemsize
    return as_strided(base[offset:], shape, tuple(s * item for s in strides))


@pytest.mark.parametrize(
    "shape,strides,offset",
    [
        ((3, 4), (1, 3), 0),  # a transpose
        ((2, 3), (6, 2), 1),  # a strided slice with offset
        ((4,), (-2,), 9),  # a reversed step
        ((2, 1, 3), (0, 5, 1), 2),  # an expanded (stride 0) axis
        ((), (), 7),  # 0-d
        ((0, 3), (3, 1), 0),  # empty
    ],
)
def test_gather(shape, strides, offset):
    base = np.arange(12, dtype=np.float64) * 1.5
    got = host(M.gather(dev(base), shape, strides, offset))
    np.testing.assert_array_equal(got, view(base, shape, strides, offset))
    assert got.flags.c_contiguous


@pytest.mark.parametrize(
    "shape,strides,offset",
    [((3, 4), (1, 3), 0), ((2, 3), (6, 2), 1), ((4,), (-2,), 9), ((), (), 7), ((0, 3), (3, 1), 0)],
)
def test_scatter_is_gathers_inverse(shape, strides, offset):
    base = np.arange(12, dtype=np.float32)
    src = -1.0 - np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    got = host(M.scatter(dev(src), dev(base), shape, strides, offset))
    want = base.copy()
    view(want, shape, strides, offset)[...] = src  # numpy writes through the strided view
    np.testing.assert_array_equal(got, want)


def test_scatter_refuses_an_overlapping_view():
    with pytest.raises(ValueError, match="overlaps"):
        M.scatter(dev(np.ones((2, 3), np.float32)), dev(np.zeros(6, np.float32)), (2, 3), (0, 1))


def test_fill_copy_cast():
    d = dev(np.zeros((3, 5), np.float32))
    assert M.fill(d, 2.5) is d
    np.testing.assert_array_equal(host(d), np.full((3, 5), 2.5, np.float32))
    c = M.copy(d)
    M.fill(d, -1)
    np.testing.assert_array_equal(host(c), np.full((3, 5), 2.5, np.float32))
    x = np.array([[-1.7, 0.0, 2.9], [np.inf, -0.0, 3.5]], np.float64)
    got = host(M.cast(dev(x), np.float32))
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, x.astype(np.float32))
    got = host(M.cast(dev(x[:, [0, 1, 2]][:1]), np.int64))
    np.testing.assert_array_equal(got, np.array([[-1, 0, 2]]))
    np.testing.assert_array_equal(host(M.cast(dev(x), np.bool_)), x != 0)
    with pytest.raises(ValueError, match="gather: shape"):
        M.gather(dev(x.ravel()), (2, 3), (1,))


def test_set_allocator_routes_every_allocation():
    made = []

    def alloc(shape, dtype):
        made.append((shape, dtype))
        return cuda.device_array(shape, dtype)

    prev = common.set_allocator(alloc)
    try:
        x = np.arange(12, dtype=np.float32).reshape(3, 4)
        np.testing.assert_array_equal(host(reduce.sum(dev(x), 0)), x.sum(0))
        assert made == [((1, 1, 4), np.dtype(np.float32))]  # the one (A, C, B) output
        rows.softmax(dev(x))
        assert made[-1] == ((3, 4), np.dtype(np.float32))
    finally:
        assert common.set_allocator(prev) is alloc


def test_empty_arrays_of_every_kind():
    # (3, 0) arrays: numba's real reshape refuses e.g. (3, 0) -> (0,), and kern_common makes
    # the simulator refuse it too, so these run every wrapper's empty path as a GPU would
    from jitgrad.kernels.cuda import argreduce, matmul, norm

    e = dev(np.zeros((3, 0), np.float32))
    assert host(M.copy(e)).shape == (3, 0)
    assert host(M.cast(e, np.float64)).shape == (3, 0)
    assert host(M.fill(e, 1)).shape == (3, 0)
    assert host(M.gather(dev(np.zeros(4, np.float32)), (3, 0), (0, 1))).shape == (3, 0)
    np.testing.assert_array_equal(host(reduce.sum(e, 1)), np.zeros(3, np.float32))
    assert host(reduce.sum(e, 0)).shape == (0,)
    assert host(reduce.amax(e, 0)).shape == (0,)
    assert host(reduce.sum(e)) == 0
    assert host(reduce.sum_to_shape(e, (1, 0))).shape == (1, 0)
    assert host(argreduce.argmax(e, 0)).shape == (0,)
    for fn in (rows.softmax, rows.log_softmax):
        assert host(fn(e)).shape == (3, 0)
    assert host(rows.softmax_backward(e, e)).shape == (3, 0)
    y, mean, rstd = norm.layer_norm(dev(np.zeros((0, 4), np.float32)), 4)
    assert host(y).shape == (0, 4) and host(mean).shape == (0, 1)
    got = matmul.matmul(dev(np.zeros((3, 0), np.float32)), dev(np.zeros((0, 2), np.float32)))
    np.testing.assert_array_equal(host(got), np.zeros((3, 2), np.float32))
    assert host(matmul.matmul(e, dev(np.zeros((0, 0), np.float32)))).shape == (3, 0)
