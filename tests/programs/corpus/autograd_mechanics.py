"""Autograd mechanics notes: saved tensors (grad_fn._saved_self is x, _saved_result is y, equal
but not the same object for a saved output), locally disabling gradients for finetuning
(requires_grad_(False) on a frozen model, a new head trains), grad modes (no_grad, enable_grad,
inference_mode, set_grad_enabled, evaluation mode vs grad mode), and in-place correctness
checks (the version counter error when a saved tensor is modified).

Model: https://pytorch.org/docs/stable/notes/autograd.html (pytorch/pytorch docs,
BSD-3-Clause). Written for jitgrad's corpus, not copied. Changes: a small Linear model stands
in for the docs' torchvision resnet18; prints added to show each result.
"""

import torch
import torch.nn as nn

torch.manual_seed(0)
x = torch.randn(5, requires_grad=True)
y = x.pow(2)
print(x.equal(y.grad_fn._saved_self))
print(x is y.grad_fn._saved_self)
x = torch.randn(5, requires_grad=True)
y = x.exp()
print(y.equal(y.grad_fn._saved_result))
print(y is y.grad_fn._saved_result)

model = nn.Sequential(nn.Linear(8, 6), nn.ReLU(), nn.Linear(6, 4))
model.requires_grad_(False)
model[2] = nn.Linear(6, 3)
optimizer = torch.optim.SGD(model[2].parameters(), lr=1e-2, momentum=0.9)
inp = torch.randn(4, 8)
out = model(inp)
out.sum().backward()
print([p.grad is None for p in model.parameters()])
print([p.requires_grad for p in model.parameters()])
optimizer.step()

a = torch.ones(2, requires_grad=True)
with torch.no_grad():
    b = a * 2
print(b.requires_grad)
with torch.no_grad():
    with torch.enable_grad():
        c = a * 2
print(c.requires_grad)
with torch.inference_mode():
    d = a * 2
print(d.requires_grad, d.is_inference())
torch.set_grad_enabled(False)
e = a * 2
torch.set_grad_enabled(True)
print(e.requires_grad)
with torch.set_grad_enabled(False):
    f = a * 2
print(f.requires_grad, torch.is_grad_enabled())
model.eval()
print(model.training, model(inp).requires_grad)
model.train()

x = torch.randn(3, requires_grad=True)
y = x.exp()
y.add_(1)
try:
    y.sum().backward()
except RuntimeError as err:
    print(str(err).split(" Hint:")[0])
x = torch.randn(3, requires_grad=True)
y = x * 2
print(y._version)
y.mul_(3)
print(y._version, y.grad_fn)
y.sum().backward()
print(x.grad)
z = torch.randn(3, requires_grad=True)
try:
    z.add_(1)
except RuntimeError as err:
    print(err)
with torch.no_grad():
    z.add_(1)
print(z.requires_grad, z.is_leaf)
