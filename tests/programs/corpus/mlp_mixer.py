"""MLP-Mixer: patches embedded by a linear layer, then blocks that mix across tokens (an MLP
over the patch axis, through a 1-d convolution with kernel 1 as in lucidrains' code) and across
channels (an MLP over features), each pre-normed with LayerNorm and residual; mean pooling and
a linear head. Shapes, the parameter count and three AdamW steps.

Model: https://github.com/lucidrains/mlp-mixer-pytorch (mlp_mixer_pytorch.py, MIT) after
Tolstikhin et al. 2021. Written for jitgrad's corpus, not copied. Changes: einops' Rearrange
written with reshape/permute; 1x8x8 images, patch 4, dim 16, depth 2.
"""

from functools import partial

import torch
from torch import nn

torch.manual_seed(0)


class PreNormResidual(nn.Module):
    def __init__(self, dim, fn):
        super().__init__()
        self.fn = fn
        self.norm = nn.LayerNorm(dim)

    def forward(self, x):
        return self.fn(self.norm(x)) + x


def FeedForward(dim, expansion_factor=4, dropout=0.0, dense=nn.Linear):
    inner_dim = int(dim * expansion_factor)
    return nn.Sequential(
        dense(dim, inner_dim), nn.GELU(), nn.Dropout(dropout),
        dense(inner_dim, dim), nn.Dropout(dropout),
    )


class Patchify(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.p = p

    def forward(self, img):
        b, c, h, w = img.shape
        p = self.p
        x = img.reshape(b, c, h // p, p, w // p, p).permute(0, 2, 4, 3, 5, 1)
        return x.reshape(b, (h // p) * (w // p), p * p * c)


def MLPMixer(*, image_size, channels, patch_size, dim, depth, num_classes,
             expansion_factor=4, expansion_factor_token=0.5, dropout=0.0):
    num_patches = (image_size // patch_size) ** 2
    chan_first, chan_last = partial(nn.Conv1d, kernel_size=1), nn.Linear
    return nn.Sequential(
        Patchify(patch_size),
        nn.Linear((patch_size**2) * channels, dim),
        *[nn.Sequential(
            PreNormResidual(dim, FeedForward(num_patches, expansion_factor, dropout, chan_first)),
            PreNormResidual(dim, FeedForward(dim, expansion_factor_token, dropout, chan_last)),
        ) for _ in range(depth)],
        nn.LayerNorm(dim),
        nn.Flatten(1, 1),
        Reduce(),
        nn.Linear(dim, num_classes),
    )


class Reduce(nn.Module):
    def forward(self, x):
        return x.mean(dim=1)


model = MLPMixer(image_size=8, channels=1, patch_size=4, dim=16, depth=2, num_classes=5)
img = torch.randn(3, 1, 8, 8)
pred = model(img)
print(pred.shape, pred.grad_fn.name())
print(pred)
print(sum(p.numel() for p in model.parameters()))
print(model[2][0].fn[0])
labels = torch.tensor([0, 4, 2])
opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
for step in range(3):
    loss = nn.functional.cross_entropy(model(img), labels)
    opt.zero_grad()
    loss.backward()
    opt.step()
    print(step, round(loss.item(), 4), model[2][0].fn[0].weight.grad.shape)
