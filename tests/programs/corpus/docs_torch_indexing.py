"""Indexing functions from the torch docs: the "Example::" blocks of the docstrings of
torch.argwhere, torch.gather, torch.index_select, torch.masked_select, torch.nonzero,
torch.take, torch.take_along_dim, torch.where, torch.select_scatter, torch.slice_scatter,
torch.diagonal_scatter, torch.as_strided_scatter, torch.unravel_index, pasted one after the
other as a user runs them; a line whose REPL echo the docstring shows is printed.

Source: the docstrings as shipped in PyTorch 2.13 (pytorch/pytorch, BSD-3-Clause; rendered
at https://pytorch.org/docs/stable/). Changes: none beyond print() around echoed
expressions; random inputs come from torch.randn/rand, which the corpus harness
feeds the same draws under both libraries.
"""

import torch

# torch.argwhere
t = torch.tensor([1, 0, 1])
print(torch.argwhere(t))
t = torch.tensor([[1, 0, 1], [0, 1, 1]])
print(torch.argwhere(t))

# torch.gather
t = torch.tensor([[1, 2], [3, 4]])
print(torch.gather(t, 1, torch.tensor([[0, 0], [1, 0]])))

# torch.index_select
x = torch.randn(3, 4)
print(x)
indices = torch.tensor([0, 2])
print(torch.index_select(x, 0, indices))
print(torch.index_select(x, 1, indices))

# torch.masked_select
x = torch.randn(3, 4)
print(x)
mask = x.ge(0.5)
print(mask)
print(torch.masked_select(x, mask))

# torch.nonzero
print(torch.nonzero(torch.tensor([1, 1, 1, 0, 1])))
print(
    torch.nonzero(
        torch.tensor(
            [
                [0.6, 0.0, 0.0, 0.0],
                [0.0, 0.4, 0.0, 0.0],
                [0.0, 0.0, 1.2, 0.0],
                [0.0, 0.0, 0.0, -0.4],
            ]
        )
    )
)
print(torch.nonzero(torch.tensor([1, 1, 1, 0, 1]), as_tuple=True))
print(
    torch.nonzero(
        torch.tensor(
            [
                [0.6, 0.0, 0.0, 0.0],
                [0.0, 0.4, 0.0, 0.0],
                [0.0, 0.0, 1.2, 0.0],
                [0.0, 0.0, 0.0, -0.4],
            ]
        ),
        as_tuple=True,
    )
)
print(torch.nonzero(torch.tensor(5), as_tuple=True))

# torch.take
src = torch.tensor([[4, 3, 5], [6, 7, 8]])
print(torch.take(src, torch.tensor([0, 2, 5])))

# torch.take_along_dim
t = torch.tensor([[10, 30, 20], [60, 40, 50]])
max_idx = torch.argmax(t)
print(torch.take_along_dim(t, max_idx))
sorted_idx = torch.argsort(t, dim=1)
print(torch.take_along_dim(t, sorted_idx, dim=1))

# torch.where
x = torch.randn(3, 2)
y = torch.ones(3, 2)
print(x)
print(torch.where(x > 0, 1.0, 0.0))
print(torch.where(x > 0, x, y))
x = torch.randn(2, 2, dtype=torch.double)
print(x)
print(torch.where(x > 0, x, 0.0))

# torch.select_scatter
a = torch.zeros(2, 2)
b = torch.ones(2)
print(a.select_scatter(b, 0, 0))

# torch.slice_scatter
a = torch.zeros(8, 8)
b = torch.ones(2, 8)
print(a.slice_scatter(b, start=6))
b = torch.ones(8, 2)
print(a.slice_scatter(b, dim=1, start=2, end=6, step=2))

# torch.diagonal_scatter
a = torch.zeros(3, 3)
print(a)
print(torch.diagonal_scatter(a, torch.ones(3), 0))
print(torch.diagonal_scatter(a, torch.ones(2), 1))

# torch.as_strided_scatter
a = torch.arange(4).reshape(2, 2) + 1
print(a)
b = torch.zeros(3, 3)
print(b)
print(torch.as_strided_scatter(b, a, (2, 2), (1, 2)))

# torch.unravel_index
import torch  # noqa: E402

print(torch.unravel_index(torch.tensor(4), (3, 2)))
print(torch.unravel_index(torch.tensor([4, 1]), (3, 2)))
print(torch.unravel_index(torch.tensor([0, 1, 2, 3, 4, 5]), (3, 2)))
print(torch.unravel_index(torch.tensor([1234, 5678]), (10, 10, 10, 10)))
print(torch.unravel_index(torch.tensor([[1234], [5678]]), (10, 10, 10, 10)))
print(torch.unravel_index(torch.tensor([[1234], [5678]]), (100, 100)))
