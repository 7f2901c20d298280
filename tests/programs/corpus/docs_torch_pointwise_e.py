"""Pointwise math from the torch docs (e): the "Example::" blocks of the docstrings of
torch.reciprocal, torch.remainder, torch.round, torch.rsqrt, torch.sgn, torch.sign,
torch.signbit, torch.sin, torch.sinh, torch.sqrt, torch.square, torch.sub, torch.tan,
torch.tanh, torch.trunc, pasted one after the other as a user runs them; a line whose REPL echo
the docstring shows is printed.

Source: the docstrings as shipped in PyTorch 2.13 (pytorch/pytorch, BSD-3-Clause; rendered
at https://pytorch.org/docs/stable/). Changes: none beyond print() around echoed
expressions; random inputs come from torch.randn/rand, which the corpus harness
feeds the same draws under both libraries.
"""

import torch

# torch.reciprocal
a = torch.randn(4)
print(a)
print(torch.reciprocal(a))

# torch.remainder
print(torch.remainder(torch.tensor([-3.0, -2, -1, 1, 2, 3]), 2))
print(torch.remainder(torch.tensor([1, 2, 3, 4, 5]), -1.5))

# torch.round
print(torch.round(torch.tensor((4.7, -2.3, 9.1, -7.7))))
print(torch.round(torch.tensor([-0.5, 0.5, 1.5, 2.5])))
print(torch.round(torch.tensor([0.1234567]), decimals=3))
print(torch.round(torch.tensor([1200.1234567]), decimals=-3))

# torch.rsqrt
a = torch.randn(4)
print(a)
print(torch.rsqrt(a))

# torch.sgn
t = torch.tensor([3 + 4j, 7 - 24j, 0, 1 + 2j])
print(t.sgn())

# torch.sign
a = torch.tensor([0.7, -1.2, 0.0, 2.3])
print(a)
print(torch.sign(a))

# torch.signbit
a = torch.tensor([0.7, -1.2, 0.0, 2.3])
print(torch.signbit(a))
a = torch.tensor([-0.0, 0.0])
print(torch.signbit(a))

# torch.sin
a = torch.randn(4)
print(a)
print(torch.sin(a))

# torch.sinh
a = torch.randn(4)
print(a)
print(torch.sinh(a))

# torch.sqrt
a = torch.randn(4)
print(a)
print(torch.sqrt(a))

# torch.square
a = torch.randn(4)
print(a)
print(torch.square(a))

# torch.sub
a = torch.tensor((1, 2))
b = torch.tensor((0, 1))
print(torch.sub(a, b, alpha=2))

# torch.tan
a = torch.randn(4)
print(a)
print(torch.tan(a))

# torch.tanh
a = torch.randn(4)
print(a)
print(torch.tanh(a))

# torch.trunc
a = torch.randn(4)
print(a)
print(torch.trunc(a))
