"""Transposed convolution and FCN upsampling from d2l.ai ("Transposed Convolution" and "Fully
Convolutional Networks", chapter 14): trans_conv written with loops, nn.ConvTranspose2d with
its weight set by tconv.weight.data = K, padding / stride / multi-channel shape checks
(conv(X) then tconv back to X's shape), convolution as a matrix product (kernel2matrix with
torch.zeros and slice writes, torch.matmul(W, X.reshape(-1))), the bilinear_kernel initialiser
(torch.arange(...).reshape(-1, 1), og[0], og[1], weight[range(in_channels), range(out_channels),
:, :] = filt) copied into a stride-2 ConvTranspose2d with weight.data.copy_, and the FCN loss
F.cross_entropy(inputs, targets, reduction='none').mean(1).mean(1).

Source: https://d2l.ai/chapter_computer-vision/transposed-conv.html and fcn.html
(d2l-ai/d2l-en, MIT-0 code; written for jitgrad's corpus after its structure, not copied).
Changes: a random 6x6 "image" in place of the catdog photo, a 2-layer head in place of ResNet-18.
"""
# ruff: noqa: E501, UP004, UP006, UP007, UP008, UP031, UP032, UP035, UP045, E701, E731, B006, B007, F401, F841  (the original's style, kept)

import torch
from torch import nn
from torch.nn import functional as F


def trans_conv(X, K):
    h, w = K.shape
    Y = torch.zeros((X.shape[0] + h - 1, X.shape[1] + w - 1))
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            Y[i: i + h, j: j + w] += X[i, j] * K
    return Y


X = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
print(trans_conv(X, K))
X, K = X.reshape(1, 1, 2, 2), K.reshape(1, 1, 2, 2)
tconv = nn.ConvTranspose2d(1, 1, kernel_size=2, bias=False)
tconv.weight.data = K
print(tconv(X))
tconv = nn.ConvTranspose2d(1, 1, kernel_size=2, padding=1, bias=False)
tconv.weight.data = K
print(tconv(X))
tconv = nn.ConvTranspose2d(1, 1, kernel_size=2, stride=2, bias=False)
tconv.weight.data = K
print(tconv(X))
X = torch.rand(size=(1, 10, 16, 16))
conv = nn.Conv2d(10, 20, kernel_size=5, padding=2, stride=3)
tconv = nn.ConvTranspose2d(20, 10, kernel_size=5, padding=2, stride=3)
print(tconv(conv(X)).shape == X.shape)

X = torch.arange(9.0).reshape(3, 3)
K = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
Y = F.conv2d(X.reshape(1, 1, 3, 3), K.reshape(1, 1, 2, 2)).reshape(2, 2)
print(Y)


def kernel2matrix(K):
    k, W = torch.zeros(5), torch.zeros((4, 9))
    k[:2], k[3:5] = K[0, :], K[1, :]
    W[0, :5], W[1, 1:6], W[2, 3:8], W[3, 4:] = k, k, k, k
    return W


W = kernel2matrix(K)
print(W)
print(Y == torch.matmul(W, X.reshape(-1)).reshape(2, 2))
Z = trans_conv(Y, K)
print(Z == torch.matmul(W.T, Y.reshape(-1)).reshape(3, 3))


def bilinear_kernel(in_channels, out_channels, kernel_size):
    factor = (kernel_size + 1) // 2
    if kernel_size % 2 == 1:
        center = factor - 1
    else:
        center = factor - 0.5
    og = (torch.arange(kernel_size).reshape(-1, 1),
          torch.arange(kernel_size).reshape(1, -1))
    filt = (1 - torch.abs(og[0] - center) / factor) * (1 - torch.abs(og[1] - center) / factor)
    weight = torch.zeros((in_channels, out_channels, kernel_size, kernel_size))
    weight[range(in_channels), range(out_channels), :, :] = filt
    return weight


conv_trans = nn.ConvTranspose2d(3, 3, kernel_size=4, padding=1, stride=2, bias=False)
conv_trans.weight.data.copy_(bilinear_kernel(3, 3, 4))
print(bilinear_kernel(1, 1, 4)[0, 0])
img = torch.arange(36.0).reshape(1, 1, 6, 6).repeat(1, 3, 1, 1) / 35
out_img = conv_trans(img)
print(img.shape, out_img.shape, out_img[0, 0, :4, :4])
torch.manual_seed(0)
num_classes = 4
net = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU())
net.add_module('final_conv', nn.Conv2d(8, num_classes, kernel_size=1))
net.add_module('transpose_conv', nn.ConvTranspose2d(num_classes, num_classes, kernel_size=4, padding=1, stride=2))
W = bilinear_kernel(num_classes, num_classes, 4)
net.transpose_conv.weight.data.copy_(W)
print(net)


def loss(inputs, targets):
    return F.cross_entropy(inputs, targets, reduction='none').mean(1).mean(1)


x = torch.rand(2, 3, 6, 6)
y = torch.randint(0, num_classes, (2, 12, 12))
trainer = torch.optim.SGD(net.parameters(), lr=0.1, weight_decay=1e-3)
for epoch in range(3):
    l = loss(net(x), y)
    trainer.zero_grad()
    l.sum().backward()
    trainer.step()
    print(epoch, l.shape, l)
print(net(x).argmax(dim=1)[0, :2])
