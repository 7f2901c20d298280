"""Fused row kernels: layer_norm (NativeLayerNormBackward0) and cross_entropy's serial and
prange variants, against float64 numpy references, gradcheck and recorded PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
from recorded_parity_cases import layer_norm, recorded

import jitgrad as jg
import jitgrad.nn.functional as F
from jitgrad import helpers
from jitgrad.autograd import gradcheck, gradgradcheck

RNG = np.random.default_rng(7)


def _t(a, dtype=np.float64, grad=True):
    return jg.tensor(np.asarray(a, dtype), requires_grad=grad)


@pytest.fixture(params=["serial", "parallel"])
def variant(request, monkeypatch):
    """Run a test with the serial kernels (threshold above any size) or the prange ones (0)."""
    threshold = 0 if request.param == "parallel" else 1 << 62
    monkeypatch.setattr(helpers, "PARALLEL_THRESHOLD", threshold)
    return request.param


def ref_layer_norm(x, nd, w, b, eps, go):
    """float64 layer norm output and (dx, dw, db) for the upstream gradient ``go``."""
    x, go = x.astype(np.float64), go.astype(np.float64)
    axes = tuple(range(x.ndim - nd, x.ndim))
    mean = x.mean(axes, keepdims=True)
    rstd = 1 / np.sqrt(((x - mean) ** 2).mean(axes, keepdims=True) + eps)
    xhat = (x - mean) * rstd
    w = np.ones(x.shape[x.ndim - nd :]) if w is None else w.astype(np.float64)
    b = np.zeros_like(w) if b is None else b.astype(np.float64)
    gw = go * w
    dx = rstd * (gw - gw.mean(axes, keepdims=True) - xhat * (gw * xhat).mean(axes, keepdims=True))
    batch = tuple(range(x.ndim - nd))
    return xhat * w + b, dx, (go * xhat).sum(batch), go.sum(batch)


def _run_layer_norm(x, nd, w, b, go, eps=1e-5):
    """jitgrad layer_norm forward and backward: output, grads of (x, w, b) (None when absent)."""
    xs = _t(x, x.dtype)
    ws = None if w is None else _t(w, x.dtype)
    bs = None if b is None else _t(b, x.dtype)
    y = F.layer_norm(xs, x.shape[x.ndim - nd :], ws, bs, eps=eps)
    (y * jg.tensor(go)).sum().backward()
    grads = [None if t is None else t.grad.numpy() for t in (xs, ws, bs)]
    return y, grads


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "shape, nd, affine",
    [((5, 7), 1, "wb"), ((2, 3, 4, 5), 2, "w"), ((3, 6), 1, "b"), ((2, 9), 1, ""), ((8,), 1, "wb")],
)
def test_layer_norm_matches_float64_reference(variant, dtype, shape, nd, affine):
    x = (RNG.standard_normal(shape) * 3 + 1).astype(dtype)
    norm = shape[len(shape) - nd :]
    w = (1 + 0.3 * RNG.standard_normal(norm)).astype(dtype) if "w" in affine else None
    b = (0.3 * RNG.standard_normal(norm)).astype(dtype) if "b" in affine else None
    go = RNG.standard_normal(shape).astype(dtype)
    y, grads = _run_layer_norm(x, nd, w, b, go)
    want = ref_layer_norm(x, nd, w, b, 1e-5, go)
    assert y.dtype == jg.tensor(x).dtype and y.grad_fn.name() == "NativeLayerNormBackward0"
    tol = 2e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(y.detach().numpy(), want[0], rtol=tol, atol=tol)
    for got, ref in zip(grads, want[1:], strict=True):
        if got is not None:
            assert got.dtype == dtype
            np.testing.assert_allclose(got, ref, rtol=tol, atol=tol * 10)
    assert [g is None for g in grads[1:]] == [w is None, b is None]


def test_layer_norm_serial_and_parallel_agree_bitwise(monkeypatch):
    # 67 rows: chunks of 9 rows with a short last one
    x = RNG.standard_normal((67, 33)).astype(np.float32)
    w, b = RNG.standard_normal(33).astype(np.float32), RNG.standard_normal(33).astype(np.float32)
    go = RNG.standard_normal(x.shape).astype(np.float32)
    results = []
    for threshold in (1 << 62, 0):
        monkeypatch.setattr(helpers, "PARALLEL_THRESHOLD", threshold)
        y, grads = _run_layer_norm(x, 1, w, b, go)
        results.append([y.detach().numpy(), *grads])
    for serial, parallel in zip(*results, strict=True):
        assert np.array_equal(serial, parallel)


def _layer_norm_args():
    x = _t(RNG.standard_normal((3, 2, 4)))
    return x, _t(1 + 0.2 * RNG.standard_normal((2, 4))), _t(RNG.standard_normal((2, 4)))


def _layer_norm_2d(a, c, d):
    return F.layer_norm(a, (2, 4), c, d, eps=1e-3)


def test_layer_norm_gradcheck(variant):
    assert gradcheck(_layer_norm_2d, _layer_norm_args())


def test_layer_norm_double_backward():
    # create_graph=True takes the composed Tensor-op backward, the same in both variants
    assert gradgradcheck(_layer_norm_2d, _layer_norm_args())
    assert gradgradcheck(lambda a: F.layer_norm(a, 4), (_t(RNG.standard_normal((2, 4))),))
    one_row = (_t(RNG.standard_normal(4)), _t(1 + 0.2 * RNG.standard_normal(4)))
    assert gradgradcheck(lambda a, c: F.layer_norm(a, 4, c), one_row)


def test_layer_norm_empty_batch_and_module():
    x = _t(np.zeros((0, 2, 5)), np.float32)
    ln = jg.nn.LayerNorm(5)
    y = ln(x)
    assert y.shape == (0, 2, 5) and y.dtype == jg.float32
    y.sum().backward()
    assert x.grad.shape == (0, 2, 5)
    assert ln.weight.grad.tolist() == [0.0] * 5 and ln.bias.grad.tolist() == [0.0] * 5


def test_layer_norm_argument_errors():
    x = _t(np.ones((2, 3, 4)))
    with pytest.raises(RuntimeError, match=r"Given normalized_shape=\[3\], expected input"):
        F.layer_norm(x, (3,))
    with pytest.raises(RuntimeError, match=r"Expected weight to be of same shape"):
        F.layer_norm(x, (3, 4), _t(np.ones(12)))
    with pytest.raises(RuntimeError, match=r"Expected bias to be of same shape"):
        F.layer_norm(x, (4,), None, _t(np.ones(3)))
    with pytest.raises(RuntimeError, match="mixed dtype"):
        F.layer_norm(x, (4,), _t(np.ones(4), np.float32))


def test_layer_norm_matches_torch_recorded(variant):
    """Serial and prange kernels against PyTorch's recorded float32 layer_norm (fixed inputs
    from default_rng(7) in tests/recorded_parity_cases.py, not this module's shared RNG)."""
    name, y, grads = layer_norm(jg)
    want_name, want_y, want_grads = recorded("layer_norm")
    assert name == want_name
    np.testing.assert_allclose(y, want_y, rtol=1e-5, atol=1e-6)
    for got, want in zip(grads, want_grads, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


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
