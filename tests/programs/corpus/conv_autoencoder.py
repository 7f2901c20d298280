"""A convolutional autoencoder as the autoencoder blog posts and teaching notebooks write one:
Conv2d/MaxPool2d encoder, ConvTranspose2d decoder (stride 2, output_padding), Sigmoid output,
MSE reconstruction loss trained with Adam on synthetic 12x12 "images", intermediate shapes
printed by a forward hook, and the latent code of one image.

Models: https://pytorch.org/docs/stable/generated/torch.nn.ConvTranspose2d.html
(BSD-3-Clause) and the common "autoencoder in PyTorch" notebook layout. Written for jitgrad's
corpus, not copied.
"""
# ruff: noqa: E501  (one-line printouts, as tutorials write them)

import torch
import torch.nn as nn


class AE(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(4, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.decoder = nn.Sequential(
            nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
            nn.ConvTranspose2d(4, 1, 2, stride=2), nn.Sigmoid(),
        )

    def forward(self, x):
        return self.decoder(self.encoder(x))


torch.manual_seed(0)
model = AE()
print(model)
shapes = []
for m in list(model.encoder) + list(model.decoder):
    m.register_forward_hook(lambda mod, i, o: shapes.append((type(mod).__name__, tuple(o.shape))))
xx, yy = torch.meshgrid(torch.linspace(-1, 1, 12), torch.linspace(-1, 1, 12), indexing="ij")
centers = torch.rand(16, 2) - 0.5
imgs = torch.exp(-((xx - centers[:, 0, None, None]) ** 2 + (yy - centers[:, 1, None, None]) ** 2) / 0.1)
imgs = imgs.unsqueeze(1)
model(imgs[:1])
print(shapes)
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for epoch in range(25):
    opt.zero_grad()
    recon = model(imgs)
    loss = nn.functional.mse_loss(recon, imgs)
    loss.backward()
    opt.step()
    if epoch % 5 == 0:
        print(epoch, round(loss.item(), 5))
with torch.no_grad():
    code = model.encoder(imgs[:1])
print(code.shape, code.flatten()[:6])
