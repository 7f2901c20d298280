"""Other operations from the torch docs (b): the "Example::" blocks of the docstrings of
torch.cumulative_trapezoid, torch.diag, torch.diag_embed, torch.diagflat, torch.diagonal,
torch.diff, torch.einsum, torch.flip, torch.fliplr, torch.flipud, torch.histc, torch.histogram,
torch.histogramdd, pasted one after the other as a user runs them; a line whose REPL echo the
docstring shows is printed.

Source: the docstrings as shipped in PyTorch 2.13 (pytorch/pytorch, BSD-3-Clause; rendered
at https://pytorch.org/docs/stable/). Changes: none beyond print() around echoed
expressions; random inputs come from torch.randn/rand, which the corpus harness
feeds the same draws under both libraries.
"""

import torch

# torch.cumulative_trapezoid
y = torch.tensor([1, 5, 10])
print(torch.cumulative_trapezoid(y))
print((1 + 5) / 2)
print((1 + 10 + 10) / 2)
print(torch.cumulative_trapezoid(y, dx=2))
x = torch.tensor([1, 3, 6])
print(torch.cumulative_trapezoid(y, x))
print(((3 - 1) * (1 + 5)) / 2)
print(((3 - 1) * (1 + 5) + (6 - 3) * (5 + 10)) / 2)
y = torch.arange(9).reshape(3, 3)
print(torch.cumulative_trapezoid(y))
print(torch.cumulative_trapezoid(y, dim=0))
y = torch.ones(3, 3)
x = torch.tensor([1, 3, 6])
print(torch.cumulative_trapezoid(y, x))
y = torch.ones(3, 3)
x = torch.tensor([[1, 2, 3], [1, 3, 5], [1, 4, 7]])
print(torch.cumulative_trapezoid(y, x))

# torch.diag
a = torch.randn(3)
print(a)
print(torch.diag(a))
print(torch.diag(a, 1))
a = torch.randn(3, 3)
print(a)
print(torch.diag(a, 0))
print(torch.diag(a, 1))

# torch.diag_embed
a = torch.randn(2, 3)
print(torch.diag_embed(a))
print(torch.diag_embed(a, offset=1, dim1=0, dim2=2))

# torch.diagflat
a = torch.randn(3)
print(a)
print(torch.diagflat(a))
print(torch.diagflat(a, 1))
a = torch.randn(2, 2)
print(a)
print(torch.diagflat(a))

# torch.diagonal
a = torch.randn(3, 3)
print(a)
print(torch.diagonal(a))
print(torch.diagonal(a, 1))
b = torch.randn(2, 5)
print(b)
print(torch.diagonal(b, 1, 1, 0))
x = torch.randn(2, 5, 4, 2)
print(torch.diagonal(x, offset=-1, dim1=1, dim2=2))

# torch.diff
a = torch.tensor([1, 3, 2])
print(torch.diff(a))
b = torch.tensor([4, 5])
print(torch.diff(a, append=b))
c = torch.tensor([[1, 2, 3], [3, 4, 5]])
print(torch.diff(c, dim=0))
print(torch.diff(c, dim=1))

# torch.einsum
print(torch.einsum("ii", torch.randn(4, 4)))
print(torch.einsum("ii->i", torch.randn(4, 4)))
x = torch.randn(5)
y = torch.randn(4)
print(torch.einsum("i,j->ij", x, y))
As = torch.randn(3, 2, 5)
Bs = torch.randn(3, 5, 4)
print(torch.einsum("bij,bjk->bik", As, Bs))
print(torch.einsum(As, [..., 0, 1], Bs, [..., 1, 2], [..., 0, 2]))
A = torch.randn(2, 3, 4, 5)
print(torch.einsum("...ij->...ji", A).shape)
A = torch.randn(3, 5, 4)
l = torch.randn(2, 5)
r = torch.randn(2, 4)
print(torch.einsum("bn,anm,bm->ba", l, A, r))

# torch.flip
x = torch.arange(8).view(2, 2, 2)
print(x)
print(torch.flip(x, [0, 1]))

# torch.fliplr
x = torch.arange(4).view(2, 2)
print(x)
print(torch.fliplr(x))

# torch.flipud
x = torch.arange(4).view(2, 2)
print(x)
print(torch.flipud(x))

# torch.histc
print(torch.histc(torch.tensor([1.0, 2, 1]), bins=4, min=0, max=3))

# torch.histogram
print(
    torch.histogram(
        torch.tensor([1.0, 2, 1]), bins=4, range=(0.0, 3.0), weight=torch.tensor([1.0, 2.0, 4.0])
    )
)
print(
    torch.histogram(
        torch.tensor([1.0, 2, 1]),
        bins=4,
        range=(0.0, 3.0),
        weight=torch.tensor([1.0, 2.0, 4.0]),
        density=True,
    )
)

# torch.histogramdd
print(
    torch.histogramdd(
        torch.tensor([[0.0, 1.0], [1.0, 0.0], [2.0, 0.0], [2.0, 2.0]]),
        bins=[3, 3],
        weight=torch.tensor([1.0, 2.0, 4.0, 8.0]),
    )
)
print(
    torch.histogramdd(
        torch.tensor([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]),
        bins=[2, 2],
        range=[0.0, 1.0, 0.0, 1.0],
        density=True,
    )
)
