"""DenseNet from d2l (Dive into Deep Learning 8.7): conv_block (BatchNorm, ReLU, 3x3 conv), a
DenseBlock concatenating each block's output to its input along channels, transition_block
(BatchNorm, ReLU, 1x1 conv, 2x2 average pooling), a small DenseNet with growth rate 4, and
two training steps.

Model: https://d2l.ai/chapter_convolutional-modern/densenet.html (d2l-ai/d2l-en, code MIT-0).
Written for jitgrad's corpus, not copied. Changes: 1x16x16 inputs, two dense blocks of two
convs.
"""
# ruff: noqa: B007  (the source's unused loop variables, kept as written)

import torch
from torch import nn

torch.manual_seed(0)


def conv_block(num_channels):
    return nn.Sequential(
        nn.LazyBatchNorm2d(), nn.ReLU(), nn.LazyConv2d(num_channels, kernel_size=3, padding=1)
    )


class DenseBlock(nn.Module):
    def __init__(self, num_convs, num_channels):
        super().__init__()
        layer = []
        for i in range(num_convs):
            layer.append(conv_block(num_channels))
        self.net = nn.Sequential(*layer)

    def forward(self, X):
        for blk in self.net:
            Y = blk(X)
            X = torch.cat((X, Y), dim=1)
        return X


def transition_block(num_channels):
    return nn.Sequential(
        nn.LazyBatchNorm2d(), nn.ReLU(),
        nn.LazyConv2d(num_channels, kernel_size=1),
        nn.AvgPool2d(kernel_size=2, stride=2),
    )


blk = DenseBlock(2, 10)
X = torch.randn(4, 3, 8, 8)
Y = blk(X)
print(Y.shape)
print(transition_block(10)(Y).shape)

net = nn.Sequential(
    nn.LazyConv2d(8, kernel_size=3, padding=1), nn.LazyBatchNorm2d(), nn.ReLU(),
    DenseBlock(2, 4), transition_block(8),
    DenseBlock(2, 4), nn.LazyBatchNorm2d(), nn.ReLU(),
    nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.LazyLinear(10),
)
X = torch.randn(4, 1, 16, 16)
y = torch.tensor([1, 0, 4, 9])
net(X)
opt = torch.optim.SGD(net.parameters(), lr=0.1)
for step in range(2):
    loss = nn.functional.cross_entropy(net(X), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    print(step, round(loss.item(), 4))
print(net[1].running_mean, net[1].num_batches_tracked)
net.eval()
print(net(X).argmax(1), net[3].net[1][0].running_var[:4])
