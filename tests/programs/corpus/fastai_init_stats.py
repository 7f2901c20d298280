"""Initialization (fast.ai course22p2 notebook 11_initializing): why activations explode or
vanish through 10 matrix products of random weights, Xavier/Kaiming scaling (std 1/sqrt(n),
sqrt(2/n)), the mean and std after a relu layer, GeneralRelu (leaky, shifted, clipped), a
hook that collects each layer's activation mean and std (as the notebook's ActivationStats),
and LSUV-style rescaling until each layer's output has unit std and zero mean.

Model: https://github.com/fastai/course22p2 (nbs/11_initializing.ipynb, Apache-2.0). Written
for jitgrad's corpus, not copied. Changes: random inputs instead of Fashion-MNIST, small
layer sizes, hooks written with register_forward_hook directly.
"""
# ruff: noqa: B007  (the source's unused loop variables, kept as written)

import math
from functools import partial

import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(1)
x = torch.randn(200, 100)
for i in range(10):
    x = x @ torch.randn(100, 100)
print(x[0:5, 0:5])
x = torch.randn(200, 100)
for i in range(10):
    x = x @ (torch.randn(100, 100) * 0.01)
print(x[0:5, 0:5])
x = torch.randn(200, 100)
for i in range(10):
    x = x @ (torch.randn(100, 100) * 0.1)
print(x[0:5, 0:5], x.std())


def stats(x):
    return round(x.mean().item(), 4), round(x.std().item(), 4)


x = torch.randn(200, 100)
y = torch.randn(200)
w1 = torch.randn(100, 50) * math.sqrt(2 / 100)
b1 = torch.zeros(50)
l1 = x @ w1 + b1
print(stats(l1), stats(l1.relu()))
w1 = torch.zeros(100, 50)
nn.init.kaiming_normal_(w1.T)
print(stats(w1), stats((x @ w1).relu()))


class GeneralRelu(nn.Module):
    def __init__(self, leak=None, sub=None, maxv=None):
        super().__init__()
        self.leak, self.sub, self.maxv = leak, sub, maxv

    def forward(self, x):
        x = F.leaky_relu(x, self.leak) if self.leak is not None else F.relu(x)
        if self.sub is not None:
            x -= self.sub
        if self.maxv is not None:
            x.clamp_max_(self.maxv)
        return x


print(GeneralRelu(0.1, 0.4, 3.0)(torch.linspace(-4, 4, 9)))


def conv(ni, nf, ks=3, stride=2, act=nn.ReLU):
    res = nn.Conv2d(ni, nf, stride=stride, kernel_size=ks, padding=ks // 2)
    if act:
        res = nn.Sequential(res, act())
    return res


act_gr = partial(GeneralRelu, leak=0.1, sub=0.4)


def get_model(act=nn.ReLU, nfs=(1, 4, 8, 8)):
    layers = [conv(nfs[i], nfs[i + 1], act=act) for i in range(len(nfs) - 1)]
    return nn.Sequential(*layers, conv(nfs[-1], 10, act=None), nn.Flatten())


def init_weights(m, leaky=0.0):
    if isinstance(m, (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.Linear)):
        nn.init.kaiming_normal_(m.weight, a=leaky)


model = get_model(act_gr)
model.apply(partial(init_weights, leaky=0.1))
act_stats = {}


def append_stats(i, mod, inp, outp):
    act_stats.setdefault(i, []).append(stats(outp))


hooks = [m.register_forward_hook(partial(append_stats, i)) for i, m in enumerate(model)]
xb = torch.randn(16, 1, 16, 16)
out = model(xb)
print(out.shape, act_stats)
for h in hooks:
    h.remove()


def lsuv_init(model, m, m_in, xb):
    h = m.register_forward_hook(lambda mod, i, o: lsuv_stats.__setitem__(0, o))
    for _ in range(5):
        model(xb)
        o = lsuv_stats[0]
        mean, std = o.mean(), o.std()
        if abs(mean) < 1e-3 and abs(std - 1) < 1e-3:
            break
        m_in.bias -= mean
        m_in.weight.data /= std
    h.remove()
    return stats(lsuv_stats[0])


lsuv_stats = {}
model = get_model(act_gr)
with torch.no_grad():
    for layer in model[:-2]:
        print(lsuv_init(model, layer, layer[0], xb))
