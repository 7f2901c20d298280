"""HalfCauchy, Pareto and Weibull samples: jitgrad's generator is not PyTorch's, so the
draws are checked statistically against closed forms computed here with ``math`` (the
densities, moments, gradients and errors are compared with PyTorch in test_distributions)."""

from __future__ import annotations

import math

import numpy as np

import jitgrad as torch

N = 200_000


def test_weibull_sample_moments():
    torch.manual_seed(0)
    x = torch.distributions.Weibull(2.0, 1.5).sample((N,)).numpy()
    mean = 2.0 * math.gamma(1 + 1 / 1.5)
    var = 4.0 * (math.gamma(1 + 2 / 1.5) - math.gamma(1 + 1 / 1.5) ** 2)
    assert abs(x.mean() - mean) < 5 * math.sqrt(var / N)
    assert abs(x.var() / var - 1) < 0.03


def test_pareto_samples_follow_the_cdf():
    torch.manual_seed(1)
    x = torch.distributions.Pareto(0.5, 3.0).sample((N,)).numpy()
    assert x.min() >= 0.5
    for q in (1.0, 2.0):  # P(X <= q) = 1 - (scale / q) ** alpha
        expected = 1 - (0.5 / q) ** 3.0
        assert abs((x <= q).mean() - expected) < 5 * math.sqrt(expected * (1 - expected) / N)


def test_half_cauchy_median_is_the_scale_and_rsample_has_gradients():
    torch.manual_seed(2)
    scale = torch.tensor([1.5], dtype=torch.float64, requires_grad=True)
    x = torch.distributions.HalfCauchy(scale).rsample((N,))
    assert abs(np.median(x.detach().numpy()) - 1.5) < 0.02
    x.sum().backward()  # d|scale * c| / dscale = |c| = x / scale
    np.testing.assert_allclose(scale.grad.numpy(), x.detach().numpy().sum() / 1.5, rtol=1e-12)


def test_pytorch_submodule_paths():
    from jitgrad.distributions.half_cauchy import HalfCauchy
    from jitgrad.distributions.pareto import Pareto
    from jitgrad.distributions.weibull import Weibull

    assert (HalfCauchy, Pareto, Weibull) == (
        torch.distributions.HalfCauchy,
        torch.distributions.Pareto,
        torch.distributions.Weibull,
    )
    assert repr(Weibull) == "<class 'jitgrad.distributions.weibull.Weibull'>"
