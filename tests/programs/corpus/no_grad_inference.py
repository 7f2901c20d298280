"""Inference and grad-mode switches the way the autograd mechanics notes and tutorials describe
them: torch.no_grad as context and decorator, torch.enable_grad inside no_grad,
torch.set_grad_enabled(bool), torch.inference_mode, is_grad_enabled, detach() vs detach_(),
requires_grad_ toggling, eval() switching Dropout/BatchNorm behaviour, and updating weights by
hand under no_grad (the "Learning PyTorch with Examples" tensor autograd step).

Models: https://pytorch.org/docs/stable/notes/autograd.html#locally-disabling-gradient-computation
and https://pytorch.org/tutorials/beginner/pytorch_with_examples.html (BSD-3-Clause). Written for
jitgrad's corpus, not copied.
"""

import torch
import torch.nn as nn

x = torch.tensor([1.0], requires_grad=True)
with torch.no_grad():
    y = x * 2
print(y.requires_grad, torch.is_grad_enabled())


@torch.no_grad()
def doubler(x):
    return x * 2


z = doubler(x)
print(z.requires_grad)


@torch.enable_grad()
def tripler(x):
    return x * 3


with torch.no_grad():
    z = tripler(x)
print(z.requires_grad)
is_train = False
with torch.set_grad_enabled(is_train):
    y = x * 2
print(y.requires_grad)
torch.set_grad_enabled(True)
y = x * 2
print(y.requires_grad)
torch.set_grad_enabled(False)
y = x * 2
print(y.requires_grad, torch.is_grad_enabled())
torch.set_grad_enabled(True)
with torch.inference_mode():
    w = x * 5
print(w.requires_grad, torch.is_inference_mode_enabled())
with torch.inference_mode(mode=False):
    w = x * 5
print(w.requires_grad)

a = torch.randn(3, requires_grad=True)
b = a.detach()
print(b.requires_grad, b.grad_fn, a.grad_fn)
c = a * 2
c.detach_()
print(c.requires_grad, c.is_leaf)
d = torch.ones(2)
d.requires_grad_()
print(d.requires_grad, d.is_leaf, (d * 2).is_leaf)

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Dropout(0.5), nn.Linear(8, 2))
inp = torch.randn(6, 4)
model.eval()
with torch.no_grad():
    out1 = model(inp)
    out2 = model(inp)
print(torch.equal(out1, out2), out1.requires_grad, model[1].running_mean)
model.train()
model(inp)
print(model[1].num_batches_tracked, model[1].running_mean.round(decimals=4))

dtype = torch.float
xs = torch.linspace(-3.1416, 3.1416, 200, dtype=dtype)
ys = torch.sin(xs)
a, b, c, d = (torch.randn((), dtype=dtype, requires_grad=True) for _ in range(4))
learning_rate = 1e-6
for t in range(300):
    y_pred = a + b * xs + c * xs**2 + d * xs**3
    loss = (y_pred - ys).pow(2).sum()
    if t % 100 == 99:
        print(t, loss.item())
    loss.backward()
    with torch.no_grad():
        a -= learning_rate * a.grad
        b -= learning_rate * b.grad
        c -= learning_rate * c.grad
        d -= learning_rate * d.grad
        a.grad = None
        b.grad = None
        c.grad = None
        d.grad = None
print(f"Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3")
