"""PyTorch recipe "Reasoning about Shapes in PyTorch": the meta device computes shapes without
data (torch.rand(2, 3, 10, 10, device="meta"), an nn.Conv2d built with device="meta", printing
its output tensor(..., device='meta', size=(...), grad_fn=...)), the formula for a conv output
size, the CIFAR-10 Net from the 60-minute blitz with a forward hook registered on every named
module printing input and output shapes, and models built on meta then materialised with
to_empty(device="cpu") and reset_parameters.

Source: https://pytorch.org/tutorials/recipes/recipes/reasoning_about_shapes.html
(pytorch/tutorials, BSD-3-Clause; written for jitgrad's corpus after its structure, not copied).
Changes: a few more meta-device checks (is_meta, element values refused, a Linear on meta);
torch.empty for the recipe's torch.randn inside the device context (the corpus harness draws
random numbers on the CPU).
"""
# ruff: noqa: E501, UP004, UP006, UP007, UP008, UP031, UP032, UP035, UP045, E701, E731, B006, B007, F401, F841  (the original's style, kept)

import torch
import torch.nn as nn
import torch.nn.functional as F

t = torch.empty(2, 3, 10, 10, device="meta")
conv = torch.nn.Conv2d(3, 5, 2, device="meta")
print(f"{conv(t).shape=}")
print(t.is_meta, t.device, conv.weight.device, conv.weight.is_meta)
print(conv(t))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)  # flatten all dimensions except batch
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x


def fw_hook(module, input, output):
    print(f"Shape of output to {module} is {output.shape}.")


# Any tensor created within this torch.device context manager will be
# on the meta device.
with torch.device("meta"):
    net = Net()
    inp = torch.empty((1024, 3, 32, 32))
print(inp.device, next(net.parameters()).device)
for name, layer in net.named_modules():
    layer.register_forward_hook(fw_hook)
out = net(inp)
print(out.shape, out.dtype, out.requires_grad, out.grad_fn.name())

# conv output size: floor((W - K + 2P) / S) + 1
W, K, P, S = 32, 5, 0, 1
print((W - K + 2 * P) // S + 1, F.conv2d(torch.empty(1, 3, 32, 32, device="meta"), torch.empty(6, 3, 5, 5, device="meta"), stride=2, padding=1).shape)
lin = nn.Linear(400, 7, device="meta")
print(lin(torch.empty(3, 400, device="meta")).shape, lin.weight.shape, lin.weight.requires_grad)
try:
    lin.weight.sum().item()
except Exception as e:
    print(type(e).__name__)
torch.manual_seed(0)
real = net.to_empty(device="cpu")
print(real is net, net.conv1.weight.device, net.fc3.bias.shape)
for m in net.modules():
    if hasattr(m, "reset_parameters"):
        m.reset_parameters()
print(net.fc3.bias.abs().max().item() <= 1 / 84 ** 0.5, net.conv1.weight.is_meta)
y = net(torch.ones(1, 3, 32, 32))
print(y.shape, y.device)
