"""Samples of NegativeBinomial, ContinuousBernoulli, Kumaraswamy, FisherSnedecor,
GeneralizedPareto, LogisticNormal, LKJCholesky and OneHotCategoricalStraightThrough:
jitgrad's generator is not PyTorch's, so draws are checked statistically against closed
forms written here with ``math`` (fixed seeds), and reparameterized samples' gradients
against central differences of the same seeded draw (values, densities, errors and
gradients of log_prob are compared with PyTorch in test_distributions)."""

from __future__ import annotations

import importlib
import math

import numpy as np
import pytest

import jitgrad as torch

N = 200_000
D = torch.distributions


def _freq_close(x: np.ndarray, q: float, expected: float) -> None:
    """P(X <= q) within 5 binomial standard errors."""
    assert abs((x <= q).mean() - expected) < 5 * math.sqrt(expected * (1 - expected) / x.size)


def _phi(z: float) -> float:
    return 0.5 * math.erfc(-z / math.sqrt(2))


def test_negative_binomial_moments():
    torch.manual_seed(0)
    x = D.NegativeBinomial(3.0, probs=torch.tensor(0.4)).sample((N,)).numpy()
    mean, var = 3 * 0.4 / 0.6, 3 * 0.4 / 0.6**2
    assert np.all(x == np.round(x)) and x.min() >= 0
    assert abs(x.mean() - mean) < 5 * math.sqrt(var / N)
    assert abs(x.var() / var - 1) < 0.03


def test_continuous_bernoulli_samples_follow_the_cdf():
    torch.manual_seed(1)
    p = 0.2
    x = D.ContinuousBernoulli(torch.tensor(p, dtype=torch.float64)).sample((N,)).numpy()
    for q in (0.1, 0.5, 0.8):  # F(q) = (p^q (1 - p)^(1 - q) + p - 1) / (2p - 1)
        _freq_close(x, q, (p**q * (1 - p) ** (1 - q) + p - 1) / (2 * p - 1))


def test_kumaraswamy_samples_follow_the_cdf():
    torch.manual_seed(2)
    x = D.Kumaraswamy(2.0, 3.0).sample((N,)).numpy()
    for q in (0.2, 0.5, 0.7):  # F(q) = 1 - (1 - q^a)^b
        _freq_close(x, q, 1 - (1 - q**2) ** 3)


def test_fisher_snedecor_mean_and_median():
    torch.manual_seed(3)
    x = D.FisherSnedecor(torch.tensor(4.0), torch.tensor(20.0)).sample((N,)).numpy()
    mean = 20 / 18
    var = 2 * 20**2 * (4 + 20 - 2) / (4 * 18**2 * 16)
    assert abs(x.mean() - mean) < 5 * math.sqrt(var / N)
    # F(2, 2) has cdf x / (1 + x): its median is 1
    y = D.FisherSnedecor(2.0, 2.0).sample((N,)).numpy()
    _freq_close(y, 1.0, 0.5)
    _freq_close(y, 3.0, 0.75)


def test_generalized_pareto_samples_follow_the_cdf():
    torch.manual_seed(4)
    loc, scale, xi = 1.0, 2.0, 0.2
    x = D.GeneralizedPareto(loc, scale, xi).sample((N,)).numpy()
    assert x.min() >= loc
    for q in (1.5, 3.0, 8.0):
        _freq_close(x, q, 1 - (1 + xi * (q - loc) / scale) ** (-1 / xi))


def test_logistic_normal_first_coordinate():
    """For K = 3, x0 = sigmoid(y0 - log 2) (stick-breaking), y0 ~ Normal(loc, scale)."""
    torch.manual_seed(5)
    x = D.LogisticNormal(torch.tensor([0.3, -0.2]), torch.tensor([1.5, 0.5])).sample((N,))
    x = x.numpy()
    np.testing.assert_allclose(x.sum(-1), 1.0, rtol=1e-5)
    for q in (0.2, 0.5):
        z = (math.log(q / (1 - q)) + math.log(2) - 0.3) / 1.5
        _freq_close(x[:, 0], q, _phi(z))


