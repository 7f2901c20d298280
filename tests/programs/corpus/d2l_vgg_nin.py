"""VGG and NiN (Dive into Deep Learning 8.2-8.3): vgg_block (conv 3x3 padding 1 + ReLU, then
max-pool 2), a VGG built from an arch list with nn.LazyLinear heads, and nin_block (a conv
followed by two 1x1 convs) ending in AdaptiveAvgPool2d + Flatten; each layer's output shape
printed as d2l's layer_summary does, then one SGD step of each.

Model: https://d2l.ai/chapter_convolutional-modern/vgg.html and nin.html (d2l-ai/d2l-en, code
MIT-0). Written for jitgrad's corpus, not copied. Changes: 1x16x16 inputs and narrow
channels instead of 224x224 ImageNet sizes.
"""

import torch
from torch import nn

torch.manual_seed(0)


def vgg_block(num_convs, out_channels):
    layers = []
    for _ in range(num_convs):
        layers.append(nn.LazyConv2d(out_channels, kernel_size=3, padding=1))
        layers.append(nn.ReLU())
    layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
    return nn.Sequential(*layers)


def vgg(arch, num_classes=10):
    conv_blks = [vgg_block(n, c) for n, c in arch]
    return nn.Sequential(
        *conv_blks, nn.Flatten(),
        nn.LazyLinear(32), nn.ReLU(), nn.Dropout(0.5),
        nn.LazyLinear(32), nn.ReLU(), nn.Dropout(0.5),
        nn.LazyLinear(num_classes),
    )


def nin_block(out_channels, kernel_size, strides, padding):
    return nn.Sequential(
        nn.LazyConv2d(out_channels, kernel_size, strides, padding), nn.ReLU(),
        nn.LazyConv2d(out_channels, kernel_size=1), nn.ReLU(),
        nn.LazyConv2d(out_channels, kernel_size=1), nn.ReLU(),
    )


def nin(num_classes=10):
    return nn.Sequential(
        nin_block(8, kernel_size=3, strides=1, padding=1),
        nn.MaxPool2d(3, stride=2),
        nin_block(12, kernel_size=3, strides=1, padding=1),
        nn.MaxPool2d(3, stride=2),
        nn.Dropout(0.5),
        nin_block(num_classes, kernel_size=3, strides=1, padding=1),
        nn.AdaptiveAvgPool2d((1, 1)),
        nn.Flatten(),
    )


def layer_summary(net, X_shape):
    X = torch.randn(*X_shape)
    for layer in net:
        X = layer(X)
        print(layer.__class__.__name__, "output shape:\t", X.shape)


for name, net in (("vgg", vgg(((1, 4), (1, 8), (2, 8)))), ("nin", nin())):
    print(name)
    layer_summary(net, (1, 1, 16, 16))
    X = torch.randn(4, 1, 16, 16)
    y = torch.tensor([0, 3, 5, 9])
    opt = torch.optim.SGD(net.parameters(), lr=0.05)
    for step in range(2):
        loss = nn.functional.cross_entropy(net(X), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        print(step, round(loss.item(), 4))
    print(sum(p.numel() for p in net.parameters()))
    net.eval()
    print(net(X[:1]).argmax(1))
