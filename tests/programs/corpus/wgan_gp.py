"""WGAN-GP's gradient penalty after the improved-training-of-WGAN implementations (Gulrajani et
al.; the PyTorch port in eriklindernoren/PyTorch-GAN, implementations/wgan_gp/wgan_gp.py):
random interpolates alpha * real + (1 - alpha) * fake with requires_grad_(True),
autograd.grad(outputs=d_interpolates, inputs=interpolates, grad_outputs=ones,
create_graph=True, retain_graph=True, only_inputs=True)[0], ((grad.norm(2, dim=1) - 1) ** 2).mean()
* lambda_gp in the critic's loss, Adam with betas (0.5, 0.999) and a generator step every
n_critic critic steps.

Source: https://github.com/eriklindernoren/PyTorch-GAN (implementations/wgan_gp/wgan_gp.py; MIT).
Written for jitgrad's corpus after its structure, not copied. Changes: 2-D toy data (a ring of
Gaussians) and MLPs instead of images, 6 iterations.
"""
# ruff: noqa: E501, UP031  (the original's style, kept)

import math

import numpy as np
import torch
import torch.autograd as autograd
import torch.nn as nn

torch.manual_seed(1)
latent_dim, lambda_gp, n_critic = 4, 10, 3


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.model = nn.Sequential(nn.Linear(latent_dim, 32), nn.LeakyReLU(0.2, inplace=True),
                                   nn.Linear(32, 32), nn.LeakyReLU(0.2, inplace=True), nn.Linear(32, 2))

    def forward(self, z):
        return self.model(z)


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.model = nn.Sequential(nn.Linear(2, 32), nn.LeakyReLU(0.2, inplace=True),
                                   nn.Linear(32, 32), nn.LeakyReLU(0.2, inplace=True), nn.Linear(32, 1))

    def forward(self, x):
        return self.model(x)


def compute_gradient_penalty(D, real_samples, fake_samples):
    alpha = torch.Tensor(np.random.random((real_samples.size(0), 1)))
    interpolates = (alpha * real_samples + ((1 - alpha) * fake_samples)).requires_grad_(True)
    d_interpolates = D(interpolates)
    fake = torch.ones(real_samples.shape[0], 1, requires_grad=False)
    gradients = autograd.grad(
        outputs=d_interpolates, inputs=interpolates, grad_outputs=fake,
        create_graph=True, retain_graph=True, only_inputs=True,
    )[0]
    gradients = gradients.view(gradients.size(0), -1)
    gradient_penalty = ((gradients.norm(2, dim=1) - 1) ** 2).mean()
    return gradient_penalty


def real_batch(n):
    k = torch.randint(0, 8, (n,)).float() * (2 * math.pi / 8)
    centers = torch.stack([torch.cos(k), torch.sin(k)], dim=1) * 2.0
    return centers + 0.05 * torch.randn(n, 2)


np.random.seed(0)
generator, discriminator = Generator(), Discriminator()
optimizer_G = torch.optim.Adam(generator.parameters(), lr=1e-3, betas=(0.5, 0.999))
optimizer_D = torch.optim.Adam(discriminator.parameters(), lr=1e-3, betas=(0.5, 0.999))
for i in range(6):
    real_imgs = real_batch(16)
    optimizer_D.zero_grad()
    z = torch.Tensor(np.random.normal(0, 1, (16, latent_dim)))
    fake_imgs = generator(z)
    real_validity = discriminator(real_imgs)
    fake_validity = discriminator(fake_imgs)
    gradient_penalty = compute_gradient_penalty(discriminator, real_imgs.data, fake_imgs.data)
    d_loss = -torch.mean(real_validity) + torch.mean(fake_validity) + lambda_gp * gradient_penalty
    d_loss.backward()
    optimizer_D.step()
    optimizer_G.zero_grad()
    if i % n_critic == 0:
        fake_imgs = generator(z)
        fake_validity = discriminator(fake_imgs)
        g_loss = -torch.mean(fake_validity)
        g_loss.backward()
        optimizer_G.step()
        print("[Iter %d] [D loss: %f] [G loss: %f] [GP: %f]" % (i, d_loss.item(), g_loss.item(), gradient_penalty.item()))
    else:
        print("[Iter %d] [D loss: %f] [GP: %f]" % (i, d_loss.item(), gradient_penalty.item()))
print(gradient_penalty.grad_fn.name(), d_loss.grad_fn.name())
print(discriminator.model[0].weight.grad[:2])
