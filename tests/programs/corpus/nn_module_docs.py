"""The examples of torch.nn.Module's documentation: a Model with submodules, register_buffer
(persistent and not), register_parameter / register_module, named_modules / named_children
/ named_buffers / named_parameters with prefixes and recurse=False, get_submodule /
get_parameter, apply with an init function, state_dict keys and load_state_dict with
assign, to(dtype) / double() / half-free casts, requires_grad_(False), train() / eval() flags,
zero_grad, extra_repr, __setattr__ of a Parameter vs a Tensor, deleting a submodule, and
Module errors (bad attribute, wrong state_dict key).

Docs: https://pytorch.org/docs/stable/generated/torch.nn.Module.html (pytorch/pytorch
docstrings, BSD-3-Clause). Written for jitgrad's corpus, not copied. Changes: small layers;
printed results.
"""
# ruff: noqa: B018, E501  (the source's code and long printouts, kept as written)

import torch
import torch.nn as nn
import torch.nn.functional as F


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3)
        self.conv2 = nn.Conv2d(4, 4, 3)
        self.register_buffer("running_mean", torch.zeros(4))
        self.register_buffer("scratch", torch.ones(2), persistent=False)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        return F.relu(self.conv2(x))


torch.manual_seed(0)
model = Model()
print(model)
print(model(torch.ones(1, 1, 6, 6)).shape)
print([n for n, _ in model.named_buffers()], list(model.state_dict().keys()))
print([n for n, _ in model.named_modules()], [n for n, _ in model.named_children()])
print([n for n, _ in model.named_parameters(prefix="model")])
print([n for n, _ in model.named_parameters(recurse=False)], len(list(model.buffers())))
model.register_parameter("scale", nn.Parameter(torch.tensor(2.0)))
model.register_module("head", nn.Linear(4, 2))
print([n for n, _ in model.named_parameters()])
print(model.get_submodule("conv2"), model.get_parameter("conv1.bias").shape)
try:
    model.get_submodule("conv3")
except AttributeError as e:
    print("AttributeError:", e)


@torch.no_grad()
def init_weights(m):
    print(m)
    if type(m) is nn.Linear:
        m.weight.fill_(1.0)
        print(m.weight)


net = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2))
net.apply(init_weights)

net = nn.Sequential(nn.Linear(3, 2), nn.Tanh(), nn.Linear(2, 1))
print(net.training, net[0].training)
net.eval()
print(net.training, net[1].training)
net.train()
net.requires_grad_(False)
print([p.requires_grad for p in net.parameters()])
net.requires_grad_()
out = net(torch.ones(4, 3)).sum()
out.backward()
print(net[0].weight.grad is not None)
net.zero_grad()
print(net[0].weight.grad)
net64 = net.double()
print(net64[0].weight.dtype, net.to(torch.float32)[0].weight.dtype, net(torch.ones(1, 3)).dtype)

sd = net.state_dict()
print(list(sd.keys()), sd["0.weight"].requires_grad)
clone = nn.Sequential(nn.Linear(3, 2), nn.Tanh(), nn.Linear(2, 1))
print(clone.load_state_dict(sd))
print(torch.equal(clone[0].weight, net[0].weight), clone[0].weight is not net[0].weight)
print(clone.load_state_dict(sd, assign=True), clone[0].weight.data_ptr() == sd["0.weight"].data_ptr())
sd2 = dict(sd)
sd2["3.weight"] = torch.ones(1)
try:
    clone.load_state_dict(sd2)
except RuntimeError as e:
    print("RuntimeError:", e)
print(clone.load_state_dict(sd2, strict=False))


class Scaled(nn.Module):
    def __init__(self, factor):
        super().__init__()
        self.factor = factor
        self.weight = nn.Parameter(torch.ones(3))
        self.plain = torch.zeros(3)

    def forward(self, x):
        return x * self.weight * self.factor

    def extra_repr(self):
        return f"factor={self.factor}"


s = Scaled(0.5)
print(s, [n for n, _ in s.named_parameters()], "plain" in s.state_dict())
s.weight = nn.Parameter(torch.full((3,), 2.0))
print(s(torch.ones(3)))
try:
    s.weight = torch.ones(3)
except TypeError as e:
    print("TypeError:", e)
seq = nn.Sequential(Scaled(1.0), nn.ReLU(), Scaled(2.0))
print(seq)
del seq[1]
print(seq, len(seq))
try:
    seq.missing
except AttributeError as e:
    print("AttributeError:", e)
print(sum(p.numel() for p in model.parameters() if p.requires_grad))
