"""Modules (PyTorch notes): a MyLinear module with nn.Parameter, a BigNet composing modules,
DynamicNet with nn.ModuleList/ModuleDict chosen per call, parameters and named_parameters, a
RunningMean module with persistent and non-persistent buffers, apply() for initialization,
train()/eval() modes, forward pre-hooks and full backward hooks, and state_dict keys.

Model: https://pytorch.org/docs/stable/notes/modules.html (pytorch/pytorch docs,
BSD-3-Clause). Written for jitgrad's corpus, not copied. Changes: smaller shapes, printed
values instead of the doc's REPL output.
"""

import torch
from torch import nn


class MyLinear(nn.Module):
    def __init__(self, in_features, out_features):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_features, out_features))
        self.bias = nn.Parameter(torch.randn(out_features))

    def forward(self, input):
        return (input @ self.weight) + self.bias


torch.manual_seed(0)
m = MyLinear(4, 3)
sample_input = torch.randn(4)
print(m(sample_input))
for parameter in m.named_parameters():
    print(parameter)


class BigNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = MyLinear(5, 4)
        self.l2 = MyLinear(4, 1)

    def forward(self, x):
        return self.l2(torch.relu(self.l1(x)))


big_net = BigNet()
print(big_net)
print([name for name, _ in big_net.named_modules()])
print(big_net(torch.randn(5)))


class DynamicNet(nn.Module):
    def __init__(self, num_layers):
        super().__init__()
        self.linears = nn.ModuleList([MyLinear(4, 4) for _ in range(num_layers)])
        self.activations = nn.ModuleDict({"relu": nn.ReLU(), "lrelu": nn.LeakyReLU()})
        self.final = MyLinear(4, 1)

    def forward(self, x, act):
        for linear in self.linears:
            x = linear(x)
            x = self.activations[act](x)
        return self.final(x)


dynamic_net = DynamicNet(3)
print(dynamic_net(torch.randn(4), "relu"), dynamic_net(torch.randn(4), "lrelu"))
print(sum(p.numel() for p in dynamic_net.parameters()))
print([n for n, _ in dynamic_net.named_parameters()][:4])


class RunningMean(nn.Module):
    def __init__(self, num_features, momentum=0.9):
        super().__init__()
        self.momentum = momentum
        self.register_buffer("mean", torch.zeros(num_features))
        self.register_buffer("unserialized_thing", torch.randn(2), persistent=False)

    def forward(self, x):
        self.mean = self.momentum * self.mean + (1.0 - self.momentum) * x
        return self.mean


rm = RunningMean(3)
for _ in range(3):
    out = rm(torch.ones(3))
print(out, list(rm.buffers())[0], list(rm.state_dict().keys()))
print([n for n, _ in rm.named_buffers()])


@torch.no_grad()
def init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.xavier_normal_(m.weight)
        m.bias.fill_(0.0)


net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2), nn.Dropout(0.5))
net.apply(init_weights)
print(net[0].bias, net[2].weight.std() > 0)
net.eval()
print(net.training, net[3].training)
net.train()
print(net(torch.ones(1, 3)).shape)


def forward_pre_hook(m, inputs):
    input = inputs[0]
    return input + 1.0


def backward_hook(m, grad_inputs, grad_outputs):
    print("grad_outputs:", grad_outputs)
    return [gi * 2 for gi in grad_inputs]


lin = nn.Linear(3, 3)
x = torch.randn(2, 3, requires_grad=True)
print(lin(x))
handle = lin.register_forward_pre_hook(forward_pre_hook)
print(lin(x))
handle.remove()
print(lin(x))
lin.register_full_backward_hook(backward_hook)
lin(x).sum().backward()
print(x.grad)
print(list(lin.state_dict().keys()), lin.state_dict()["bias"])
