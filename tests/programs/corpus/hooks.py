"""Hooks: tensor hooks (register_hook, retain_grad), module forward pre-hooks and forward hooks
(recording activations, changing an output), full backward hooks and removing a hook, as the
autograd mechanics notes and the "hooks for autograd saved tensors"/module hook tutorials use.

Models: https://pytorch.org/docs/stable/notes/autograd.html#backward-hooks-execution and
https://pytorch.org/tutorials/beginner/former_torchies/nnft_tutorial.html (pytorch/tutorials,
BSD-3-Clause). Written for jitgrad's corpus, not copied.
"""

import torch
import torch.nn as nn

torch.manual_seed(0)
x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
y = x * 2
y.retain_grad()
h = y.register_hook(lambda g: g * 10)
z = (y**2).sum()
z.backward()
print(x.grad, y.grad)
h.remove()
x.grad = None
y = x * 2
(y**2).sum().backward()
print(x.grad)

model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
activations = {}


def save_output(name):
    def hook(module, inp, out):
        activations[name] = out.detach()

    return hook


def pre_hook(module, args):
    print("pre-hook sees", type(module).__name__, tuple(args[0].shape))


handles = [
    model[0].register_forward_hook(save_output("fc1")),
    model[2].register_forward_pre_hook(pre_hook),
]
inp = torch.randn(2, 4)
out = model(inp)
print(sorted(activations), activations["fc1"])

model[1].register_forward_hook(lambda m, i, o: o * 0.5)
print(torch.allclose(model(inp), out))

grads = []
model[2].register_full_backward_hook(lambda m, gin, gout: grads.append((gin[0].shape, gout[0])))
model(inp).sum().backward()
print(grads)
for h in handles:
    h.remove()
activations.clear()
model(inp)
print(activations)
print(model[0].weight.grad)
