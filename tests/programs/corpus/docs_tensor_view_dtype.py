"""Tensor.view from the torch docs: the "Example::" blocks of both overloads of
``Tensor.view`` (a new shape; a new dtype, which reinterprets the bytes and writes through),
then the examples of torch.sign, torch.signbit and torch.sgn, pasted one after the other as a
user runs them; a line whose REPL echo the docstring shows is printed.

Source: the docstrings as shipped in PyTorch 2.13 (pytorch/pytorch, BSD-3-Clause; rendered
at https://pytorch.org/docs/stable/generated/torch.Tensor.view.html). Changes: print() around
echoed expressions; random inputs come from torch.randn, which the corpus harness feeds the
same draws under both libraries; a last block prints sign of the special values (±0, NaN,
±inf) that the sign docs leave out.
"""

import torch

# Tensor.view(*shape)
x = torch.randn(4, 4)
print(x.size())
y = x.view(16)
print(y.size())
z = x.view(-1, 8)  # the size -1 is inferred from other dimensions
print(z.size())

a = torch.randn(1, 2, 3, 4)
print(a.size())
b = a.transpose(1, 2)  # Swaps 2nd and 3rd dimension
print(b.size())
c = a.view(1, 3, 2, 4)  # Does not change tensor layout in memory
print(c.size())
print(torch.equal(b, c))

# Tensor.view(dtype)
x = torch.randn(4, 4)
print(x)
print(x.dtype)

y = x.view(torch.int32)
print(y)
y[0, 0] = 1000000000
print(x)

print(x.view(torch.cfloat))
print(x.view(torch.cfloat).size())

print(x.view(torch.uint8))
print(x.view(torch.uint8).size())

# torch.sign
a = torch.tensor([0.7, -1.2, 0., 2.3])
print(a)
print(torch.sign(a))

# torch.signbit
a = torch.tensor([0.7, -1.2, 0., 2.3])
print(torch.signbit(a))
a = torch.tensor([-0.0, 0.0])
print(torch.signbit(a))

# torch.sgn
t = torch.tensor([3+4j, 7-24j, 0, 1+2j])
print(t.sgn())

# the special values
s = torch.tensor([0.0, -0.0, float("nan"), float("inf"), -float("inf")])
print(torch.sign(s), torch.signbit(torch.sign(s)))
print(torch.sgn(s.double()), s.abs())
