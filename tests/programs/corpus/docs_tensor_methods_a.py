"""Tensor methods from the torch.Tensor docs (a): the "Example::" blocks of the docstrings of
torch.Tensor.element_size, torch.Tensor.fill_diagonal_, torch.Tensor.get_device,
torch.Tensor.index_add_, torch.Tensor.index_copy_, torch.Tensor.index_fill_,
torch.Tensor.index_reduce_, torch.Tensor.item, torch.Tensor.masked_scatter,
torch.Tensor.masked_scatter_, torch.Tensor.new_full, torch.Tensor.new_ones,
torch.Tensor.new_tensor, torch.Tensor.new_zeros, pasted one after the other as a user runs them;
a line whose REPL echo the docstring shows is printed.

Source: the docstrings as shipped in PyTorch 2.13 (pytorch/pytorch, BSD-3-Clause; rendered
at https://pytorch.org/docs/stable/). Changes: none beyond print() around echoed
expressions; random inputs come from torch.randn/rand, which the corpus harness
feeds the same draws under both libraries.
"""

import torch

# torch.Tensor.element_size
print(torch.tensor([]).element_size())
print(torch.tensor([], dtype=torch.uint8).element_size())

# torch.Tensor.fill_diagonal_
a = torch.zeros(3, 3)
print(a.fill_diagonal_(5))
b = torch.zeros(7, 3)
print(b.fill_diagonal_(5))
c = torch.zeros(7, 3)
print(c.fill_diagonal_(5, wrap=True))

# torch.Tensor.get_device
x = torch.randn(3, 4, 5, device="cuda:0")
print(x.get_device())
print(x.cpu().get_device())

# torch.Tensor.index_add_
x = torch.ones(5, 3)
t = torch.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]], dtype=torch.float)
index = torch.tensor([0, 4, 2])
print(x.index_add_(0, index, t))
print(x.index_add_(0, index, t, alpha=-1))

# torch.Tensor.index_copy_
x = torch.zeros(5, 3)
t = torch.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]], dtype=torch.float)
index = torch.tensor([0, 4, 2])
print(x.index_copy_(0, index, t))

# torch.Tensor.index_fill_
x = torch.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]], dtype=torch.float)
index = torch.tensor([0, 2])
print(x.index_fill_(1, index, -1))

# torch.Tensor.index_reduce_
x = torch.empty(5, 3).fill_(2)
t = torch.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12]], dtype=torch.float)
index = torch.tensor([0, 4, 2, 0])
print(x.index_reduce_(0, index, t, "prod"))
x = torch.empty(5, 3).fill_(2)
print(x.index_reduce_(0, index, t, "prod", include_self=False))

# torch.Tensor.item
x = torch.tensor([1.0])
print(x.item())

# torch.Tensor.masked_scatter
self = torch.tensor([0, 0, 0, 0, 0])
mask = torch.tensor(
    [[0, 0, 0, 1, 1], [1, 1, 0, 1, 1]],
    dtype=torch.bool,
)
source = torch.tensor([[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]])
print(self.masked_scatter(mask, source))

# torch.Tensor.masked_scatter_
self = torch.tensor([[0, 0, 0, 0, 0], [0, 0, 0, 0, 0]])
mask = torch.tensor(
    [[0, 0, 0, 1, 1], [1, 1, 0, 1, 1]],
    dtype=torch.bool,
)
source = torch.tensor([[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]])
print(self.masked_scatter_(mask, source))

# torch.Tensor.new_full
tensor = torch.ones((2,), dtype=torch.float64)
print(tensor.new_full((3, 4), 3.141592))

# torch.Tensor.new_ones
tensor = torch.tensor((), dtype=torch.int32)
print(tensor.new_ones((2, 3)))

# torch.Tensor.new_tensor
tensor = torch.ones((2,), dtype=torch.int8)
data = [[0, 1], [2, 3]]
print(tensor.new_tensor(data))

# torch.Tensor.new_zeros
tensor = torch.tensor((), dtype=torch.float64)
print(tensor.new_zeros((2, 3)))
