"""torch.nn.init: calculate_gain for each nonlinearity, the uniform/normal/constant/ones/zeros/
eye/dirac initialisers, xavier_uniform_/xavier_normal_ with a gain, kaiming_uniform_/
kaiming_normal_ in fan_in and fan_out modes, trunc_normal_, orthogonal_ and sparse_, and an
init function applied with Module.apply.

Model: https://pytorch.org/docs/stable/nn.init.html (pytorch/pytorch docs, BSD-3-Clause).
Written for jitgrad's corpus, not copied. Changes: prints statistics of the initialised
tensors (shapes, exact values where the initialiser is deterministic).
"""

import math

import torch
import torch.nn as nn

torch.manual_seed(0)
for nl in ["linear", "conv2d", "sigmoid", "tanh", "relu", "selu"]:
    print(nl, nn.init.calculate_gain(nl))
print("leaky_relu", nn.init.calculate_gain("leaky_relu", 0.2))

w = torch.empty(3, 5)
print(nn.init.uniform_(w).shape, bool((w >= 0).all() and (w < 1).all()))
nn.init.normal_(w)
print(w.shape)
nn.init.constant_(w, 0.3)
print(w)
nn.init.ones_(w)
print(w.sum())
nn.init.zeros_(w)
print(w.sum())
nn.init.eye_(w)
print(w)
k = torch.empty(3, 2, 3)
nn.init.dirac_(k)
print(k)
w = torch.empty(30, 50)
nn.init.xavier_uniform_(w, gain=nn.init.calculate_gain("relu"))
bound = nn.init.calculate_gain("relu") * math.sqrt(6.0 / 80)
print(bool(w.abs().max() <= bound), round(bound, 6))
nn.init.xavier_normal_(w)
nn.init.kaiming_uniform_(w, mode="fan_in", nonlinearity="relu")
print(bool(w.abs().max() <= math.sqrt(6.0 / 50)))
nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")
nn.init.trunc_normal_(w, mean=0.0, std=1.0, a=-0.5, b=0.5)
print(bool(w.abs().max() <= 0.5))
q = torch.empty(4, 6)
nn.init.orthogonal_(q)
print(torch.allclose(q @ q.t(), torch.eye(4), atol=1e-5))
s = torch.empty(10, 4)
nn.init.sparse_(s, sparsity=0.3)
print((s == 0).sum(0))


def init_weights(m):
    if isinstance(m, nn.Linear):
        torch.nn.init.xavier_uniform_(m.weight)
        m.bias.data.fill_(0.01)


net = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2))
print(net.apply(init_weights))
print(net[0].bias, net[1].bias)
