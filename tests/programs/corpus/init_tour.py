"""nn.init as the weight-initialisation blog posts and the nn.init docs examples use it:
calculate_gain for each nonlinearity, _calculate_fan_in_and_fan_out, uniform_/normal_/
constant_/ones_/zeros_/eye_/dirac_, xavier_uniform_/xavier_normal_, kaiming_uniform_/
kaiming_normal_ (fan_in, fan_out, leaky_relu), trunc_normal_, orthogonal_ (checked orthogonal),
sparse_, and a model-wide init via apply(); statistics printed rounded.

Models: https://pytorch.org/docs/stable/nn.init.html (pytorch/pytorch docstrings, BSD-3-Clause).
Written for jitgrad's corpus, not copied.
"""
# ruff: noqa: E501  (one-line printouts, as tutorials write them)

import torch
import torch.nn as nn

for nl in ["linear", "conv2d", "sigmoid", "tanh", "relu", "selu"]:
    print(nl, nn.init.calculate_gain(nl))
print(nn.init.calculate_gain("leaky_relu", 0.2))
print(nn.init._calculate_fan_in_and_fan_out(torch.empty(16, 8, 3, 3)))
try:
    nn.init.kaiming_uniform_(torch.empty(3, 3), mode="fan_avg")
except ValueError as e:
    print(e)
print(nn.init._calculate_correct_fan(torch.empty(5, 2), "FAN_OUT"))

torch.manual_seed(0)
w = torch.empty(300, 200)
nn.init.uniform_(w, a=-0.5, b=0.5)
print(round(w.min().item(), 2) >= -0.5, round(w.mean().item(), 1))
nn.init.normal_(w, mean=1.0, std=0.1)
print(round(w.mean().item(), 2), round(w.std().item(), 2))
print(nn.init.constant_(torch.empty(2, 2), 0.3), nn.init.ones_(torch.empty(2)), nn.init.zeros_(torch.empty(2)))
print(nn.init.eye_(torch.empty(2, 3)))
print(nn.init.dirac_(torch.empty(2, 2, 3)))
nn.init.xavier_uniform_(w, gain=nn.init.calculate_gain("relu"))
bound = (2 ** 0.5) * (6 / 500) ** 0.5
print(w.abs().max().item() <= bound, round(w.std().item(), 3))
nn.init.xavier_normal_(w)
print(round(w.std().item(), 3), round((2 / 500) ** 0.5, 3))
nn.init.kaiming_uniform_(w, a=0, mode="fan_in", nonlinearity="relu")
print(round(w.std().item(), 3), round((2 / 200) ** 0.5, 3))
nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")
print(round(w.std().item(), 3), round((2 / 300) ** 0.5, 3))
nn.init.kaiming_normal_(w, a=0.2, nonlinearity="leaky_relu")
print(round(w.std().item(), 3))
t = nn.init.trunc_normal_(torch.empty(1000), mean=0.0, std=1.0, a=-2.0, b=2.0)
print(t.min().item() >= -2.0, t.max().item() <= 2.0, round(t.std().item(), 1))
o = nn.init.orthogonal_(torch.empty(4, 6))
print(torch.allclose(o @ o.T, torch.eye(4), atol=1e-5))
o = nn.init.orthogonal_(torch.empty(6, 3), gain=2.0)
print(torch.allclose(o.T @ o, 4 * torch.eye(3), atol=1e-4))
sp = nn.init.sparse_(torch.empty(10, 4), sparsity=0.3, std=0.01)
print((sp == 0).sum(dim=0))


def init(m):
    if isinstance(m, nn.Conv2d):
        nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        nn.init.zeros_(m.bias)
    elif isinstance(m, nn.BatchNorm2d):
        nn.init.ones_(m.weight)
        nn.init.zeros_(m.bias)
    elif isinstance(m, nn.Linear):
        nn.init.normal_(m.weight, 0, 0.01)
        nn.init.constant_(m.bias, 0.5)


net = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.Flatten(), nn.Linear(8, 2))
net.apply(init)
print(net[0].bias.sum(), net[1].weight[:3], net[3].bias)
print(net[0].weight.requires_grad, type(net[0].weight).__name__)
old_style = nn.Linear(3, 3)
nn.init.xavier_uniform(old_style.weight)  # pre-0.4 tutorials' spelling (deprecated)
nn.init.constant(old_style.bias, 0.1)
print(old_style.bias, old_style.weight.abs().max().item() <= (6 / 6) ** 0.5)
