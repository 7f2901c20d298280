"""Numerical stability and initialization (Dive into Deep Learning 5.4): the sigmoid's
vanishing gradient (x.grad of sigmoid over -8..8 through backward of ones_like), exploding
products of 100 random 4x4 matrices, and the Xavier-initialized MLP's activation scales;
plus the d2l "Generalization in deep learning" dropout-free check of weight norms.

Model: https://d2l.ai/chapter_multilayer-perceptrons/numerical-stability-and-init.html
(d2l-ai/d2l-en, code MIT-0). Written for jitgrad's corpus, not copied. Changes: the plot
becomes printed values at a few points; the matrix product is printed in scientific form.
"""
# ruff: noqa: B007, E501  (the source's code and long printouts, kept as written)

import torch
from torch import nn

x = torch.arange(-8.0, 8.0, 0.1, requires_grad=True)
y = torch.sigmoid(x)
y.backward(torch.ones_like(x))
print(y.detach()[::20])
print(x.grad[::20])
print(x.grad.max(), x.grad.argmax())

M = torch.normal(0, 1, size=(4, 4))
print("a single matrix \n", M)
for i in range(100):
    M = M @ torch.normal(0, 1, size=(4, 4))
print("after multiplying 100 matrices\n", M)
print(torch.isfinite(M).all(), M.abs().max().log10().round())

net = nn.Sequential(*[m for _ in range(5) for m in (nn.Linear(64, 64), nn.Tanh())])


def init_xavier(m):
    if type(m) == nn.Linear:  # noqa: E721 - the book's check
        nn.init.xavier_normal_(m.weight)
        nn.init.zeros_(m.bias)


def init_small(m):
    if type(m) == nn.Linear:  # noqa: E721
        nn.init.normal_(m.weight, std=0.01)
        nn.init.zeros_(m.bias)


X = torch.normal(0, 1, size=(256, 64))
for init in (init_xavier, init_small):
    net.apply(init)
    h = X
    stds = []
    for layer in net:
        h = layer(h)
        if isinstance(layer, nn.Tanh):
            stds.append(round(h.std().item(), 4))
    out = net(X).sum()
    out.backward()
    print(init.__name__, stds, f"{net[0].weight.grad.norm().item():.4e}")
    net.zero_grad()

print(torch.finfo(torch.float32).eps, torch.finfo(torch.float32).max, torch.finfo(torch.float64).tiny)
big = torch.tensor([1e30, 1e38]) * 10
print(big, torch.exp(torch.tensor([88.0, 89.0, -104.0])))
z = torch.tensor([1000.0, 1001.0, 1002.0])
print(torch.exp(z) / torch.exp(z).sum(), torch.softmax(z, 0))
print(torch.log(torch.softmax(z, 0)), torch.log_softmax(z, 0))
print(torch.tensor(1.0) + 1e-8 == 1, torch.tensor(1.0, dtype=torch.float64) + 1e-8 == 1)
