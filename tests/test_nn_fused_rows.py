"""Fused row kernels: cross_entropy's serial and prange variants against float64 numpy
references."""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad as jg
import jitgrad.nn.functional as F
from jitgrad import helpers

RNG = np.random.default_rng(7)


def _t(a, dtype=np.float64, grad=True):
    return jg.tensor(np.asarray(a, dtype), requires_grad=grad)


@pytest.fixture(params=["serial", "parallel"])
def variant(request, monkeypatch):
    """Run a test with the serial kernels (threshold above any size) or the prange ones (0)."""
    threshold = 0 if request.param == "parallel" else 1 << 62
    monkeypatch.setattr(helpers, "PARALLEL_THRESHOLD", threshold)
    return request.param


def ref_cross_entropy(x, y, ignore_index, smoothing):
    """float64 per-row cross-entropy losses and d(sum of losses)/dx."""
    x = x.astype(np.float64)
    logp = x - x.max(1, keepdims=True)
    logp -= np.log(np.exp(logp).sum(1, keepdims=True))
    keep = y != ignore_index
    onehot = np.eye(x.shape[1])[np.where(keep, y, 0)]
    target = (1 - smoothing) * onehot + smoothing / x.shape[1]
    loss = -(target * logp).sum(1) * keep
    grad = (np.exp(logp) - target) * keep[:, None]
    return loss, grad


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("smoothing", [0.0, 0.15])
def test_cross_entropy_kernels_match_float64_reference(variant, dtype, smoothing):
    x = (RNG.standard_normal((37, 300)) * 4).astype(dtype)
    y = RNG.integers(0, 300, 37)
    y[[3, 20]] = -1
    xs = _t(x, dtype)
    loss = F.cross_entropy(xs, jg.tensor(y), ignore_index=-1, label_smoothing=smoothing)
    loss.backward()
    want_rows, want_grad = ref_cross_entropy(x, y, -1, smoothing)
    counted = (y != -1).sum()
    tol = 1e-5 if dtype == np.float32 else 1e-12
    assert loss.dtype == xs.dtype and xs.grad.dtype == xs.dtype
    np.testing.assert_allclose(loss.item(), want_rows.sum() / counted, rtol=tol)
    np.testing.assert_allclose(xs.grad.numpy(), want_grad / counted, rtol=tol, atol=tol / 100)


def test_cross_entropy_serial_and_parallel_agree_bitwise(monkeypatch):
    x = RNG.standard_normal((41, 129)).astype(np.float32)
    y = RNG.integers(0, 129, 41)
    results = []
    for threshold in (1 << 62, 0):
        monkeypatch.setattr(helpers, "PARALLEL_THRESHOLD", threshold)
        xs = _t(x, np.float32)
        loss = F.cross_entropy(xs, jg.tensor(y), reduction="none")
        loss.sum().backward()
        results.append((loss.detach().numpy(), xs.grad.numpy()))
    for serial, parallel in zip(*results, strict=True):
        assert np.array_equal(serial, parallel)


def test_cross_entropy_bad_target_is_caught_before_the_kernel(variant):
    x = _t(np.zeros((40, 1000)), np.float32)
    with pytest.raises(IndexError, match="Target 1000 is out of bounds"):
        F.cross_entropy(x, jg.tensor([0] * 39 + [1000]))
