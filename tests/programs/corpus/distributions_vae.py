"""A VAE written with torch.distributions, after Pyro-free PyTorch examples of the pattern
(e.g. the "VAE with torch.distributions" formulation in pytorch/examples' vae and
Jackson-Kang/Pytorch-VAE-tutorial): the encoder returns Independent(Normal(loc, scale), 1) with
scale from softplus, z = q.rsample(), the prior Independent(Normal(0, 1), 1), a Bernoulli(logits=...)
likelihood's log_prob summed over pixels, kl_divergence(q, p) (the registered analytic KL),
checked against the closed-form -0.5 * sum(1 + logvar - mu^2 - exp(logvar)) and a Monte-Carlo
estimate q.log_prob(z) - p.log_prob(z); the ELBO trained with Adam; batch_shape / event_shape
printed.

Sources: https://github.com/pytorch/examples (vae/main.py; BSD-3) and
https://pytorch.org/docs/stable/distributions.html (rsample, Independent, kl_divergence).
Written for jitgrad's corpus after their structure, not copied. Changes: 16-pixel binary
"images" generated from two prototypes, latent size 2, 5 steps.
"""
# ruff: noqa: E501  (the original's style, kept)

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.distributions import Bernoulli, Independent, Normal, kl_divergence


class VAE(nn.Module):
    def __init__(self, x_dim=16, h_dim=12, z_dim=2):
        super().__init__()
        self.enc = nn.Linear(x_dim, h_dim)
        self.loc = nn.Linear(h_dim, z_dim)
        self.raw_scale = nn.Linear(h_dim, z_dim)
        self.dec = nn.Sequential(nn.Linear(z_dim, h_dim), nn.ReLU(), nn.Linear(h_dim, x_dim))
        self.z_dim = z_dim

    def encode(self, x):
        h = F.relu(self.enc(x))
        return Independent(Normal(self.loc(h), F.softplus(self.raw_scale(h)) + 1e-4), 1)

    def forward(self, x):
        q = self.encode(x)
        z = q.rsample()
        p_x = Independent(Bernoulli(logits=self.dec(z)), 1)
        prior = Independent(Normal(torch.zeros_like(z), torch.ones_like(z)), 1)
        return q, prior, z, p_x


torch.manual_seed(2)
protos = (torch.rand(2, 16) > 0.5).float()
x = protos[torch.randint(0, 2, (32,))]
flip = (torch.rand(32, 16) < 0.1).float()
x = (x - flip).abs()
model = VAE()
q, prior, z, p_x = model(x)
print(q.batch_shape, q.event_shape, p_x.batch_shape, p_x.event_shape)
kl = kl_divergence(q, prior)
mu, std = q.base_dist.loc, q.base_dist.scale
closed = -0.5 * torch.sum(1 + 2 * torch.log(std) - mu.pow(2) - std.pow(2), dim=1)
print("kl matches closed form:", torch.allclose(kl, closed, atol=1e-5))
print(kl[:3], (q.log_prob(z) - prior.log_prob(z))[:3])
print(z.grad_fn is not None, q.has_rsample, p_x.has_rsample)
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for step in range(5):
    q, prior, z, p_x = model(x)
    elbo = p_x.log_prob(x) - kl_divergence(q, prior)
    loss = -elbo.mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    print(step, round(loss.item(), 5))
print(model.loc.weight.grad.norm().item())
with torch.no_grad():
    recon = Bernoulli(logits=model.dec(model.encode(x[:2]).mean)).probs
print(recon.round(decimals=3))
print(Normal(0.0, 1.0).entropy(), q.entropy()[:2])
