"""nn.functional: losses and activations vs float64 reference formulas, gradcheck, torch."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from recorded_parity_cases import LOSS_KWARGS, LOSS_LABELS, losses, recorded

import jitgrad as jg
import jitgrad.nn as nn
import jitgrad.nn.functional as F
from jitgrad.autograd import gradcheck

RNG = np.random.default_rng(0)
X = RNG.standard_normal((4, 5))
T = RNG.standard_normal((4, 5))
LABELS = np.array([0, 3, 4, 1])


def _t(a, dtype=np.float64, grad=True):
    return jg.tensor(np.asarray(a, dtype), requires_grad=grad)


def _reduce(v, reduction):
    return {"mean": v.mean(), "sum": v.sum(), "none": v}[reduction]


def ref_ce(x, y, ignore_index=-100, smoothing=0.0, reduction="mean"):
    lse = np.log(np.exp(x - x.max(1, keepdims=True)).sum(1)) + x.max(1)
    logp = x - lse[:, None]
    keep = y != ignore_index
    picked = -logp[np.arange(len(y)), np.where(keep, y, 0)]
    loss = (1 - smoothing) * picked + smoothing * (-logp.mean(1))
    loss = np.where(keep, loss, 0.0)
    if reduction == "mean":
        return loss.sum() / keep.sum()
    return loss.sum() if reduction == "sum" else loss


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_elementwise_losses_match_formulas(reduction, dtype):
    tol = 1e-5 if dtype == np.float32 else 1e-12
    p = 1 / (1 + np.exp(-X))
    q = 1 / (1 + np.exp(-T))
    cases = [
        (F.mse_loss, X, T, (X - T) ** 2),
        (F.l1_loss, X, T, np.abs(X - T)),
        (F.binary_cross_entropy, p, q, -(q * np.log(p) + (1 - q) * np.log(1 - p))),
        (F.binary_cross_entropy_with_logits, X, q, -(q * np.log(p) + (1 - q) * np.log(1 - p))),
    ]
    for fn, a, b, want in cases:
        got = fn(_t(a, dtype), _t(b, dtype, grad=False), reduction=reduction)
        assert got.dtype == (jg.float32 if dtype == np.float32 else jg.float64)
        np.testing.assert_allclose(got.detach().numpy(), _reduce(want, reduction), rtol=tol)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_losses_gradcheck(reduction):
    q = _t(1 / (1 + np.exp(-T)), grad=False)
    p = _t(1 / (1 + np.exp(-X)) * 0.9 + 0.05)
    x, t = _t(X), _t(T, grad=False)
    y = jg.tensor(LABELS)
    for fn, args in [
        (F.mse_loss, (x, t)),
        (F.l1_loss, (x, t)),
        (F.binary_cross_entropy, (p, q)),
        (F.binary_cross_entropy_with_logits, (x, q)),
        (F.cross_entropy, (x, y)),
        (F.nll_loss, (x, y)),
    ]:
        assert gradcheck(
            lambda a, fn=fn, args=args: fn(a, *args[1:], reduction=reduction), (args[0],)
        )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_values_grads_and_options(dtype):
    x = _t(X, dtype)
    y = jg.tensor(LABELS)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    for kw in [{}, {"reduction": "sum"}, {"reduction": "none"}, {"label_smoothing": 0.2}]:
        got = F.cross_entropy(x, y, **kw)
        ref = ref_ce(
            X,
            LABELS,
            smoothing=kw.get("label_smoothing", 0.0),
            reduction=kw.get("reduction", "mean"),
        )
        np.testing.assert_allclose(got.detach().numpy(), ref, rtol=tol, atol=tol)
    loss = F.cross_entropy(x, jg.tensor([0, -100, 4, 1]))
    np.testing.assert_allclose(loss.item(), ref_ce(X, np.array([0, -100, 4, 1])), rtol=tol)
    loss.backward()
    soft = np.exp(X) / np.exp(X).sum(1, keepdims=True)
    onehot = np.eye(5)[[0, 0, 4, 1]]
    want = (soft - onehot) / 3
    want[1] = 0
    np.testing.assert_allclose(x.grad.numpy(), want, rtol=tol * 10, atol=tol)
    assert loss.grad_fn.name() == "NllLossBackward0"


def test_cross_entropy_is_stable_for_huge_logits():
    x = _t([[1000.0, 0.0, -1000.0], [-1e4, 1e4, 0.0]], np.float32)
    loss = F.cross_entropy(x, jg.tensor([0, 0]))
    assert math.isfinite(loss.item())
    assert loss.item() == pytest.approx((0.0 + 2e4) / 2, rel=1e-6)
    loss.backward()
    assert np.isfinite(x.grad.numpy()).all()


def test_cross_entropy_spatial_and_1d_inputs():
    x = RNG.standard_normal((2, 3, 4))
    y = RNG.integers(0, 3, (2, 4))
    got = F.cross_entropy(_t(x), jg.tensor(y), reduction="none").detach().numpy()
    want = ref_ce(np.moveaxis(x, 1, -1).reshape(-1, 3), y.reshape(-1), reduction="none")
    np.testing.assert_allclose(got, want.reshape(2, 4), rtol=1e-12)
    assert gradcheck(lambda a: F.cross_entropy(a, jg.tensor(y)), (_t(x),))
    one = F.cross_entropy(_t(X[0]), jg.tensor(3))
    assert one.shape == () and one.item() == pytest.approx(ref_ce(X[:1], np.array([3])))


def test_nll_loss_with_weights_and_ignore_index():
    w = np.array([1.0, 2.0, 0.5, 1.0, 3.0])
    y = np.array([0, 3, -100, 4])
    got = F.nll_loss(_t(X), jg.tensor(y), weight=jg.tensor(w))
    keep = y != -100
    yy = np.where(keep, y, 0)
    picked = -X[np.arange(4), yy] * w[yy] * keep
    assert got.item() == pytest.approx(picked.sum() / (w[yy] * keep).sum(), rel=1e-12)
    assert gradcheck(lambda a: F.nll_loss(a, jg.tensor(y), weight=jg.tensor(w)), (_t(X),))


def test_cross_entropy_double_backward():
    x = _t(X)
    (g,) = jg.autograd.grad(F.cross_entropy(x, jg.tensor(LABELS)), x, create_graph=True)
    (g * g).sum().backward()
    assert x.grad is not None and np.isfinite(x.grad.numpy()).all()
    assert jg.autograd.gradgradcheck(lambda a: F.cross_entropy(a, jg.tensor(LABELS)), (_t(X),))


def test_losses_match_torch_recorded():
    assert LOSS_LABELS == LABELS.tolist()
    got, want = losses(jg), recorded("losses")
    assert sorted(got) == sorted(want) == sorted(LOSS_KWARGS)
    for key, (loss, grad) in got.items():
        np.testing.assert_allclose(loss, want[key][0], rtol=1e-6)
        np.testing.assert_allclose(grad, want[key][1], rtol=1e-5, atol=1e-7)


def test_activations():
    x = _t(X)
    np.testing.assert_allclose(F.relu(x).detach().numpy(), np.maximum(X, 0))
    np.testing.assert_allclose(F.sigmoid(x).detach().numpy(), 1 / (1 + np.exp(-X)), rtol=1e-12)
    np.testing.assert_allclose(F.tanh(x).detach().numpy(), np.tanh(X), rtol=1e-12)
    tanh_gelu = 0.5 * X * (1 + np.tanh(math.sqrt(2 / math.pi) * (X + 0.044715 * X**3)))
    np.testing.assert_allclose(
        F.gelu(x, approximate="tanh").detach().numpy(), tanh_gelu, rtol=1e-12
    )
    assert gradcheck(lambda a: F.gelu(a, approximate="tanh"), (_t(X),))
    erf = np.vectorize(math.erf)
    np.testing.assert_allclose(
        F.gelu(x).detach().numpy(), 0.5 * X * (1 + erf(X / math.sqrt(2))), rtol=1e-12
    )
    assert gradcheck(F.gelu, (_t(X),))
    ls = F.log_softmax(x, dim=1).detach().numpy()
    np.testing.assert_allclose(ls, X - np.log(np.exp(X).sum(1, keepdims=True)), rtol=1e-12)


def test_linear_gradcheck_and_errors():
    w, b = _t(RNG.standard_normal((3, 5))), _t(RNG.standard_normal(3))
    assert gradcheck(F.linear, (_t(X), w, b))
    assert gradcheck(F.linear, (_t(RNG.standard_normal((2, 4, 5))), w, b))
    assert gradcheck(lambda a, b: F.linear(a, b), (_t(RNG.standard_normal(5)), w))
    assert jg.autograd.gradgradcheck(F.linear, (_t(X), w, b))
    with pytest.raises(
        RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(4x5 and 4x3\)"
    ):
        F.linear(_t(X), _t(np.ones((3, 4))))
    with pytest.raises(
        RuntimeError, match="expected m1 and m2 to have the same dtype, but got: dou"
    ):
        F.linear(_t(X), _t(np.ones((3, 5)), np.float32))


def test_reduction_and_target_errors():
    x = _t(X)
    with pytest.raises(ValueError, match="foo is not a valid value for reduction"):
        F.mse_loss(x, x, reduction="foo")
    with pytest.raises(IndexError, match="Target 7 is out of bounds."):
        F.cross_entropy(x, jg.tensor([0, 1, 7, 0]))
    with pytest.raises(ValueError, match=r"Using a target size \(jitgrad.Size\(\[4, 1\]\)\)"):
        F.binary_cross_entropy(x.sigmoid(), jg.ones(4, 1))
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        F.mse_loss(x, jg.ones(5, dtype=jg.float64))
    assert "Using a target size (jitgrad.Size([5])) that is different to the input size" in str(
        w[0].message
    )


def test_loss_modules_hold_options():
    x, y = _t(X), jg.tensor(LABELS)
    assert nn.CrossEntropyLoss(reduction="sum")(x, y).item() == pytest.approx(
        ref_ce(X, LABELS, reduction="sum")
    )
    assert nn.NLLLoss()(x, y).item() == pytest.approx(-X[np.arange(4), LABELS].mean())
    assert nn.MSELoss()(x, x).item() == 0.0
    assert nn.L1Loss(reduction="sum")(x, x * 0).item() == pytest.approx(np.abs(X).sum())
    q = _t(1 / (1 + np.exp(-T)), grad=False)
    assert nn.BCELoss()(x.sigmoid(), q).item() == pytest.approx(
        nn.BCEWithLogitsLoss()(x, q).item(), rel=1e-10
    )
    pw = jg.tensor([2.0] * 5, dtype=jg.float64)
    got = nn.BCEWithLogitsLoss(pos_weight=pw)(x, q).item()
    p = 1 / (1 + np.exp(-X))
    qq = q.numpy()
    assert got == pytest.approx((-(2 * qq * np.log(p) + (1 - qq) * np.log(1 - p))).mean())
