"""Reductions' keyword forms (torch docs examples): std/var with correction= and unbiased=,
dims as tuples, keepdim, nansum/nanmean, logsumexp, amax/amin vs max/min, aminmax, norms by
order, prod over integers, all/any over dims, and std_mean/var_mean.

Model: https://pytorch.org/docs/stable/torch.html#reduction-ops (pytorch/pytorch,
BSD-3-Clause). Written for jitgrad's corpus, not copied.
"""

import torch

torch.manual_seed(0)
x = torch.randn(3, 4)
print(
    x.std(), x.std(dim=1), x.std(dim=(0, 1), correction=0), x.std(1, unbiased=False, keepdim=True)
)
print(
    x.var(0, correction=2),
    torch.var(x, dim=1, keepdim=True),
    torch.std_mean(x, dim=0),
    torch.var_mean(x, 1, correction=0),
)
print(torch.ones(1).std(), torch.ones(1).var(correction=0))
print(x.sum((0, 1)), x.sum(dim=-1, keepdim=True).shape, x.mean((-1, -2)), x.sum(dim=()).shape)
y = torch.tensor([[1.0, float("nan"), 3.0], [float("nan"), float("nan"), 2.0]])
print(y.nansum(), y.nansum(1), y.nanmean(0), y.sum(), y.nanmean())
print(torch.logsumexp(x, 1), torch.logsumexp(torch.tensor([-float("inf"), -float("inf")]), 0))
print(
    x.amax((0, 1)),
    x.amin(1),
    x.max(),
    torch.aminmax(x, dim=0),
    torch.aminmax(torch.tensor([3, 1, 2])),
)
print(
    x.norm(),
    x.norm(p=1, dim=1),
    x.norm(p=float("inf")),
    x.norm(p="fro", dim=(0, 1)),
    x.norm(dim=0, p=3),
)
print(
    torch.linalg.vector_norm(x, ord=0),
    torch.linalg.vector_norm(x, ord=-float("inf")),
    torch.linalg.matrix_norm(x, ord="nuc"),
)
print(
    torch.tensor([1, 2, 3, 4]).prod(),
    torch.tensor([[1, 2], [3, 4]]).prod(1),
    torch.tensor([True, False]).prod(),
)
print(
    torch.tensor([[True, False], [True, True]]).all(1),
    torch.tensor([[0, 1], [0, 0]]).any(0),
    torch.tensor([]).all(),
)
print(x.all(), (x > 0).any(dim=(0, 1)), torch.tensor([1.0, 0.5]).all())
print(
    x.cumsum(1)[:, -1] - x.sum(1),
    x.cumprod(0).shape,
    torch.tensor([1, 2, 3]).cumsum(0, dtype=torch.float32),
)
print(
    torch.sum(torch.tensor([1, 2], dtype=torch.int8), dtype=torch.int8),
    torch.mean(x, 0, dtype=torch.float64).dtype,
)
print(
    torch.tensor([]).sum(),
    torch.tensor([]).mean(),
    torch.tensor([]).prod(),
    torch.zeros(0, 3).sum(0),
)
try:
    torch.tensor([]).max()
except RuntimeError as e:
    print(e)
try:
    torch.zeros(0, 3).amax(0)
except (RuntimeError, IndexError) as e:
    print(type(e).__name__, e)
print(torch.zeros(0, 3).amax(1), torch.zeros(2, 0).max(0) if False else torch.zeros(2, 0).sum(1))
