"""Device layer_norm forward/backward (jitgrad.kernels.cuda.norm) against float64 numpy."""

from __future__ import annotations

import numpy as np
import pytest
from kern_common import FLOATS, dev, host

from jitgrad.kernels.cuda import norm as N

TOL = {np.float32: 2e-5, np.float64: 1e-9}


def np_ln(x, k, w, b, eps):
    axes = tuple(range(x.ndim - k, x.ndim))
    mu = x.mean(axes, keepdims=True)
    var = ((x - mu) ** 2).mean(axes, keepdims=True)
    y = (x - mu) / np.sqrt(var + eps)
    if w is not None:
        y = y * w
    if b is not None:
        y = y + b
    return y, mu, 1 / np.sqrt(var + eps)


def numeric_grad(f, x, eps=1e-6):
    out = np.zeros_like(x)
    for i in np.ndindex(*x.shape):
        xp, xm = x.copy(), x.copy()
        xp[i] += eps
        xm[i] -= eps
        out[i] = (f(xp) - f(xm)) / (2 * eps)
    return out


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("affine", [(True, True), (True, False), (False, False)])
def test_layer_norm(dtype, affine):
    rng = np.random.default_rng(0)
    for shape, ns in [((3, 6), (6,)), ((2, 2, 3, 2), (3, 2))]:
        k = len(ns)
        x = rng.standard_normal(shape) * 3 + 1
        w = rng.standard_normal(ns) if affine[0] else None
        b = rng.standard_normal(ns) if affine[1] else None
        g = rng.standard_normal(shape)
        d = lambda a: None if a is None else dev(a.astype(dtype))  # noqa: E731
        y, mean, rstd = N.layer_norm(d(x), ns, d(w), d(b), 1e-5)
        ry, rmu, rrs = np_ln(x, k, w, b, 1e-5)
        np.testing.assert_allclose(host(y), ry, rtol=TOL[dtype], atol=TOL[dtype])
        assert host(mean).shape == rmu.shape and host(rstd).dtype == dtype
        np.testing.assert_allclose(host(mean), rmu, rtol=TOL[dtype], atol=TOL[dtype])
        np.testing.assert_allclose(host(rstd), rrs, rtol=TOL[dtype])
        dx, dw, db = N.layer_norm_backward(d(g), d(x), ns, mean, rstd, d(w), d(b))

        def loss(x_=x, w_=w, b_=b, g_=g, k_=k):
            return np.sum(g_ * np_ln(x_, k_, w_, b_, 1e-5)[0])

        gtol = 1e-4 if dtype == np.float32 else 1e-6
        np.testing.assert_allclose(host(dx), numeric_grad(lambda z: loss(x_=z), x), atol=gtol)
        if w is None:
            assert dw is None
        else:
            ref = numeric_grad(lambda z: loss(w_=z), w)
            np.testing.assert_allclose(host(dw), ref, atol=gtol)
        if b is None:
            assert db is None
        else:
            np.testing.assert_allclose(host(db), numeric_grad(lambda z: loss(b_=z), b), atol=gtol)


def test_layer_norm_errors():
    x = dev(np.zeros((2, 3), np.float32))
    with pytest.raises(RuntimeError, match=r"normalized_shape=\[4\], expected input with shape"):
        N.layer_norm(x, (4,))
    with pytest.raises(RuntimeError, match="Expected weight to be of same shape"):
        N.layer_norm(x, (3,), dev(np.ones(4, np.float32)))
    y, mean, rstd = N.layer_norm(x, 3)  # a constant row: rstd = 1/sqrt(eps), y = 0
    np.testing.assert_array_equal(host(y), 0)
    np.testing.assert_allclose(host(rstd), 1 / np.sqrt(np.float32(1e-5)), rtol=1e-6)
