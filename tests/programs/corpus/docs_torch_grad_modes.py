"""Grad-mode context managers from the torch docs: the "Example::" blocks of the docstrings of
torch.no_grad, torch.enable_grad, torch.set_grad_enabled, torch.inference_mode, pasted one after
the other as a user runs them; a line whose REPL echo the docstring shows is printed.

Source: the docstrings as shipped in PyTorch 2.13 (pytorch/pytorch, BSD-3-Clause; rendered
at https://pytorch.org/docs/stable/). Changes: none beyond print() around echoed
expressions; random inputs come from torch.randn/rand, which the corpus harness
feeds the same draws under both libraries.
"""

import torch

# torch.no_grad
x = torch.tensor([1.0], requires_grad=True)
with torch.no_grad():
    y = x * 2
print(y.requires_grad)


@torch.no_grad()
def doubler(x):
    return x * 2


z = doubler(x)
print(z.requires_grad)


@torch.no_grad()
def tripler(x):
    return x * 3


z = tripler(x)
print(z.requires_grad)
with torch.no_grad():
    a = torch.nn.Parameter(torch.rand(10))
print(a.requires_grad)

# torch.enable_grad
x = torch.tensor([1.0], requires_grad=True)
with torch.no_grad():
    with torch.enable_grad():
        y = x * 2
print(y.requires_grad)
y.backward()
print(x.grad)


@torch.enable_grad()
def doubler(x):
    return x * 2


with torch.no_grad():
    z = doubler(x)
print(z.requires_grad)


@torch.enable_grad()
def tripler(x):
    return x * 3


with torch.no_grad():
    z = tripler(x)
print(z.requires_grad)

# torch.set_grad_enabled
x = torch.tensor([1.0], requires_grad=True)
is_train = False
with torch.set_grad_enabled(is_train):
    y = x * 2
print(y.requires_grad)
_ = torch.set_grad_enabled(True)
y = x * 2
print(y.requires_grad)
_ = torch.set_grad_enabled(False)
y = x * 2
print(y.requires_grad)

# torch.inference_mode
import torch  # noqa: E402

x = torch.ones(1, 2, 3, requires_grad=True)
with torch.inference_mode():
    y = x * x
print(y.requires_grad)
try:
    print(y._version)
except Exception as e:
    print(type(e).__name__, e)


@torch.inference_mode()
def func(x):
    return x * x


out = func(x)
print(out.requires_grad)


@torch.inference_mode()
def doubler(x):
    return x * 2


out = doubler(x)
print(out.requires_grad)
