"""Fully convolutional networks (Dive into Deep Learning 14.11): a transposed convolution
initialized with bilinear_kernel upsamples an image by 2 (kernel 4, padding 1, stride 2);
the FCN head (a 1x1 conv to the classes, then a bilinear-initialized ConvTranspose2d back to
the input size) over a tiny backbone; shapes, values and pixel-wise loss steps.

Model: https://d2l.ai/chapter_computer-vision/fcn.html (d2l-ai/d2l-en, code MIT-0). Written
for jitgrad's corpus, not copied. Changes: a 3-layer conv backbone instead of ResNet-18, a
random 3x8x8 "image" and random label maps; the
head upsamples 2x (kernel 4, padding 1, stride 2), not 32x.
"""

import torch
from torch import nn
from torch.nn import functional as F

torch.manual_seed(0)


def bilinear_kernel(in_channels, out_channels, kernel_size):
    factor = (kernel_size + 1) // 2
    if kernel_size % 2 == 1:
        center = factor - 1
    else:
        center = factor - 0.5
    og = (torch.arange(kernel_size).reshape(-1, 1), torch.arange(kernel_size).reshape(1, -1))
    filt = (1 - torch.abs(og[0] - center) / factor) * (1 - torch.abs(og[1] - center) / factor)
    weight = torch.zeros((in_channels, out_channels, kernel_size, kernel_size))
    weight[range(in_channels), range(out_channels), :, :] = filt
    return weight


print(bilinear_kernel(1, 1, 4)[0, 0])
conv_trans = nn.ConvTranspose2d(3, 3, kernel_size=4, padding=1, stride=2, bias=False)
conv_trans.weight.data.copy_(bilinear_kernel(3, 3, 4))
img = torch.arange(48.0).reshape(1, 3, 4, 4) / 48
Y = conv_trans(img)
print(Y.shape)
print(Y[0, 0].detach())

num_classes = 5
backbone = nn.Sequential(
    nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 8, 3, stride=2, padding=1), nn.ReLU()
)
net = nn.Sequential(
    backbone,
    nn.Conv2d(8, num_classes, kernel_size=1),
    nn.ConvTranspose2d(num_classes, num_classes, kernel_size=4, padding=1, stride=2),
)
W = bilinear_kernel(num_classes, num_classes, 4)
net[2].weight.data.copy_(W)
X = torch.rand(size=(2, 3, 8, 8))
print(net(X).shape)


def loss(inputs, targets):
    return F.cross_entropy(inputs, targets, reduction="none").mean(1).mean(1)


labels = torch.randint(0, num_classes, (2, 8, 8))
opt = torch.optim.SGD(net.parameters(), lr=0.1, weight_decay=1e-3)
for step in range(3):
    l = loss(net(X), labels)
    opt.zero_grad()
    l.sum().backward()
    opt.step()
    print(step, l.detach())
pred = net(X).argmax(dim=1)
print(pred.shape, pred[0, :2])
