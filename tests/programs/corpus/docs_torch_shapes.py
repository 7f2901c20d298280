"""Shape and view functions from the torch docs: the "Example::" blocks of the docstrings of
torch.adjoint, torch.flatten, torch.moveaxis, torch.movedim, torch.narrow, torch.permute,
torch.ravel, torch.reshape, torch.squeeze, torch.swapaxes, torch.swapdims, torch.t,
torch.transpose, torch.unflatten, torch.unsqueeze, torch.atleast_1d, torch.atleast_2d,
torch.atleast_3d, torch.as_strided, pasted one after the other as a user runs them; a line whose
REPL echo the docstring shows is printed.

Source: the docstrings as shipped in PyTorch 2.13 (pytorch/pytorch, BSD-3-Clause; rendered
at https://pytorch.org/docs/stable/). Changes: none beyond print() around echoed
expressions; random inputs come from torch.randn/rand, which the corpus harness
feeds the same draws under both libraries.
"""

import torch

# torch.adjoint
x = torch.arange(4, dtype=torch.float)
A = torch.complex(x, x).reshape(2, 2)
print(A)
print(A.adjoint())
print((A.adjoint() == A.mH).all())

# torch.flatten
t = torch.tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]])
print(torch.flatten(t))
print(torch.flatten(t, start_dim=1))

# torch.moveaxis
t = torch.randn(3, 2, 1)
print(t)
print(torch.moveaxis(t, 1, 0).shape)
print(torch.moveaxis(t, 1, 0))
print(torch.moveaxis(t, (1, 2), (0, 1)).shape)
print(torch.moveaxis(t, (1, 2), (0, 1)))

# torch.movedim
t = torch.randn(3, 2, 1)
print(t)
print(torch.movedim(t, 1, 0).shape)
print(torch.movedim(t, 1, 0))
print(torch.movedim(t, (1, 2), (0, 1)).shape)
print(torch.movedim(t, (1, 2), (0, 1)))

# torch.narrow
x = torch.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
print(torch.narrow(x, 0, 0, 2))
print(torch.narrow(x, 1, 1, 2))
print(torch.narrow(x, -1, torch.tensor(-1), 1))

# torch.permute
x = torch.randn(2, 3, 5)
print(x.size())
print(torch.permute(x, (2, 0, 1)).size())

# torch.ravel
t = torch.tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]])
print(torch.ravel(t))

# torch.reshape
a = torch.arange(4.0)
print(torch.reshape(a, (2, 2)))
b = torch.tensor([[0, 1], [2, 3]])
print(torch.reshape(b, (-1,)))

# torch.squeeze
x = torch.zeros(2, 1, 2, 1, 2)
print(x.size())
y = torch.squeeze(x)
print(y.size())
y = torch.squeeze(x, 0)
print(y.size())
y = torch.squeeze(x, 1)
print(y.size())
y = torch.squeeze(x, (1, 2, 3))

# torch.swapaxes
x = torch.tensor([[[0, 1], [2, 3]], [[4, 5], [6, 7]]])
print(x)
print(torch.swapaxes(x, 0, 1))
print(torch.swapaxes(x, 0, 2))

# torch.swapdims
x = torch.tensor([[[0, 1], [2, 3]], [[4, 5], [6, 7]]])
print(x)
print(torch.swapdims(x, 0, 1))
print(torch.swapdims(x, 0, 2))

# torch.t
x = torch.randn(())
print(x)
print(torch.t(x))
x = torch.randn(3)
print(x)
print(torch.t(x))
x = torch.randn(2, 3)
print(x)
print(torch.t(x))

# torch.transpose
x = torch.randn(2, 3)
print(x)
print(torch.transpose(x, 0, 1))

# torch.unflatten
print(torch.unflatten(torch.randn(3, 4, 1), 1, (2, 2)).shape)
print(torch.unflatten(torch.randn(3, 4, 1), 1, (-1, 2)).shape)
print(torch.unflatten(torch.randn(5, 12, 3), -2, (2, 2, 3, 1, 1)).shape)

# torch.unsqueeze
x = torch.tensor([1, 2, 3, 4])
print(torch.unsqueeze(x, 0))
print(torch.unsqueeze(x, 1))

# torch.atleast_1d
x = torch.arange(2)
print(x)
print(torch.atleast_1d(x))
x = torch.tensor(1.0)
print(x)
print(torch.atleast_1d(x))
x = torch.tensor(0.5)
y = torch.tensor(1.0)
print(torch.atleast_1d((x, y)))
print(torch.atleast_1d())

# torch.atleast_2d
x = torch.tensor(1.0)
print(x)
print(torch.atleast_2d(x))
x = torch.arange(4).view(2, 2)
print(x)
print(torch.atleast_2d(x))
x = torch.tensor(0.5)
y = torch.tensor(1.0)
print(torch.atleast_2d((x, y)))
print(torch.atleast_2d())

# torch.atleast_3d
x = torch.tensor(0.5)
print(x)
print(torch.atleast_3d(x))
y = torch.arange(4).view(2, 2)
print(y)
print(torch.atleast_3d(y))
x = torch.tensor(1).view(1, 1, 1)
print(x)
print(torch.atleast_3d(x))
x = torch.tensor(0.5)
y = torch.tensor(1.0)
print(torch.atleast_3d((x, y)))
print(torch.atleast_3d())

# torch.as_strided
x = torch.randn(3, 3)
print(x)
t = torch.as_strided(x, (2, 2), (1, 2))
print(t)
t = torch.as_strided(x, (2, 2), (1, 2), 1)
