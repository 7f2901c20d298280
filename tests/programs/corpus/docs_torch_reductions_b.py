"""Reductions from the torch docs (b): the "Example::" blocks of the docstrings of torch.nansum,
torch.norm, torch.prod, torch.quantile, torch.nanquantile, torch.std, torch.std_mean, torch.sum,
torch.var, torch.var_mean, torch.unique_consecutive, torch.max, torch.min, pasted one after the
other as a user runs them; a line whose REPL echo the docstring shows is printed.

Source: the docstrings as shipped in PyTorch 2.13 (pytorch/pytorch, BSD-3-Clause; rendered
at https://pytorch.org/docs/stable/). Changes: none beyond print() around echoed
expressions; random inputs come from torch.randn/rand, which the corpus harness
feeds the same draws under both libraries.
"""

import torch

# torch.nansum
a = torch.tensor([1.0, 2.0, float("nan"), 4.0])
print(torch.nansum(a))
print(torch.nansum(torch.tensor([1.0, float("nan")])))
a = torch.tensor([[1, 2], [3.0, float("nan")]])
print(torch.nansum(a))
print(torch.nansum(a, dim=0))
print(torch.nansum(a, dim=1))

# torch.norm
import torch  # noqa: E402

a = torch.arange(9, dtype=torch.float) - 4
b = a.reshape((3, 3))
print(torch.norm(a))
print(torch.norm(b))
print(torch.norm(a, float("inf")))
print(torch.norm(b, float("inf")))
c = torch.tensor([[1, 2, 3], [-1, 1, 4]], dtype=torch.float)
print(torch.norm(c, dim=0))
print(torch.norm(c, dim=1))
print(torch.norm(c, p=1, dim=1))
d = torch.arange(8, dtype=torch.float).reshape(2, 2, 2)
print(torch.norm(d, dim=(1, 2)))
print(torch.norm(d[0, :, :]), torch.norm(d[1, :, :]))

# torch.prod
a = torch.randn(1, 3)
print(a)
print(torch.prod(a))
a = torch.randn(4, 2)
print(a)
print(torch.prod(a, 1))

# torch.quantile
a = torch.randn(2, 3)
print(a)
q = torch.tensor([0.25, 0.5, 0.75])
print(torch.quantile(a, q, dim=1, keepdim=True))
print(torch.quantile(a, q, dim=1, keepdim=True).shape)
a = torch.arange(4.0)
print(a)
print(torch.quantile(a, 0.6, interpolation="linear"))
print(torch.quantile(a, 0.6, interpolation="lower"))
print(torch.quantile(a, 0.6, interpolation="higher"))
print(torch.quantile(a, 0.6, interpolation="midpoint"))
print(torch.quantile(a, 0.6, interpolation="nearest"))
print(torch.quantile(a, 0.4, interpolation="nearest"))

# torch.nanquantile
t = torch.tensor([float("nan"), 1, 2])
print(t.quantile(0.5))
print(t.nanquantile(0.5))
t = torch.tensor([[float("nan"), float("nan")], [1, 2]])
print(t)
print(t.nanquantile(0.5, dim=0))
print(t.nanquantile(0.5, dim=1))

# torch.std
a = torch.tensor(
    [[ 0.2035,  1.2959,  1.8101, -0.4644],
     [ 1.5027, -0.3270,  0.5905,  0.6538],
     [-1.5745,  1.3330, -0.5596, -0.6548],
     [ 0.1264, -0.5080,  1.6420,  0.1992]]
)  # fmt: skip
print(torch.std(a, dim=1, keepdim=True))

# torch.std_mean
a = torch.tensor(
    [[ 0.2035,  1.2959,  1.8101, -0.4644],
     [ 1.5027, -0.3270,  0.5905,  0.6538],
     [-1.5745,  1.3330, -0.5596, -0.6548],
     [ 0.1264, -0.5080,  1.6420,  0.1992]]
)  # fmt: skip
print(torch.std_mean(a, dim=0, keepdim=True))

# torch.sum
a = torch.randn(1, 3)
print(a)
print(torch.sum(a))
a = torch.randn(4, 4)
print(a)
print(torch.sum(a, 1))
b = torch.arange(4 * 5 * 6).view(4, 5, 6)
print(torch.sum(b, (2, 1)))

# torch.var
a = torch.tensor(
    [[ 0.2035,  1.2959,  1.8101, -0.4644],
     [ 1.5027, -0.3270,  0.5905,  0.6538],
     [-1.5745,  1.3330, -0.5596, -0.6548],
     [ 0.1264, -0.5080,  1.6420,  0.1992]]
)  # fmt: skip
print(torch.var(a, dim=1, keepdim=True))

# torch.var_mean
a = torch.tensor(
    [[ 0.2035,  1.2959,  1.8101, -0.4644],
     [ 1.5027, -0.3270,  0.5905,  0.6538],
     [-1.5745,  1.3330, -0.5596, -0.6548],
     [ 0.1264, -0.5080,  1.6420,  0.1992]]
)  # fmt: skip
print(torch.var_mean(a, dim=0, keepdim=True))

# torch.unique_consecutive
x = torch.tensor([1, 1, 2, 2, 3, 1, 1, 2])
output = torch.unique_consecutive(x)
print(output)
output, inverse_indices = torch.unique_consecutive(x, return_inverse=True)
print(output)
print(inverse_indices)
output, counts = torch.unique_consecutive(x, return_counts=True)
print(output)
print(counts)

# torch.max
a = torch.randn(1, 3)
print(a)
print(torch.max(a))
a = torch.randn(4, 4)
print(a)
print(torch.max(a, 1))
a = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
print(a.max(dim=1, keepdim=True))
print(a.max(dim=1, keepdim=False))

# torch.min
a = torch.randn(1, 3)
print(a)
print(torch.min(a))
a = torch.randn(4, 4)
print(a)
print(torch.min(a, 1))
