"""A tiny GAN learning a 1-D Gaussian, the way introductory GAN blog posts and teaching repos
write one: generator and discriminator MLPs, BCELoss with real/fake labels, detach() of the
fake batch for the discriminator step, separate Adam optimizers with betas=(0.5, 0.999), and
the generated distribution's mean/std printed as training goes.

Models: the DCGAN tutorial's training loop (https://pytorch.org/tutorials/beginner/
dcgan_faces_tutorial.html, BSD-3-Clause) shrunk to 1-D data. Written for jitgrad's corpus, not
copied.
"""

import torch
import torch.nn as nn

torch.manual_seed(0)
G = nn.Sequential(nn.Linear(4, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1))
D = nn.Sequential(nn.Linear(1, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1), nn.Sigmoid())
criterion = nn.BCELoss()
optD = torch.optim.Adam(D.parameters(), lr=2e-3, betas=(0.5, 0.999))
optG = torch.optim.Adam(G.parameters(), lr=2e-3, betas=(0.5, 0.999))
real_label, fake_label = 1.0, 0.0
batch = 32
for it in range(60):
    real = 3.0 + 0.5 * torch.randn(batch, 1)
    D.zero_grad()
    label = torch.full((batch, 1), real_label)
    errD_real = criterion(D(real), label)
    errD_real.backward()
    noise = torch.randn(batch, 4)
    fake = G(noise)
    label.fill_(fake_label)
    out = D(fake.detach())
    errD_fake = criterion(out, label)
    errD_fake.backward()
    D_G_z1 = out.mean().item()
    errD = errD_real + errD_fake
    optD.step()
    G.zero_grad()
    label.fill_(real_label)
    out = D(fake)
    errG = criterion(out, label)
    errG.backward()
    optG.step()
    if it % 15 == 0:
        print(f"[{it}] Loss_D: {errD.item():.4f} Loss_G: {errG.item():.4f} D(G(z)): {D_G_z1:.4f}")
with torch.no_grad():
    samples = G(torch.randn(500, 4))
print(round(samples.mean().item(), 3), round(samples.std().item(), 3))
