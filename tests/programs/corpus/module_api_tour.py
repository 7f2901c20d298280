"""nn.Module plumbing as the "Build the Neural Network" tutorial and the nn.Module docs use it:
printing nested models, named_modules/children/named_children, ModuleList/ModuleDict/
ParameterList/ParameterDict, Sequential with an OrderedDict and slicing, add_module,
apply() for init, train()/eval() flags, requires_grad_(False), zero_grad, get_submodule,
get_parameter, extra_repr, __getattr__ errors and deleting a parameter.

Models: https://pytorch.org/tutorials/beginner/basics/buildmodel_tutorial.html and
https://pytorch.org/docs/stable/generated/torch.nn.Module.html (BSD-3-Clause). Written for
jitgrad's corpus, not copied.
"""

from collections import OrderedDict

import torch
from torch import nn


class Scale(nn.Module):
    def __init__(self, factor):
        super().__init__()
        self.factor = factor

    def forward(self, x):
        return x * self.factor

    def extra_repr(self):
        return f"factor={self.factor}"


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList([nn.Linear(4, 4) for _ in range(2)])
        self.heads = nn.ModuleDict({"cls": nn.Linear(4, 3), "reg": nn.Linear(4, 1)})
        self.scales = nn.ParameterList([nn.Parameter(torch.ones(1)) for _ in range(2)])
        self.extra = nn.ParameterDict({"bias": nn.Parameter(torch.zeros(4))})
        self.post = nn.Sequential(OrderedDict([("act", nn.Tanh()), ("scale", Scale(0.5))]))

    def forward(self, x):
        for blk, s in zip(self.blocks, self.scales):
            x = torch.relu(blk(x)) * s
        x = self.post(x + self.extra["bias"])
        return self.heads["cls"](x), self.heads["reg"](x)


torch.manual_seed(0)
net = Net()
print(net)
print([name for name, _ in net.named_modules()])
print([name for name, _ in net.named_children()], len(list(net.children())))
print([(n, tuple(p.shape)) for n, p in net.named_parameters()])
print(net.post[1], net.post.scale, net.post[:1])
cls, reg = net(torch.randn(2, 4))
print(cls.shape, reg.shape)
print(net.get_submodule("blocks.1"), net.get_parameter("heads.reg.bias"))


def init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.constant_(m.weight, 0.1)
        nn.init.zeros_(m.bias)


net.apply(init_weights)
print(net.blocks[0].weight[0], net.heads["cls"](torch.ones(1, 4)))
net.eval()
print(net.training, net.blocks[0].training)
net.train()
print(net.post.training)
net.blocks.requires_grad_(False)
print([p.requires_grad for p in net.parameters()][:4])
seq = nn.Sequential()
seq.add_module("fc", nn.Linear(2, 2))
seq.append(nn.ReLU())
print(seq, len(seq))
ml = nn.ModuleList()
ml.append(nn.Linear(1, 1))
ml.extend([nn.ReLU(), nn.Sigmoid()])
ml.insert(0, nn.Identity())
print(ml)
try:
    net.missing  # noqa: B018 - the AttributeError is the point
except AttributeError as e:
    print(e)
lin = nn.Linear(2, 2)
del lin.bias
lin.register_parameter("bias", None)
print(lin.bias, [n for n, _ in lin.named_parameters()])
cls, reg = net(torch.randn(2, 4))
(cls.sum() + reg.sum()).backward()
net.zero_grad()
print(net.heads["cls"].weight.grad)
print(sum(p.numel() for p in net.parameters()), net.state_dict().keys())
