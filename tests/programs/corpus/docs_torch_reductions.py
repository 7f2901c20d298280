"""Reductions from the torch docs: the "Example::" blocks of the docstrings of torch.all,
torch.any, torch.amax, torch.amin, torch.aminmax, torch.argmax, torch.argmin,
torch.count_nonzero, torch.dist, torch.logsumexp, torch.mean, torch.median, torch.mode,
torch.nanmean, torch.nanmedian, pasted one after the other as a user runs them; a line whose
REPL echo the docstring shows is printed.

Source: the docstrings as shipped in PyTorch 2.13 (pytorch/pytorch, BSD-3-Clause; rendered
at https://pytorch.org/docs/stable/). Changes: none beyond print() around echoed
expressions; random inputs come from torch.randn/rand, which the corpus harness
feeds the same draws under both libraries.
"""

import torch

# torch.all
a = torch.rand(1, 2).bool()
print(a)
print(torch.all(a))
a = torch.arange(0, 3)
print(a)
print(torch.all(a))
a = torch.rand(4, 2).bool()
print(a)
print(torch.all(a, dim=1))
print(torch.all(a, dim=0))

# torch.any
a = torch.rand(1, 2).bool()
print(a)
print(torch.any(a))
a = torch.arange(0, 3)
print(a)
print(torch.any(a))
a = torch.randn(4, 2) < 0
print(a)
print(torch.any(a, 1))
print(torch.any(a, 0))

# torch.amax
a = torch.randn(4, 4)
print(a)
print(torch.amax(a, 1))

# torch.amin
a = torch.randn(4, 4)
print(a)
print(torch.amin(a, 1))

# torch.aminmax
print(torch.aminmax(torch.tensor([1, -3, 5])))
print(torch.aminmax(torch.tensor([1, -3, 5, torch.nan])))
t = torch.arange(10).view(2, 5)
print(t)
print(t.aminmax(dim=0, keepdim=True))

# torch.argmax
a = torch.randn(4, 4)
print(a)
print(torch.argmax(a))
a = torch.randn(4, 4)
print(a)
print(torch.argmax(a, dim=1))

# torch.argmin
a = torch.randn(4, 4)
print(a)
print(torch.argmin(a))
print(torch.argmin(a, dim=1))
print(torch.argmin(a, dim=1, keepdim=True))

# torch.count_nonzero
x = torch.zeros(3, 3)
x[torch.randn(3, 3) > 0.5] = 1
print(x)
print(torch.count_nonzero(x))
print(torch.count_nonzero(x, dim=0))

# torch.dist
x = torch.randn(4)
print(x)
y = torch.randn(4)
print(y)
print(torch.dist(x, y, 3.5))
print(torch.dist(x, y, 3))
print(torch.dist(x, y, 0))
print(torch.dist(x, y, 1))

# torch.logsumexp
a = torch.randn(3, 3)
print(torch.logsumexp(a, 1))
print(torch.dist(torch.logsumexp(a, 1), torch.log(torch.sum(torch.exp(a), 1))))

# torch.mean
a = torch.randn(1, 3)
print(a)
print(torch.mean(a))
a = torch.randn(4, 4)
print(a)
print(torch.mean(a, 1))
print(torch.mean(a, 1, True))

# torch.median
a = torch.randn(1, 3)
print(a)
print(torch.median(a))
a = torch.randn(4, 5)
print(a)
print(torch.median(a, 1))

# torch.mode
b = torch.tensor(
    [
        [0, 0, 0, 2, 0, 0, 2],
        [0, 3, 0, 0, 2, 0, 1],
        [2, 2, 2, 0, 0, 0, 3],
        [2, 2, 3, 0, 1, 1, 0],
        [1, 1, 0, 0, 2, 0, 2],
    ]
)
print(torch.mode(b, 0))

# torch.nanmean
x = torch.tensor([[torch.nan, 1, 2], [1, 2, 3]])
print(x.mean())
print(x.nanmean())
print(x.mean(dim=0))
print(x.nanmean(dim=0))
print(torch.tensor([torch.nan]).nanmean())

# torch.nanmedian
a = torch.tensor([1, float("nan"), 3, 2])
print(a.median())
print(a.nanmedian())
a = torch.tensor([[2, 3, 1], [float("nan"), 1, float("nan")]])
print(a)
print(a.median(0))
print(a.nanmedian(0))