def test_lkj_cholesky_correlations():
    """LKJ(eta) in d dimensions: each correlation has variance 1 / (2 eta + d - 1) = 1/6
    here, which row 1 of PyTorch's onion sampler gives. Its row 2 does not: PyTorch 2.13
    draws r[2, 0] and r[2, 1] with variance 3/14 (0.2145 and 0.2141 over 10^6 PyTorch
    draws, seed 0); jitgrad follows PyTorch's algorithm, so it is held to that."""
    torch.manual_seed(6)
    n = 40_000
    factor = D.LKJCholesky(3, torch.tensor(2.0, dtype=torch.float64)).sample((n,))
    corr = (factor @ factor.mT).numpy()
    np.testing.assert_allclose(np.diagonal(corr, axis1=-2, axis2=-1), 1.0, rtol=1e-10)
    assert np.all(np.linalg.eigvalsh(corr) > 0)
    for (i, j), var in {(1, 0): 1 / 6, (2, 0): 3 / 14, (2, 1): 3 / 14}.items():
        r = corr[:, i, j]
        assert abs(r.mean()) < 5 * math.sqrt(var / n)
        assert abs(r.var() / var - 1) < 0.05


def test_onehot_straight_through_rsample():
    torch.manual_seed(7)
    probs = torch.tensor([0.2, 0.3, 0.5], dtype=torch.float64, requires_grad=True)
    x = D.OneHotCategoricalStraightThrough(probs).rsample((N,))
    np.testing.assert_allclose(x.detach().numpy().mean(0), [0.2, 0.3, 0.5], atol=0.005)
    w = np.array([1.0, 2.0, 3.0])
    (x * torch.tensor(w)).sum().backward()
    # the sample's gradient is that of probs / probs.sum() (Categorical normalizes them)
    np.testing.assert_allclose(probs.grad.numpy(), N * (w - w @ [0.2, 0.3, 0.5]), rtol=1e-9)


RSAMPLED = {
    "kumaraswamy": lambda a: D.Kumaraswamy(a, a * 0 + 1.5),
    "continuous_bernoulli": lambda a: D.ContinuousBernoulli(a / 4),
    "generalized_pareto": lambda a: D.GeneralizedPareto(0.5, a, a * 0 + 0.3),
    "logistic_normal": lambda a: D.LogisticNormal(a, a * 0 + 0.7),
}


@pytest.mark.parametrize("name", sorted(RSAMPLED))
def test_rsample_gradient_is_the_derivative_of_the_seeded_draw(name):
    """rsample(a) is a function of the parameter around one uniform/normal draw: its
    gradient equals the central difference of the same seeded draw at a +- eps."""
    make = RSAMPLED[name]

    def draw(a):
        torch.manual_seed(11)
        return make(a).rsample((4,))

    a = torch.tensor([0.7, 1.3], dtype=torch.float64, requires_grad=True)
    draw(a).sum().backward()
    eps = 1e-6
    hi = [
        draw(torch.tensor([0.7 + eps * (i == 0), 1.3 + eps * (i == 1)], dtype=torch.float64))
        for i in range(2)
    ]
    lo = [
        draw(torch.tensor([0.7 - eps * (i == 0), 1.3 - eps * (i == 1)], dtype=torch.float64))
        for i in range(2)
    ]
    numeric = [float((h - l).sum()) / (2 * eps) for h, l in zip(hi, lo, strict=True)]
    np.testing.assert_allclose(a.grad.numpy(), numeric, rtol=1e-5, atol=1e-7)


def test_pytorch_submodule_paths():
    """PyTorch's one-file-per-distribution import paths reach the same classes."""
    paths = {
        "continuous_bernoulli": "ContinuousBernoulli", "fishersnedecor": "FisherSnedecor",
        "generalized_pareto": "GeneralizedPareto", "kumaraswamy": "Kumaraswamy",
        "lkj_cholesky": "LKJCholesky", "logistic_normal": "LogisticNormal",
        "negative_binomial": "NegativeBinomial",
        "one_hot_categorical": "OneHotCategoricalStraightThrough",
    }  # fmt: skip
    for sub, name in paths.items():
        module = importlib.import_module(f"jitgrad.distributions.{sub}")
        assert getattr(module, name) is getattr(D, name)
        assert getattr(D, name).__module__ == f"jitgrad.distributions.{sub}"
