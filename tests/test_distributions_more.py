"""LowRankMultivariateNormal, Wishart and VonMises beyond the recorded cases of
tests/test_distributions.py: consistency with MultivariateNormal and closed forms in
float64, gradcheck of the reparameterized samples (a fixed draw), and statistical checks of
the samples (jitgrad's generator is not PyTorch's, so samples are checked by moments)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import jitgrad as torch
from jitgrad.autograd import gradcheck
from jitgrad.distributions import (
    LowRankMultivariateNormal,
    MultivariateNormal,
    VonMises,
    Wishart,
)

W = [[1.0, 0.5], [0.2, -0.3], [0.0, 0.4]]
D = [0.6, 1.2, 0.9]


def _lowrank() -> LowRankMultivariateNormal:
    return LowRankMultivariateNormal(
        torch.tensor([0.1, -0.3, 0.7], dtype=torch.float64),
        torch.tensor(W, dtype=torch.float64),
        torch.tensor(D, dtype=torch.float64),
    )


def test_lowrank_matches_the_full_covariance_normal():
    d = _lowrank()
    cov = np.asarray(W) @ np.asarray(W).T + np.diag(D)
    np.testing.assert_allclose(d.covariance_matrix.numpy(), cov, rtol=1e-12)
    np.testing.assert_allclose(d.precision_matrix.numpy(), np.linalg.inv(cov), rtol=1e-10)
    L = d.scale_tril.numpy()
    assert np.allclose(np.triu(L, 1), 0) and np.allclose(L @ L.T, cov, rtol=1e-12)
    np.testing.assert_allclose(d.variance.numpy(), np.diag(cov), rtol=1e-12)
    full = MultivariateNormal(d.loc, covariance_matrix=torch.tensor(cov))
    x = torch.tensor([[0.3, 0.2, -1.0], [2.0, -0.5, 0.1]], dtype=torch.float64)
    np.testing.assert_allclose(d.log_prob(x).numpy(), full.log_prob(x).numpy(), rtol=1e-12)
    np.testing.assert_allclose(d.entropy().item(), full.entropy().item(), rtol=1e-12)


def test_von_mises_closed_forms():
    k = np.array([0.5, 2.0, 5.0])
    d = VonMises(torch.zeros(3, dtype=torch.float64), torch.tensor(k))
    # I0(k) by its series; the polynomial approximations agree to ~1e-7 relative
    i0 = sum((k / 2) ** (2 * j) / math.factorial(j) ** 2 for j in range(40))
    i1 = sum((k / 2) ** (2 * j + 1) / (math.factorial(j) * math.factorial(j + 1))
             for j in range(40))  # fmt: skip
    x = torch.tensor([0.3, -1.0, 3.0], dtype=torch.float64)
    want = k * np.cos(x.numpy()) - np.log(2 * math.pi * i0)
    np.testing.assert_allclose(d.log_prob(x).numpy(), want, rtol=1e-6)
    np.testing.assert_allclose(d.variance.numpy(), 1 - i1 / i0, rtol=1e-6)
    with pytest.raises(NotImplementedError):
        d.entropy()
    assert not d.has_rsample


def _reseeded(make, n=3):
    def fn(*params):
        torch.manual_seed(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Wishart's "Singular sample detected."
            return make(*params).rsample((n,))

    return fn


@pytest.mark.parametrize(
    "make,shapes",
    [
        (lambda loc, w, d: LowRankMultivariateNormal(loc, w, d + 0.5), [(3,), (3, 2), (3,)]),
        (lambda tril: Wishart(4.0, scale_tril=tril.tril() + torch.eye(2)), [(2, 2)]),
        (lambda c: Wishart(3.5, covariance_matrix=c @ c.mT + torch.eye(2)), [(2, 2)]),
    ],
    ids=["lowrank", "wishart_scale_tril", "wishart_covariance"],
)
def test_rsample_gradcheck(make, shapes):
    rng = np.random.default_rng(1)
    params = [
        torch.tensor(rng.uniform(0.5, 1.5, s), dtype=torch.float64, requires_grad=True)
        for s in shapes
    ]
    assert gradcheck(_reseeded(make), tuple(params))


def test_log_prob_and_entropy_gradcheck():
    x = torch.tensor([0.3, 2.9], dtype=torch.float64)
    loc = torch.tensor([0.2, -0.4], dtype=torch.float64, requires_grad=True)
    k = torch.tensor([1.5, 4.5], dtype=torch.float64, requires_grad=True)
    assert gradcheck(lambda m, c: VonMises(m, c).log_prob(x), (loc, k))
    v = torch.tensor([[1.0, 0.2], [0.2, 0.8]], dtype=torch.float64)
    df = torch.tensor(4.5, dtype=torch.float64, requires_grad=True)
    tril = torch.tensor([[1.2, 0.0], [0.3, 0.9]], dtype=torch.float64, requires_grad=True)
    assert gradcheck(lambda n, t: Wishart(n, scale_tril=t.tril()).log_prob(v), (df, tril))
    assert gradcheck(lambda n, t: Wishart(n, scale_tril=t.tril()).entropy(), (df, tril))


def test_lowrank_sample_moments():
    torch.manual_seed(0)
    d = _lowrank()
    n = 40000
    s = d.sample((n,)).numpy()
    assert s.shape == (n, 3)
    se = np.sqrt(d.variance.numpy() / n)
    assert np.all(np.abs(s.mean(0) - d.mean.numpy()) < 5 * se)
    np.testing.assert_allclose(np.cov(s.T), d.covariance_matrix.numpy(), atol=0.05)


def test_wishart_sample_moments():
    torch.manual_seed(0)
    cov = torch.tensor([[2.0, 0.3], [0.3, 1.0]], dtype=torch.float64)
    d = Wishart(torch.tensor([4.0, 7.5], dtype=torch.float64), covariance_matrix=cov)
    n = 20000
    with pytest.warns(UserWarning, match="^Singular sample detected.$"):  # as PyTorch 2.13
        s = d.sample((n,)).numpy()
    assert s.shape == (n, 2, 2, 2)
    assert bool(d.support.check(torch.tensor(s)).all())
    se = np.sqrt(d.variance.numpy() / n)
    assert np.all(np.abs(s.mean(0) - d.mean.numpy()) < 5 * se)
    np.testing.assert_allclose(s.var(0), d.variance.numpy(), rtol=0.08)


def test_von_mises_samples():
    torch.manual_seed(0)
    loc = torch.tensor([3.0, -1.0, 0.5])
    k = torch.tensor([0.01, 1.0, 8.0])
    d = VonMises(loc, k)
    n = 40000
    s = d.sample((n,))
    assert s.dtype is torch.float32 and tuple(s.shape) == (n, 3)
    x = s.double().numpy()
    assert np.all((x >= -math.pi) & (x < math.pi))
    # E[cos(x - loc)] = I1(k) / I0(k) = 1 - circular variance; E[sin(x - loc)] = 0
    c = np.cos(x - loc.double().numpy()).mean(0)
    np.testing.assert_allclose(c, 1 - d.variance.double().numpy(), atol=0.015)
    np.testing.assert_allclose(np.sin(x - loc.double().numpy()).mean(0), 0, atol=0.015)


def test_wishart_mode_and_df_check():
    cov = torch.eye(2, dtype=torch.float64)
    assert torch.isnan(Wishart(3.0, covariance_matrix=cov).mode).all()
    np.testing.assert_allclose(Wishart(5.0, covariance_matrix=cov).mode.numpy(), 2 * np.eye(2))
    with pytest.warns(UserWarning, match="^Low df values detected"):
        Wishart(1.5, covariance_matrix=cov)
    with pytest.raises(ValueError, match=r"^Value of df=0.5 expected to be greater than"):
        Wishart(0.5, covariance_matrix=cov)
