"""Joining and splitting from the torch docs: the "Example::" blocks of the docstrings of
torch.cat, torch.chunk, torch.column_stack, torch.dsplit, torch.dstack, torch.hsplit,
torch.hstack, torch.split, torch.tensor_split, torch.vsplit, torch.vstack, pasted one after the
other as a user runs them; a line whose REPL echo the docstring shows is printed.

Source: the docstrings as shipped in PyTorch 2.13 (pytorch/pytorch, BSD-3-Clause; rendered
at https://pytorch.org/docs/stable/). Changes: none beyond print() around echoed
expressions; random inputs come from torch.randn/rand, which the corpus harness
feeds the same draws under both libraries.
"""

import torch

# torch.cat
x = torch.randn(2, 3)
print(x)
print(torch.cat((x, x, x), 0))
print(torch.cat((x, x, x), 1))

# torch.chunk
print(torch.arange(11).chunk(6))
print(torch.arange(12).chunk(6))
print(torch.arange(13).chunk(6))

# torch.column_stack
a = torch.tensor([1, 2, 3])
b = torch.tensor([4, 5, 6])
print(torch.column_stack((a, b)))
a = torch.arange(5)
b = torch.arange(10).reshape(5, 2)
print(torch.column_stack((a, b, b)))

# torch.dsplit
t = torch.arange(16.0).reshape(2, 2, 4)
print(t)
print(torch.dsplit(t, 2))
print(torch.dsplit(t, [3, 6]))

# torch.dstack
a = torch.tensor([1, 2, 3])
b = torch.tensor([4, 5, 6])
print(torch.dstack((a, b)))
a = torch.tensor([[1], [2], [3]])
b = torch.tensor([[4], [5], [6]])
print(torch.dstack((a, b)))

# torch.hsplit
t = torch.arange(16.0).reshape(4, 4)
print(t)
print(torch.hsplit(t, 2))
print(torch.hsplit(t, [3, 6]))

# torch.hstack
a = torch.tensor([1, 2, 3])
b = torch.tensor([4, 5, 6])
print(torch.hstack((a, b)))
a = torch.tensor([[1], [2], [3]])
b = torch.tensor([[4], [5], [6]])
print(torch.hstack((a, b)))

# torch.split
a = torch.arange(10).reshape(5, 2)
print(a)
print(torch.split(a, 2))
print(torch.split(a, [1, 4]))

# torch.tensor_split
x = torch.arange(8)
print(torch.tensor_split(x, 3))
x = torch.arange(7)
print(torch.tensor_split(x, 3))
print(torch.tensor_split(x, (1, 6)))
x = torch.arange(14).reshape(2, 7)
print(x)
print(torch.tensor_split(x, 3, dim=1))
print(torch.tensor_split(x, (1, 6), dim=1))

# torch.vsplit
t = torch.arange(16.0).reshape(4, 4)
print(t)
print(torch.vsplit(t, 2))
print(torch.vsplit(t, [3, 6]))

# torch.vstack
a = torch.tensor([1, 2, 3])
b = torch.tensor([4, 5, 6])
print(torch.vstack((a, b)))
a = torch.tensor([[1], [2], [3]])
b = torch.tensor([[4], [5], [6]])
print(torch.vstack((a, b)))
