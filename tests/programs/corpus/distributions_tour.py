"""torch.distributions as the docs examples, VAE and policy-gradient tutorials use them:
Normal (log_prob, cdf, icdf, entropy, rsample with gradients), Categorical from logits and
probs, Bernoulli, Uniform, Beta, Gamma, Exponential, Laplace, Poisson, MultivariateNormal with
scale_tril, Independent, kl_divergence between Normals and Categoricals, batch/event shapes,
and a reparameterised ELBO term with backward.

Models: https://pytorch.org/docs/stable/distributions.html (pytorch/pytorch docstrings,
BSD-3-Clause). Written for jitgrad's corpus, not copied.
"""
# ruff: noqa: E501  (one-line printouts, as tutorials write them)

import torch
from torch.distributions import (
    Bernoulli,
    Beta,
    Categorical,
    Exponential,
    Gamma,
    Independent,
    Laplace,
    MultivariateNormal,
    Normal,
    Poisson,
    Uniform,
    kl_divergence,
)

n = Normal(torch.tensor([0.0, 1.0]), torch.tensor([1.0, 2.0]))
print(n)
print(n.batch_shape, n.event_shape, n.mean, n.stddev, n.variance)
v = torch.tensor([0.5, -1.0])
print(n.log_prob(v), n.cdf(v), n.icdf(torch.tensor([0.5, 0.975])), n.entropy())
c = Categorical(logits=torch.tensor([1.0, 2.0, 3.0]))
print(c.probs, c.log_prob(torch.tensor(2)), c.entropy(), c.param_shape)
c2 = Categorical(probs=torch.tensor([[0.2, 0.8], [0.5, 0.5]]))
print(c2.logits, c2.log_prob(torch.tensor([1, 0])), c2.batch_shape)
bern = Bernoulli(probs=torch.tensor([0.3, 0.9]))
print(bern.log_prob(torch.tensor([1.0, 0.0])), bern.entropy(), bern.mean, bern.variance)
print(Bernoulli(logits=torch.tensor(0.0)).probs)
u = Uniform(torch.tensor(0.0), torch.tensor(4.0))
print(u.log_prob(torch.tensor(1.0)), u.entropy(), u.cdf(torch.tensor(1.0)), u.mean, u.variance)
print(Beta(torch.tensor(2.0), torch.tensor(3.0)).log_prob(torch.tensor(0.4)), Beta(2.0, 3.0).mean)
g = Gamma(torch.tensor(2.0), torch.tensor(0.5))
print(g.log_prob(torch.tensor(3.0)), g.mean, g.variance, g.entropy())
print(Exponential(torch.tensor(2.0)).log_prob(torch.tensor(1.0)), Exponential(3.0).cdf(torch.tensor(0.5)))
print(Laplace(0.0, 2.0).log_prob(torch.tensor(1.0)), Laplace(0.0, 2.0).entropy())
print(Poisson(torch.tensor(3.0)).log_prob(torch.tensor(2.0)), Poisson(torch.tensor([1.0, 4.0])).mean)

loc = torch.tensor([0.0, 1.0])
tril = torch.tensor([[1.0, 0.0], [0.5, 2.0]])
mvn = MultivariateNormal(loc, scale_tril=tril)
print(mvn.batch_shape, mvn.event_shape, mvn.covariance_matrix)
print(mvn.log_prob(torch.tensor([0.5, 0.5])), mvn.entropy())
mvn2 = MultivariateNormal(loc, covariance_matrix=torch.tensor([[2.0, 0.3], [0.3, 1.0]]))
print(mvn2.log_prob(torch.tensor([[0.0, 0.0], [1.0, 2.0]])), mvn2.scale_tril)

ind = Independent(Normal(torch.zeros(3, 2), torch.ones(3, 2)), 1)
print(ind.batch_shape, ind.event_shape, ind.log_prob(torch.zeros(3, 2)))
print(kl_divergence(Normal(0.0, 1.0), Normal(1.0, 2.0)))
print(kl_divergence(Categorical(probs=torch.tensor([0.5, 0.5])), Categorical(probs=torch.tensor([0.9, 0.1]))))
print(kl_divergence(n, Normal(torch.zeros(2), torch.ones(2))))

torch.manual_seed(0)
mu = torch.tensor([0.5, -0.5], requires_grad=True)
log_sigma = torch.tensor([0.0, 0.1], requires_grad=True)
q = Normal(mu, log_sigma.exp())
z = q.rsample((4,))
print(z.shape, z.requires_grad)
prior = Normal(torch.zeros(2), torch.ones(2))
elbo = (prior.log_prob(z) - q.log_prob(z)).sum(-1).mean()
elbo.backward()
print(mu.grad, log_sigma.grad)
s = Normal(0.0, 1.0).sample((3,))
print(s.shape, s.requires_grad)
print(Categorical(logits=torch.zeros(4)).sample((5,)).shape)
