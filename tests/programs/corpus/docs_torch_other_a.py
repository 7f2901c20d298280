"""Other operations from the torch docs (a): the "Example::" blocks of the docstrings of
torch.block_diag, torch.broadcast_shapes, torch.broadcast_tensors, torch.broadcast_to,
torch.bucketize, torch.cartesian_prod, torch.cdist, torch.combinations, torch.corrcoef,
torch.cov, torch.cross, torch.cummax, torch.cummin, torch.cumprod, torch.cumsum, pasted one
after the other as a user runs them; a line whose REPL echo the docstring shows is printed.

Source: the docstrings as shipped in PyTorch 2.13 (pytorch/pytorch, BSD-3-Clause; rendered
at https://pytorch.org/docs/stable/). Changes: none beyond print() around echoed
expressions; random inputs come from torch.randn/rand, which the corpus harness
feeds the same draws under both libraries.
"""

import itertools

import torch

# torch.block_diag
A = torch.tensor([[0, 1], [1, 0]])
B = torch.tensor([[3, 4, 5], [6, 7, 8]])
C = torch.tensor(7)
D = torch.tensor([1, 2, 3])
E = torch.tensor([[4], [5], [6]])
print(torch.block_diag(A, B, C, D, E))

# torch.broadcast_shapes
print(torch.broadcast_shapes((2,), (3, 1), (1, 1, 1)))

# torch.broadcast_tensors
x = torch.arange(3).view(1, 3)
y = torch.arange(2).view(2, 1)
a, b = torch.broadcast_tensors(x, y)
print(a.size())
print(a)

# torch.broadcast_to
x = torch.tensor([1, 2, 3])
print(torch.broadcast_to(x, (3, 3)))

# torch.bucketize
boundaries = torch.tensor([1, 3, 5, 7, 9])
print(boundaries)
v = torch.tensor([[3, 6, 9], [3, 6, 9]])
print(v)
print(torch.bucketize(v, boundaries))
print(torch.bucketize(v, boundaries, right=True))

# torch.cartesian_prod
a = [1, 2, 3]
b = [4, 5]
print(list(itertools.product(a, b)))
tensor_a = torch.tensor(a)
tensor_b = torch.tensor(b)
print(torch.cartesian_prod(tensor_a, tensor_b))

# torch.cdist
a = torch.tensor([[0.9041, 0.0196], [-0.3108, -2.4423], [-0.4821, 1.059]])
print(a)
b = torch.tensor([[-2.1763, -0.4713], [-0.6986, 1.3702]])
print(b)
print(torch.cdist(a, b, p=2))

# torch.combinations
a = [1, 2, 3]
print(list(itertools.combinations(a, r=2)))
print(list(itertools.combinations(a, r=3)))
print(list(itertools.combinations_with_replacement(a, r=2)))
tensor_a = torch.tensor(a)
print(torch.combinations(tensor_a))
print(torch.combinations(tensor_a, r=3))
print(torch.combinations(tensor_a, with_replacement=True))

# torch.corrcoef
x = torch.tensor([[0, 1, 2], [2, 1, 0]])
print(torch.corrcoef(x))
x = torch.randn(2, 4)
print(x)
print(torch.corrcoef(x))
print(torch.corrcoef(x[0]))

# torch.cov
x = torch.tensor([[0, 2], [1, 1], [2, 0]]).T
print(x)
print(torch.cov(x))
print(torch.cov(x, correction=0))
fw = torch.randint(1, 10, (3,))
print(fw)
aw = torch.rand(3)
print(aw)
print(torch.cov(x, fweights=fw, aweights=aw))

# torch.cross
a = torch.randn(4, 3)
print(a)
b = torch.randn(4, 3)
print(b)
print(torch.cross(a, b, dim=1))
print(torch.cross(a, b))

# torch.cummax
a = torch.randn(10)
print(a)
print(torch.cummax(a, dim=0))

# torch.cummin
a = torch.randn(10)
print(a)
print(torch.cummin(a, dim=0))

# torch.cumprod
a = torch.randn(10)
print(a)
print(torch.cumprod(a, dim=0))
a[5] = 0.0
print(torch.cumprod(a, dim=0))

# torch.cumsum
a = torch.randint(1, 20, (10,))
print(a)
print(torch.cumsum(a, dim=0))
