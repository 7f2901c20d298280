"""Other operations from the torch docs (c): the "Example::" blocks of the docstrings of
torch.kron, torch.logcumsumexp, torch.renorm, torch.repeat_interleave, torch.roll, torch.rot90,
torch.searchsorted, torch.tensordot, torch.tile, torch.trace, torch.trapezoid, torch.tril,
torch.tril_indices, torch.triu, torch.triu_indices, torch.vander, torch.view_as_real,
torch.view_as_complex, torch.bincount, pasted one after the other as a user runs them; a line
whose REPL echo the docstring shows is printed.

Source: the docstrings as shipped in PyTorch 2.13 (pytorch/pytorch, BSD-3-Clause; rendered
at https://pytorch.org/docs/stable/). Changes: none beyond print() around echoed
expressions; random inputs come from torch.randn/rand, which the corpus harness
feeds the same draws under both libraries.
"""

import torch

# torch.kron
mat1 = torch.eye(2)
mat2 = torch.ones(2, 2)
print(torch.kron(mat1, mat2))
mat1 = torch.eye(2)
mat2 = torch.arange(1, 5).reshape(2, 2)
print(torch.kron(mat1, mat2))

# torch.logcumsumexp
a = torch.randn(10)
print(torch.logcumsumexp(a, dim=0))

# torch.renorm
x = torch.ones(3, 3)
print(x[1].fill_(2))
print(x[2].fill_(3))
print(x)
print(torch.renorm(x, 1, 0, 5))

# torch.repeat_interleave
x = torch.tensor([1, 2, 3])
print(x.repeat_interleave(2))
y = torch.tensor([[1, 2], [3, 4]])
print(torch.repeat_interleave(y, 2))
print(torch.repeat_interleave(y, 3, dim=1))
print(torch.repeat_interleave(y, torch.tensor([1, 2]), dim=0))
print(torch.repeat_interleave(y, torch.tensor([1, 2]), dim=0, output_size=3))
print(torch.repeat_interleave(torch.tensor([1, 2, 3])))

# torch.roll
x = torch.tensor([1, 2, 3, 4, 5, 6, 7, 8]).view(4, 2)
print(x)
print(torch.roll(x, 1))
print(torch.roll(x, 1, 0))
print(torch.roll(x, -1, 0))
print(torch.roll(x, shifts=(2, 1), dims=(0, 1)))

# torch.rot90
x = torch.arange(4).view(2, 2)
print(x)
print(torch.rot90(x, 1, [0, 1]))
x = torch.arange(8).view(2, 2, 2)
print(x)
print(torch.rot90(x, 1, [1, 2]))

# torch.searchsorted
sorted_sequence = torch.tensor([[1, 3, 5, 7, 9], [2, 4, 6, 8, 10]])
print(sorted_sequence)
values = torch.tensor([[3, 6, 9], [3, 6, 9]])
print(values)
print(torch.searchsorted(sorted_sequence, values))
print(torch.searchsorted(sorted_sequence, values, side="right"))
sorted_sequence_1d = torch.tensor([1, 3, 5, 7, 9])
print(sorted_sequence_1d)
print(torch.searchsorted(sorted_sequence_1d, values))

# torch.tensordot
a = torch.arange(60.0).reshape(3, 4, 5)
b = torch.arange(24.0).reshape(4, 3, 2)
print(torch.tensordot(a, b, dims=([1, 0], [0, 1])))
a = torch.randn(3, 4, 5, device="cuda")
b = torch.randn(4, 5, 6, device="cuda")
c = torch.tensordot(a, b, dims=2).cpu()
a = torch.randn(3, 5, 4, 6)
b = torch.randn(6, 4, 5, 3)
print(torch.tensordot(a, b, dims=([2, 1, 3], [1, 2, 0])))

# torch.tile
x = torch.tensor([1, 2, 3])
print(x.tile((2,)))
y = torch.tensor([[1, 2], [3, 4]])
print(torch.tile(y, (2, 2)))

# torch.trace
x = torch.arange(1.0, 10.0).view(3, 3)
print(x)
print(torch.trace(x))

# torch.trapezoid
y = torch.tensor([1, 5, 10])
print(torch.trapezoid(y))
print((1 + 10 + 10) / 2)
print(torch.trapezoid(y, dx=2))
x = torch.tensor([1, 3, 6])
print(torch.trapezoid(y, x))
print(((3 - 1) * (1 + 5) + (6 - 3) * (5 + 10)) / 2)
y = torch.arange(9).reshape(3, 3)
print(torch.trapezoid(y))
print(torch.trapezoid(y, dim=0))
y = torch.ones(3, 3)
x = torch.tensor([1, 3, 6])
print(torch.trapezoid(y, x))
y = torch.ones(3, 3)
x = torch.tensor([[1, 2, 3], [1, 3, 5], [1, 4, 7]])
print(torch.trapezoid(y, x))

# torch.tril
a = torch.randn(3, 3)
print(a)
print(torch.tril(a))
b = torch.randn(4, 6)
print(b)
print(torch.tril(b, diagonal=1))
print(torch.tril(b, diagonal=-1))

# torch.tril_indices
a = torch.tril_indices(3, 3)
print(a)
a = torch.tril_indices(4, 3, -1)
print(a)
a = torch.tril_indices(4, 3, 1)
print(a)

# torch.triu
a = torch.randn(3, 3)
print(a)
print(torch.triu(a))
print(torch.triu(a, diagonal=1))
print(torch.triu(a, diagonal=-1))
b = torch.randn(4, 6)
print(b)
print(torch.triu(b, diagonal=1))
print(torch.triu(b, diagonal=-1))

# torch.triu_indices
a = torch.triu_indices(3, 3)
print(a)
a = torch.triu_indices(4, 3, -1)
print(a)
a = torch.triu_indices(4, 3, 1)
print(a)

# torch.vander
x = torch.tensor([1, 2, 3, 5])
print(torch.vander(x))
print(torch.vander(x, N=3))
print(torch.vander(x, N=3, increasing=True))

# torch.view_as_real
x = torch.randn(4, dtype=torch.cfloat)
print(x)
print(torch.view_as_real(x))

# torch.view_as_complex
x = torch.randn(4, 2)
print(x)
print(torch.view_as_complex(x))

# torch.bincount
input = torch.randint(0, 8, (5,), dtype=torch.int64)
weights = torch.linspace(0, 1, steps=5)
print(input, weights)
print(torch.bincount(input))
print(input.bincount(weights))
