"""Residual networks (Dive into Deep Learning 8.6, d2l 0.17 form): the Residual block (two
3x3 convolutions with BatchNorm2d, an optional 1x1 convolution on the shortcut, F.relu,
ReLU(inplace=True)), resnet_block stages, the ResNet-18-shaped net (b1 with a 7x7 stride-2
convolution and MaxPool2d, AdaptiveAvgPool2d((1, 1)), Flatten, Linear), the layer-by-layer
output shapes, and a few SGD steps.

Chapter: https://d2l.ai/chapter_convolutional-modern/resnet.html (d2l-ai/d2l-en; code under
MIT-0). Written for jitgrad's corpus, not copied. Changes: channels 64/128/256/512 are
4/8/8/16 and the input is 1x1x64x64 instead of 96x96; Fashion-MNIST training is replaced by 3
SGD steps on 4 synthetic images.
"""

import torch
from torch import nn
from torch.nn import functional as F


class Residual(nn.Module):  # @save
    def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        self.conv1 = nn.Conv2d(
            input_channels, num_channels, kernel_size=3, padding=1, stride=strides
        )
        self.conv2 = nn.Conv2d(num_channels, num_channels, kernel_size=3, padding=1)
        if use_1x1conv:
            self.conv3 = nn.Conv2d(input_channels, num_channels, kernel_size=1, stride=strides)
        else:
            self.conv3 = None
        self.bn1 = nn.BatchNorm2d(num_channels)
        self.bn2 = nn.BatchNorm2d(num_channels)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, X):
        Y = F.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        if self.conv3:
            X = self.conv3(X)
        Y += X
        return F.relu(Y)


torch.manual_seed(0)
blk = Residual(3, 3)
X = torch.rand(4, 3, 6, 6)
Y = blk(X)
print(Y.shape)

blk = Residual(3, 6, use_1x1conv=True, strides=2)
print(blk(X).shape)

b1 = nn.Sequential(
    nn.Conv2d(1, 4, kernel_size=7, stride=2, padding=3),
    nn.BatchNorm2d(4),
    nn.ReLU(),
    nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
)


def resnet_block(input_channels, num_channels, num_residuals, first_block=False):
    blk = []
    for i in range(num_residuals):
        if i == 0 and not first_block:
            blk.append(Residual(input_channels, num_channels, use_1x1conv=True, strides=2))
        else:
            blk.append(Residual(num_channels, num_channels))
    return blk


b2 = nn.Sequential(*resnet_block(4, 4, 2, first_block=True))
b3 = nn.Sequential(*resnet_block(4, 8, 2))
b4 = nn.Sequential(*resnet_block(8, 8, 2))
b5 = nn.Sequential(*resnet_block(8, 16, 2))

net = nn.Sequential(
    b1, b2, b3, b4, b5, nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(16, 10)
)

X = torch.rand(size=(1, 1, 64, 64))
for layer in net:
    X = layer(X)
    print(layer.__class__.__name__, "output shape:\t", X.shape)

print(sum(p.numel() for p in net.parameters()), "parameters")
print(net[1][0])

images = torch.rand(4, 1, 64, 64)
labels = torch.tensor([1, 3, 5, 7])
optimizer = torch.optim.SGD(net.parameters(), lr=0.05)
loss_fn = nn.CrossEntropyLoss()
for step in range(3):
    optimizer.zero_grad()
    loss = loss_fn(net(images), labels)
    loss.backward()
    optimizer.step()
    print("step", step, "loss", round(loss.item(), 4))
print(net[0][1].running_mean, net[0][1].running_var)
net.eval()
with torch.no_grad():
    print(net(images).argmax(dim=1))
