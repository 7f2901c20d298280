"""Reductions and sorting as the tensor tutorials and docs examples print them: sum/mean with
dim and keepdim, std/var (unbiased and not), max/min returning (values, indices) namedtuples,
argmax, topk, sort, kthvalue, median, mode, cumsum/cumprod, prod, logsumexp, norm variants,
unique (sorted, counts, inverse), bincount, histc, count_nonzero, amax/amin, aminmax.

Models: https://pytorch.org/docs/stable/torch.html#reduction-ops (pytorch/pytorch docstrings,
BSD-3-Clause). Written for jitgrad's corpus, not copied.
"""
# ruff: noqa: E501  (one-line printouts, as tutorials write them)

import torch

torch.manual_seed(0)
x = torch.randn(3, 4)
print(x)
print(x.sum(), x.sum(dim=0), x.sum(dim=1, keepdim=True))
print(x.mean(), x.mean(dim=(0, 1)), x.mean(-1))
print(x.std(), x.std(dim=0), x.var(unbiased=False), x.var(dim=1, correction=0))
print(torch.std_mean(x, dim=1))
print(torch.var_mean(x))
print(x.max(), x.min())
mx = x.max(dim=1)
print(mx)
print(mx.values, mx.indices, mx[0])
vals, idx = torch.min(x, 0, keepdim=True)
print(vals, idx)
print(x.argmax(), x.argmax(dim=0), x.argmin(dim=1, keepdim=True))
print(torch.topk(x.flatten(), 3))
print(x.topk(2, dim=1, largest=False))
print(torch.sort(x, dim=1, descending=True))
print(x.sort(dim=0).indices)
print(torch.kthvalue(torch.tensor([3.0, 1.0, 4.0, 1.5, 5.0]), 2))
print(torch.median(torch.tensor([3.0, 1.0, 4.0, 1.5])), x.median(dim=1))
print(torch.mode(torch.tensor([1, 2, 2, 3, 3, 3, 0])))
print(torch.cumsum(torch.arange(1.0, 6.0), 0), torch.cumprod(torch.arange(1.0, 6.0), dim=0))
print(x.cumsum(dim=1))
print(torch.prod(torch.tensor([[1.0, 2.0], [3.0, 4.0]]), 1), torch.arange(1, 6).prod())
print(torch.logsumexp(x, dim=1), x.exp().sum(1).log())
print(x.norm(), x.norm(p=1), x.norm(dim=1), torch.linalg.norm(x, ord="fro"))
print(torch.linalg.vector_norm(x, ord=float("inf")), x.abs().max())
u = torch.tensor([3, 1, 2, 3, 1, 7])
print(torch.unique(u))
print(torch.unique(u, return_counts=True))
print(u.unique(sorted=True, return_inverse=True))
print(torch.unique_consecutive(torch.tensor([1, 1, 2, 2, 3, 1, 1])))
print(torch.bincount(u), torch.bincount(torch.tensor([0, 1, 1]), weights=torch.tensor([0.5, 1.0, 2.0])))
print(torch.histc(torch.tensor([1.0, 2.0, 1.0, 4.0]), bins=4, min=0, max=3))
print(torch.count_nonzero(torch.tensor([[0, 1, 7], [0, 0, 3]]), dim=0))
print(x.amax(dim=1), x.amin(dim=0), torch.aminmax(x))
i = torch.tensor([[1, 2], [3, 4]])
print(i.sum(), i.sum().dtype, i.float().mean(), i.prod(dim=0), i.max(dim=1))
b = torch.tensor([True, False, True])
print(b.sum(), b.float().mean())
