"""The examples of torch.distributions' documentation, through quantities that do not
depend on the random generator: log_prob, entropy, mean / mode / variance / stddev,
cdf / icdf, batch_shape / event_shape, expand, Independent, support checks
(validate_args errors), kl_divergence between pairs, the score-function (REINFORCE)
surrogate and the pathwise (rsample) gradient, and TransformedDistribution with an affine
and exp transform (a LogNormal).

Docs: https://pytorch.org/docs/stable/distributions.html (pytorch/pytorch docstrings,
BSD-3-Clause). Written for jitgrad's corpus, not copied. Changes: samples are fixed tensors
where the docs draw them (the library generators differ); printed results.
"""
# ruff: noqa: E501  (the source's code and long printouts, kept as written)

import torch
from torch.distributions import (
    Bernoulli,
    Beta,
    Binomial,
    Categorical,
    Dirichlet,
    Exponential,
    Gamma,
    Independent,
    Laplace,
    LogNormal,
    MultivariateNormal,
    Normal,
    OneHotCategorical,
    Poisson,
    TransformedDistribution,
    Uniform,
    kl_divergence,
)
from torch.distributions.transforms import AffineTransform, ExpTransform

m = Normal(torch.tensor([0.0]), torch.tensor([1.0]))
print(m, m.batch_shape, m.event_shape)
print(m.log_prob(torch.tensor([0.5])), m.cdf(torch.tensor([0.5])), m.icdf(torch.tensor([0.9])))
print(m.entropy(), m.mean, m.stddev, m.variance, m.mode)
n = Normal(torch.tensor([0.0, 1.0]), torch.tensor([1.0, 2.0]))
print(n.log_prob(torch.tensor([[0.5, 0.5], [1.0, -1.0]])), n.expand((3, 2)).batch_shape)
ind = Independent(n, 1)
print(ind.batch_shape, ind.event_shape, ind.log_prob(torch.tensor([0.5, 0.5])))
m = Bernoulli(torch.tensor([0.3]))
print(m.log_prob(torch.tensor([1.0])), m.entropy(), m.mean, m.variance)
print(Bernoulli(logits=torch.tensor([0.0, 2.0])).probs)
m = Categorical(torch.tensor([0.25, 0.25, 0.25, 0.25]))
print(m.log_prob(torch.tensor(3)), m.entropy(), m.probs, m.param_shape)
c = Categorical(logits=torch.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]))
print(c.log_prob(torch.tensor([2, 0])), c.entropy(), c.logits, c.mode)
print(OneHotCategorical(torch.tensor([0.25, 0.25, 0.25, 0.25])).log_prob(torch.tensor([0.0, 0, 1, 0])))
m = Beta(torch.tensor([0.5]), torch.tensor([0.5]))
print(m.log_prob(torch.tensor([0.3])), m.mean, m.variance, m.entropy())
m = Gamma(torch.tensor([1.0]), torch.tensor([1.0]))
print(m.log_prob(torch.tensor([2.0])), m.mean, m.variance, m.entropy())
m = Dirichlet(torch.tensor([0.5, 0.5]))
print(m.log_prob(torch.tensor([0.3, 0.7])), m.mean, m.entropy())
m = Exponential(torch.tensor([1.0]))
print(m.log_prob(torch.tensor([2.0])), m.cdf(torch.tensor([2.0])), m.entropy())
m = Laplace(torch.tensor([0.0]), torch.tensor([1.0]))
print(m.log_prob(torch.tensor([1.5])), m.cdf(torch.tensor([1.5])), m.icdf(torch.tensor([0.2])))
m = Poisson(torch.tensor([4.0]))
print(m.log_prob(torch.tensor([3.0])), m.mean)
m = Binomial(100, torch.tensor([0, 0.2, 0.8, 1]))
print(m.log_prob(torch.tensor([0.0, 20.0, 80.0, 100.0])), m.mean, m.variance)
m = Uniform(torch.tensor([0.0]), torch.tensor([5.0]))
print(m.log_prob(torch.tensor([2.0])), m.cdf(torch.tensor([2.0])), m.entropy())
m = MultivariateNormal(torch.zeros(2), torch.eye(2))
print(m.log_prob(torch.tensor([0.5, -0.5])), m.entropy(), m.event_shape)
cov = torch.tensor([[2.0, 0.5], [0.5, 1.0]])
m = MultivariateNormal(torch.tensor([1.0, -1.0]), covariance_matrix=cov)
print(m.log_prob(torch.tensor([0.0, 0.0])), m.scale_tril, m.variance)

base_distribution = Uniform(0, 1)
print(base_distribution.log_prob(torch.tensor(0.5)))
ln = TransformedDistribution(Normal(0.0, 1.0), [ExpTransform()])
print(ln.log_prob(torch.tensor(2.0)), LogNormal(0.0, 1.0).log_prob(torch.tensor(2.0)))
aff = TransformedDistribution(Normal(0.0, 1.0), [AffineTransform(loc=3.0, scale=2.0)])
print(aff.log_prob(torch.tensor(4.0)), Normal(3.0, 2.0).log_prob(torch.tensor(4.0)))

p, q = Normal(0.0, 1.0), Normal(1.0, 2.0)
print(kl_divergence(p, q), kl_divergence(q, p))
print(kl_divergence(Categorical(torch.tensor([0.2, 0.8])), Categorical(torch.tensor([0.5, 0.5]))))
print(kl_divergence(Bernoulli(0.3), Bernoulli(0.6)), kl_divergence(Beta(2.0, 3.0), Beta(1.0, 1.0)))

probs = torch.tensor([0.1, 0.6, 0.3], requires_grad=True)
m = Categorical(probs)
action = torch.tensor(1)
reward = 2.0
loss = -m.log_prob(action) * reward
loss.backward()
print(probs.grad)

mu = torch.tensor(0.5, requires_grad=True)
sigma = torch.tensor(2.0, requires_grad=True)
eps = torch.tensor([0.3, -1.2, 0.8])
sample = mu + sigma * eps  # what rsample computes for these standard normal draws
(sample**2).mean().backward()
print(mu.grad, sigma.grad)

for bad in (lambda: Normal(0.0, -1.0, validate_args=True),
            lambda: Bernoulli(torch.tensor([1.5]), validate_args=True),
            lambda: Categorical(torch.tensor([0.5, 0.5]), validate_args=True).log_prob(torch.tensor(2))):  # fmt: skip
    try:
        bad()
    except ValueError as e:
        print("ValueError:", str(e)[:120])
