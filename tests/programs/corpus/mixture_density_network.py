"""A mixture density network after hardmaru's pytorch_notebooks/mixture_density_networks.ipynb:
the inverted sinusoid toy problem (x = 7 sin(0.75 y) + 0.5 y + noise), an MDN head giving
pi (softmax), sigma (exp) and mu for each Gaussian, the loss -log(sum(pi * N(y | mu, sigma)))
through a hand-written gaussian_distribution (ONEOVERSQRT2PI), the numerically safer
logsumexp form, and sampling with torch.distributions Categorical / Normal.

Source: https://github.com/hardmaru/pytorch_notebooks (mixture_density_networks.ipynb; MIT).
Written for jitgrad's corpus after its structure, not copied. Changes: 200 points, 30 Adam steps,
the logsumexp loss printed beside the notebook's.
"""

import math

import numpy as np
import torch
import torch.nn as nn
from torch.distributions import Categorical, Normal

ONEOVERSQRT2PI = 1.0 / math.sqrt(2 * math.pi)
n_samples = 200
rs = np.random.RandomState(7)
y_data = np.float32(rs.uniform(-10.5, 10.5, (1, n_samples))).T
r_data = np.float32(rs.normal(size=(n_samples, 1)))
x_data = np.float32(np.sin(0.75 * y_data) * 7.0 + y_data * 0.5 + r_data * 1.0)
x_tensor = torch.from_numpy(x_data)
y_tensor = torch.from_numpy(y_data)


class MDN(nn.Module):
    def __init__(self, n_hidden, n_gaussians):
        super().__init__()
        self.z_h = nn.Sequential(nn.Linear(1, n_hidden), nn.Tanh())
        self.z_pi = nn.Linear(n_hidden, n_gaussians)
        self.z_sigma = nn.Linear(n_hidden, n_gaussians)
        self.z_mu = nn.Linear(n_hidden, n_gaussians)

    def forward(self, x):
        z_h = self.z_h(x)
        pi = nn.functional.softmax(self.z_pi(z_h), -1)
        sigma = torch.exp(self.z_sigma(z_h))
        mu = self.z_mu(z_h)
        return pi, sigma, mu


def gaussian_distribution(y, mu, sigma):
    result = (y.expand_as(mu) - mu) * torch.reciprocal(sigma)
    result = -0.5 * (result * result)
    return (torch.exp(result) * torch.reciprocal(sigma)) * ONEOVERSQRT2PI


def mdn_loss_fn(pi, sigma, mu, y):
    result = gaussian_distribution(y, mu, sigma) * pi
    result = torch.sum(result, dim=1)
    result = -torch.log(result)
    return torch.mean(result)


def mdn_loss_logsumexp(pi, sigma, mu, y):
    log_prob = Normal(mu, sigma).log_prob(y.expand_as(mu))
    return -torch.logsumexp(log_prob + torch.log(pi), dim=1).mean()


torch.manual_seed(0)
network = MDN(n_hidden=20, n_gaussians=5)
optimizer = torch.optim.Adam(network.parameters(), lr=0.01)
for epoch in range(30):
    pi_variable, sigma_variable, mu_variable = network(x_tensor)
    loss = mdn_loss_fn(pi_variable, sigma_variable, mu_variable, y_tensor)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if epoch % 5 == 0:
        alt = mdn_loss_logsumexp(pi_variable, sigma_variable, mu_variable, y_tensor)
        print(epoch, loss.item(), alt.item())
print(loss.grad_fn.name())
x_test = torch.linspace(-15, 15, 8).view(-1, 1)
pi, sigma, mu = network(x_test)
print(pi.sum(1))
print(mu[:3])
k = Categorical(pi).sample()
print(k.tolist())
idx = torch.arange(8)
samples = Normal(mu[idx, k], sigma[idx, k]).sample()
print(samples.shape, samples.dtype)
