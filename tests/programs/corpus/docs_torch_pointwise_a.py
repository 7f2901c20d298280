"""Pointwise math from the torch docs (a): the "Example::" blocks of the docstrings of
torch.abs, torch.acos, torch.acosh, torch.add, torch.addcdiv, torch.addcmul, torch.angle,
torch.asin, torch.asinh, torch.atan, torch.atan2, torch.atanh, pasted one after the other as a
user runs them; a line whose REPL echo the docstring shows is printed.

Source: the docstrings as shipped in PyTorch 2.13 (pytorch/pytorch, BSD-3-Clause; rendered
at https://pytorch.org/docs/stable/). Changes: none beyond print() around echoed
expressions; random inputs come from torch.randn/rand, which the corpus harness
feeds the same draws under both libraries.
"""

import torch

# torch.abs
print(torch.abs(torch.tensor([-1, -2, 3])))

# torch.acos
a = torch.randn(4)
print(a)
print(torch.acos(a))

# torch.acosh
a = torch.randn(4).uniform_(1, 2)
print(a)
print(torch.acosh(a))

# torch.add
a = torch.randn(4)
print(a)
print(torch.add(a, 20))
b = torch.randn(4)
print(b)
c = torch.randn(4, 1)
print(c)
print(torch.add(b, c, alpha=10))

# torch.addcdiv
t = torch.randn(1, 3)
t1 = torch.randn(3, 1)
t2 = torch.randn(1, 3)
print(torch.addcdiv(t, t1, t2, value=0.1))

# torch.addcmul
t = torch.randn(1, 3)
t1 = torch.randn(3, 1)
t2 = torch.randn(1, 3)
print(torch.addcmul(t, t1, t2, value=0.1))

# torch.angle
print(torch.angle(torch.tensor([-1 + 1j, -2 + 2j, 3 - 3j])) * 180 / 3.14159)

# torch.asin
a = torch.randn(4)
print(a)
print(torch.asin(a))

# torch.asinh
a = torch.randn(4)
print(a)
print(torch.asinh(a))

# torch.atan
a = torch.randn(4)
print(a)
print(torch.atan(a))

# torch.atan2
a = torch.randn(4)
print(a)
print(torch.atan2(a, torch.randn(4)))

# torch.atanh
a = torch.randn(4).uniform_(-1, 1)
print(a)
print(torch.atanh(a))
