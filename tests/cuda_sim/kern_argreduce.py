"""Device argmax / argmin (jitgrad.kernels.cuda.argreduce) against numpy, in the simulator."""

from __future__ import annotations

import numpy as np
import pytest
from kern_common import FLOATS, dev, host

from jitgrad.kernels.cuda import argreduce as A


def np_arg(x, axis, want_max):
    # PyTorch's rule: the first NaN wins; otherwise the first max (min). numpy's argmax and
    # argmin already return the first NaN and the first extreme.
    return np.argmax(x, axis) if want_max else np.argmin(x, axis)


@pytest.mark.parametrize("dtype", FLOATS)
def test_argmax_argmin(dtype):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 4, (3, 5, 4)).astype(dtype)  # many ties
    x[1, 3, 2] = np.nan
    x[2, 1, 0] = np.nan
    x[2, 4, 0] = np.nan
    d = dev(x)
    for fn, want_max in ((A.argmax, True), (A.argmin, False)):
        for axis in (None, 0, 1, 2, -1):
            got = host(fn(d, axis))
            assert got.dtype == np.int64
            np.testing.assert_array_equal(got, np_arg(x, axis, want_max))
        assert host(fn(d, 1, keepdim=True)).shape == (3, 1, 4)
        assert host(fn(d, None, keepdim=True)).shape == (1, 1, 1)
    y = np.full(300, 2.0, dtype)  # longer than a block: ties across threads -> index 0
    y[[7, 270]] = 5.0
    assert host(A.argmax(dev(y))) == 7
    assert host(A.argmin(dev(y))) == 0


def test_integers():
    x = np.array([[3, 9, 9], [-2, -5, -5]], np.int32)
    np.testing.assert_array_equal(host(A.argmax(dev(x), 1)), [1, 0])
    np.testing.assert_array_equal(host(A.argmin(dev(x), 1)), [0, 1])
    with pytest.raises(RuntimeError, match=r"argmax\(\): does not support bool input"):
        A.argmax(dev(x > 0))


def test_edge_cases():
    assert host(A.argmax(dev(np.array(3.0)), 0)) == 0
    e = dev(np.zeros((0, 3), np.float32))
    with pytest.raises(IndexError, match="Expected reduction dim to be specified"):
        A.argmax(e)
    with pytest.raises(IndexError, match=r"argmin\(\): Expected reduction dim 0 to have non-zero"):
        A.argmin(e, 0)
    assert host(A.argmax(e, 1)).shape == (0,)
