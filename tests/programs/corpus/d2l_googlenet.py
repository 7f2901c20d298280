"""GoogLeNet's Inception block (Dive into Deep Learning 8.4): four branches (1x1; 1x1 then 3x3;
1x1 then 5x5; 3x3 max-pool then 1x1) concatenated along channels, a small GoogLeNet-shaped
net of stem, two Inception blocks, global average pooling and a LazyLinear head; shapes per
stage, a forward and a backward.

Model: https://d2l.ai/chapter_convolutional-modern/googlenet.html (d2l-ai/d2l-en, code MIT-0).
Written for jitgrad's corpus, not copied. Changes: narrow channel counts and a 1x24x24 input.
"""

import torch
from torch import nn
from torch.nn import functional as F

torch.manual_seed(0)


class Inception(nn.Module):
    def __init__(self, c1, c2, c3, c4, **kwargs):
        super().__init__(**kwargs)
        self.b1_1 = nn.LazyConv2d(c1, kernel_size=1)
        self.b2_1 = nn.LazyConv2d(c2[0], kernel_size=1)
        self.b2_2 = nn.LazyConv2d(c2[1], kernel_size=3, padding=1)
        self.b3_1 = nn.LazyConv2d(c3[0], kernel_size=1)
        self.b3_2 = nn.LazyConv2d(c3[1], kernel_size=5, padding=2)
        self.b4_1 = nn.MaxPool2d(kernel_size=3, stride=1, padding=1)
        self.b4_2 = nn.LazyConv2d(c4, kernel_size=1)

    def forward(self, x):
        b1 = F.relu(self.b1_1(x))
        b2 = F.relu(self.b2_2(F.relu(self.b2_1(x))))
        b3 = F.relu(self.b3_2(F.relu(self.b3_1(x))))
        b4 = F.relu(self.b4_2(self.b4_1(x)))
        return torch.cat((b1, b2, b3, b4), dim=1)


stem = nn.Sequential(
    nn.LazyConv2d(8, kernel_size=7, stride=2, padding=3), nn.ReLU(),
    nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
)
b3 = nn.Sequential(
    Inception(4, (4, 8), (2, 4), 4), Inception(8, (8, 12), (4, 6), 6),
    nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
)
head = nn.Sequential(nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.LazyLinear(10))
net = nn.Sequential(stem, b3, head)

X = torch.randn(2, 1, 24, 24)
for blk in net:
    X = blk(X)
    print(blk.__class__.__name__, "output shape:\t", X.shape)
print(Inception(2, (2, 3), (1, 2), 2)(torch.randn(1, 3, 5, 5)).shape)
try:
    net[1][0](torch.randn(1, 3, 5, 5))
except RuntimeError as e:
    print("RuntimeError:", e)
out = net(torch.randn(2, 1, 24, 24))
print(out)
loss = F.cross_entropy(out, torch.tensor([1, 2]))
loss.backward()
print(loss.grad_fn.name(), round(loss.item(), 5))
print(net[1][0].b3_2.weight.grad.shape, net[1][0].b3_2.weight.grad.abs().sum())
print(net[2][2].bias.grad)
