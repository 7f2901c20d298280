"""ConvMixer ("Patches Are All You Need?"): a patch embedding convolution (kernel = stride =
patch size), then depth blocks of a residual depthwise convolution (groups=dim,
padding="same") and a pointwise 1x1 convolution, each followed by GELU and BatchNorm2d;
global average pooling and a linear head. Shapes, a training step with label smoothing, and
eval-mode outputs.

Model: https://github.com/locuslab/convmixer (convmixer.py, MIT), Trockman and Kolter 2022.
Written for jitgrad's corpus, not copied. Changes: dim 8, depth 2, kernel 3, patch 2, 1x8x8
inputs.
"""

import torch
import torch.nn as nn


class Residual(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x) + x


def ConvMixer(dim, depth, kernel_size=9, patch_size=7, n_classes=1000):
    return nn.Sequential(
        nn.Conv2d(1, dim, kernel_size=patch_size, stride=patch_size),
        nn.GELU(),
        nn.BatchNorm2d(dim),
        *[nn.Sequential(
            Residual(nn.Sequential(
                nn.Conv2d(dim, dim, kernel_size, groups=dim, padding="same"),
                nn.GELU(),
                nn.BatchNorm2d(dim),
            )),
            nn.Conv2d(dim, dim, kernel_size=1),
            nn.GELU(),
            nn.BatchNorm2d(dim),
        ) for i in range(depth)],
        nn.AdaptiveAvgPool2d((1, 1)),
        nn.Flatten(),
        nn.Linear(dim, n_classes),
    )


torch.manual_seed(0)
model = ConvMixer(8, 2, kernel_size=3, patch_size=2, n_classes=4)
print(model[3][0].fn[0])
x = torch.randn(4, 1, 8, 8)
y = torch.tensor([0, 1, 2, 3])
print(model(x).shape)
crit = nn.CrossEntropyLoss(label_smoothing=0.1)
opt = torch.optim.AdamW(model.parameters(), lr=0.01, weight_decay=0.05)
for step in range(3):
    out = model(x)
    loss = crit(out, y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    print(step, round(loss.item(), 4))
print(model[3][0].fn[0].weight.grad.shape, model[2].running_var)
model.eval()
print(model(x))
