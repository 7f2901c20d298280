"""Device softmax / log_softmax / cross_entropy (jitgrad.kernels.cuda.rows), in the simulator.

References are float64 numpy: the definitions for the forwards, Jacobians (softmax) and central
differences of the numpy loss (cross-entropy) for the backwards.
"""

from __future__ import annotations

import numpy as np
import pytest
from kern_common import FLOATS, dev, host

from jitgrad.kernels.cuda import rows as K

TOL = {np.float32: 3e-6, np.float64: 1e-12}


def np_softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


@pytest.mark.parametrize("dtype", FLOATS)
def test_softmax_log_softmax_forward(dtype):
    rng = np.random.default_rng(0)
    for shape in [(3, 5), (2, 2, 7), (1, 1), (4,), (1, 270)]:
        x = (rng.standard_normal(shape) * 4).astype(dtype)
        x64 = x.astype(np.float64)
        p = np_softmax(x64)
        np.testing.assert_allclose(host(K.softmax(dev(x))), p, rtol=TOL[dtype], atol=TOL[dtype])
        got = host(K.log_softmax(dev(x)))
        np.testing.assert_allclose(got, np.log(p), rtol=TOL[dtype], atol=4 * TOL[dtype])
        assert got.dtype == dtype and got.shape == shape


def test_softmax_special_values():
    x = np.array([[0.0, np.nan, 1.0], [-np.inf, 0.0, -np.inf], [1e30, 1e30, -1e30]], np.float32)
    got = host(K.softmax(dev(x)))
    assert np.isnan(got[0]).all()
    np.testing.assert_array_equal(got[1], [0, 1, 0])
    np.testing.assert_array_equal(got[2], [0.5, 0.5, 0])
    assert host(K.softmax(dev(np.zeros((0, 3), np.float32)))).shape == (0, 3)


@pytest.mark.parametrize("dtype", FLOATS)
def test_softmax_backward_against_jacobian(dtype):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 6))
    g = rng.standard_normal((4, 6))
    p = np_softmax(x)
    ref_s = np.stack([(np.diag(pi) - np.outer(pi, pi)).T @ gi for pi, gi in zip(p, g)])
    ref_l = np.stack([(np.eye(6) - np.outer(np.ones(6), pi)).T @ gi for pi, gi in zip(p, g)])
    gd = dev(g.astype(dtype))
    got = host(K.softmax_backward(gd, dev(p.astype(dtype))))
    np.testing.assert_allclose(got, ref_s, rtol=10 * TOL[dtype], atol=10 * TOL[dtype])
    got = host(K.log_softmax_backward(gd, dev(np.log(p).astype(dtype))))
    np.testing.assert_allclose(got, ref_l, rtol=10 * TOL[dtype], atol=10 * TOL[dtype])


def np_ce(x, t, w, reduction, ignore):
    lp = (
        x
        - np.log(np.exp(x - x.max(1, keepdims=True)).sum(1, keepdims=True))
        - x.max(1, keepdims=True)
    )
    ww = np.ones(x.shape[1]) if w is None else w
    keep = t != ignore
    tc = np.where(keep, t, 0)
    losses = np.where(keep, -ww[tc] * lp[np.arange(len(t)), tc], 0.0)
    if reduction == "none":
        return losses
    if reduction == "sum":
        return losses.sum()
    return losses.sum() / np.where(keep, ww[tc], 0.0).sum()


def numeric_grad(f, x, g, eps=1e-6):
    out = np.zeros_like(x)
    for i in np.ndindex(*x.shape):
        xp, xm = x.copy(), x.copy()
        xp[i] += eps
        xm[i] -= eps
        out[i] = np.sum(g * (f(xp) - f(xm))) / (2 * eps)
    return out


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy(dtype, reduction, weighted):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((5, 4)) * 2
    t = np.array([1, -100, 3, 0, 3])
    w = rng.uniform(0.5, 2.0, 4) if weighted else None
    g = rng.standard_normal(5) if reduction == "none" else np.array(0.7)
    wd = dev(w.astype(dtype)) if weighted else None
    loss, saved = K.cross_entropy(dev(x.astype(dtype)), dev(t), wd, reduction)
    ref = np_ce(x, t, w, reduction, -100)
    got = host(loss)
    assert got.dtype == dtype and got.shape == np.shape(ref)
    np.testing.assert_allclose(got, ref, rtol=10 * TOL[dtype], atol=10 * TOL[dtype])
    assert host(saved.bad_target)[0] == 0
    gx = K.cross_entropy_backward(
        dev(g.astype(dtype)), dev(x.astype(dtype)), dev(t), saved, wd, reduction
    )
    ref_g = numeric_grad(lambda z: np_ce(z, t, w, reduction, -100), x, g)
    np.testing.assert_allclose(host(gx), ref_g, rtol=1e-5, atol=1e-6)
    assert not host(gx)[1].any()  # the ignored row


def test_cross_entropy_edge_cases():
    x = dev(np.zeros((2, 3), np.float32))
    loss, _ = K.cross_entropy(x, dev(np.array([-100, -100])))
    assert np.isnan(host(loss))  # all ignored: 0 / 0, as PyTorch
    loss, saved = K.cross_entropy(x, dev(np.array([1, 7])), reduction="none")
    got = host(loss)
    assert got[0] == np.float32(np.log(3)) and np.isnan(got[1])
    assert host(saved.bad_target)[0] == 2  # row 1 + 1
    loss, _ = K.cross_entropy(dev(np.array([1.0, 2.0])), dev(np.array(1)), ignore_index=0)
    np.testing.assert_allclose(host(loss), np.log1p(np.exp(-1.0)), rtol=1e-12)
    with pytest.raises(ValueError, match="mean1 is not a valid value for reduction"):
        K.cross_entropy(x, dev(np.array([0, 1])), reduction="mean1")
    with pytest.raises(ValueError, match=r"batch_size \(2\) to match target batch_size \(3\)"):
        K.cross_entropy(x, dev(np.array([0, 1, 2])))
    with pytest.raises(RuntimeError, match="target dtype to be Long or Byte, but got Float"):
        K.cross_entropy(x, dev(np.array([0.0, 1.0], np.float32)))
    with pytest.raises(RuntimeError, match="target dtype to be Long or Byte, but got Int"):
        K.cross_entropy(x, dev(np.array([0, 1], np.int32)))
    loss, _ = K.cross_entropy(x, dev(np.array([0, 2], np.uint8)))  # Byte targets are accepted
    np.testing.assert_allclose(host(loss), np.log(3), rtol=1e-6)
