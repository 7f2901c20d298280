"""Masks as tutorials and forum answers use them: boolean masks from comparisons, masked_fill
(causal attention masks with -inf), torch.where with tensors and scalars, masked_select,
boolean-index assignment, nonzero/argwhere, any/all, logical_and/or/not/xor, counting with
sum over a mask, a masked mean for padded sequences, and clamping via masks with gradients.

Models: https://pytorch.org/docs/stable/generated/torch.Tensor.masked_fill_.html,
torch.where.html, torch.masked_select.html (pytorch/pytorch docstrings, BSD-3-Clause). Written
for jitgrad's corpus, not copied.
"""
# ruff: noqa: E501  (one-line printouts, as tutorials write them)

import torch

torch.manual_seed(0)
x = torch.randn(3, 4)
mask = x.ge(0.5)
print(mask)
print(torch.masked_select(x, mask))
print(x[mask].shape, mask.sum(), mask.sum(dim=1))
print(torch.where(x > 0, x, torch.zeros_like(x)))
print(torch.where(x > 0, x, 0.0))
print(torch.where(x > 0, 1.0, -1.0))
print(torch.where(x > 1.0))
print(torch.nonzero(x > 0.5), torch.argwhere(x < -1))
print(torch.nonzero(x > 0.5, as_tuple=True))

T = 4
causal = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
scores = torch.arange(16.0).reshape(T, T) / 10
scores = scores.masked_fill(causal, float("-inf"))
print(scores)
print(torch.softmax(scores, dim=-1))
tril = torch.tril(torch.ones(T, T))
print(torch.zeros(T, T).masked_fill(tril == 0, float("-inf")))

y = x.clone()
y[y < 0] = 0
print(y)
y[mask] += 10
print(y)
y.masked_fill_(~mask, -1.0)
print(y)

a = torch.tensor([True, False, True, False])
b = torch.tensor([True, True, False, False])
print(a & b, a | b, a ^ b, ~a)
print(torch.logical_and(a, b), torch.logical_or(a, b), torch.logical_xor(a, b), torch.logical_not(a))
print(a.any(), a.all(), torch.all(a | ~a), (x > -5).all(dim=1), (x > 1).any(dim=0))
print(torch.logical_not(torch.tensor([0.0, 1.5, -2.0])))

lengths = torch.tensor([3, 1, 2])
feats = torch.arange(24.0).reshape(3, 4, 2)
pad_mask = torch.arange(4)[None, :] < lengths[:, None]
print(pad_mask)
masked_mean = (feats * pad_mask.unsqueeze(-1)).sum(1) / pad_mask.sum(1, keepdim=True)
print(masked_mean)

w = torch.tensor([-2.0, -0.5, 0.5, 2.0], requires_grad=True)
out = torch.where(w.abs() < 1, w**2, w.abs())
out.sum().backward()
print(out, w.grad)
m = torch.tensor([True, False, True, False])
w.grad = None
w.masked_fill(m, 0.0).mul(3).sum().backward()
print(w.grad)
print(x.masked_scatter(mask, torch.arange(12.0)))
