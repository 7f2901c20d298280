"""Gradients of broadcast inputs are summed inside the backward kernels, fused and unfused.

Covers the three accumulation layouts: along the innermost dimension (a column vector, summed
in a register per row, rows in parallel above the threshold), along the outer dimension (a row
vector: serial, as threads would race) and over everything (a scalar accumulator).
"""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "unfused"])
@pytest.mark.parametrize("rows", [3, 300], ids=["small", "parallel-size"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
def test_broadcast_gradients_match_numpy(fused, rows, dtype):
    rng = np.random.default_rng(rows)
    X = rng.standard_normal((rows, 700)).astype(dtype)
    B = rng.standard_normal(700).astype(dtype)
    M = rng.standard_normal((rows, 1)).astype(dtype)
    S = np.asarray(rng.standard_normal(), dtype=dtype)
    W = rng.standard_normal((rows, 700)).astype(dtype)
    with jitgrad.fusion(fused):
        x, b, m, s = (jitgrad.tensor(v, requires_grad=True) for v in (X, B, M, S))
        y = ((x - m) * b * s).tanh()
        y.backward(jitgrad.tensor(W))
    X, B, M, S, W = (v.astype(np.float64) for v in (X, B, M, S, W))
    t = np.tanh((X - M) * B * S)
    d = W * (1 - t * t)
    rtol, atol = (1e-9, 1e-12) if dtype == np.float64 else (2e-4, 2e-4)
    np.testing.assert_allclose(x.grad.numpy(), d * B * S, rtol=rtol, atol=atol)
    np.testing.assert_allclose(
        m.grad.numpy()[:, 0], -(d * B * S).sum(1), rtol=rtol, atol=atol * 100
    )
    np.testing.assert_allclose(b.grad.numpy(), (d * (X - M) * S).sum(0), rtol=rtol, atol=atol * 100)
    np.testing.assert_allclose(
        s.grad.item(), (d * (X - M) * B).sum(), rtol=rtol * 10, atol=atol * 1000
    )
