"""A RealNVP normalizing flow on 2-D data: alternating binary masks held as an
nn.Parameter(requires_grad=False), scale and translation nets built by lambdas
(Linear/LeakyReLU/Tanh Sequentials) in nn.ModuleList, the inverse pass g and forward pass f
with the log-determinant accumulated, log_prob under a
torch.distributions.MultivariateNormal prior, Adam over the parameters that require grad,
and sampling through prior.sample.

Source: https://github.com/senya-ashukha/real-nvp-pytorch (real-nvp-pytorch.ipynb; MIT
licence). Written for jitgrad's corpus, not copied. Changes: sklearn's make_moons is replaced
by a two-arc set made with torch (cos/sin of angles plus noise); hidden width 32 instead of
256; 20 steps of batch 32 instead of 5001 of 100; plotting is dropped.
"""
# ruff: noqa: E712, E731, UP008, UP031  (the original's style, kept)

import math

import numpy as np
import torch
from torch import distributions, nn


class RealNVP(nn.Module):
    def __init__(self, nets, nett, mask, prior):
        super(RealNVP, self).__init__()

        self.prior = prior
        self.mask = nn.Parameter(mask, requires_grad=False)
        self.t = torch.nn.ModuleList([nett() for _ in range(len(mask))])
        self.s = torch.nn.ModuleList([nets() for _ in range(len(mask))])

    def g(self, z):
        x = z
        for i in range(len(self.t)):
            x_ = x * self.mask[i]
            s = self.s[i](x_) * (1 - self.mask[i])
            t = self.t[i](x_) * (1 - self.mask[i])
            x = x_ + (1 - self.mask[i]) * (x * torch.exp(s) + t)
        return x

    def f(self, x):
        log_det_J, z = x.new_zeros(x.shape[0]), x
        for i in reversed(range(len(self.t))):
            z_ = self.mask[i] * z
            s = self.s[i](z_) * (1 - self.mask[i])
            t = self.t[i](z_) * (1 - self.mask[i])
            z = (1 - self.mask[i]) * (z - t) * torch.exp(-s) + z_
            log_det_J -= s.sum(dim=1)
        return z, log_det_J

    def log_prob(self, x):
        z, logp = self.f(x)
        return self.prior.log_prob(z) + logp

    def sample(self, batchSize):
        z = self.prior.sample((batchSize, 1))
        logp = self.prior.log_prob(z)  # noqa: F841  (unused in the original too)
        x = self.g(z)
        return x


def make_moons(n, noise=0.05):
    angles = math.pi * torch.rand(n)
    upper = torch.rand(n) < 0.5
    x = torch.where(upper, torch.cos(angles), 1 - torch.cos(angles))
    y = torch.where(upper, torch.sin(angles), 0.5 - torch.sin(angles))
    return torch.stack([x, y], dim=1) + noise * torch.randn(n, 2)


nets = lambda: nn.Sequential(
    nn.Linear(2, 32), nn.LeakyReLU(), nn.Linear(32, 32), nn.LeakyReLU(), nn.Linear(32, 2), nn.Tanh()
)
nett = lambda: nn.Sequential(
    nn.Linear(2, 32), nn.LeakyReLU(), nn.Linear(32, 32), nn.LeakyReLU(), nn.Linear(32, 2)
)
masks = torch.from_numpy(np.array([[0, 1], [1, 0]] * 3).astype(np.float32))
prior = distributions.MultivariateNormal(torch.zeros(2), torch.eye(2))
torch.manual_seed(0)
flow = RealNVP(nets, nett, masks, prior)
print(flow.mask.requires_grad, len(list(flow.parameters())), flow.s[0])

optimizer = torch.optim.Adam([p for p in flow.parameters() if p.requires_grad == True], lr=1e-3)
for t in range(20):
    noisy_moons = make_moons(32).float()
    loss = -flow.log_prob(noisy_moons).mean()

    optimizer.zero_grad()
    loss.backward(retain_graph=True)
    optimizer.step()

    if t % 5 == 0:
        print("iter %s:" % t, "loss = %.3f" % loss)

z = flow.f(make_moons(8))[0].detach().numpy()
print(z.shape, z.dtype)
x = flow.sample(4).detach()
print(x.shape)
print(prior.log_prob(torch.zeros(2)), prior.sample((3,)).shape)
print(flow.log_prob(torch.tensor([[0.5, 0.25], [1.0, -0.5]])))
