"""Indexing-heavy code the way docs examples and forum answers write it: gather along a dim,
scatter_ and scatter_add_ (one-hot building, bincount by hand), scatter_reduce, index_select,
index_add_, index_copy_, index_fill_, take_along_dim with argsort, put_/take, advanced
(integer-array) indexing, index_put_ with accumulate, and gradients through gather/scatter.

Models: https://pytorch.org/docs/stable/generated/torch.Tensor.scatter_.html,
torch.gather.html, torch.Tensor.index_add_.html (pytorch/pytorch docstrings, BSD-3-Clause).
Written for jitgrad's corpus, not copied.
"""

import torch

t = torch.tensor([[1, 2], [3, 4]])
print(torch.gather(t, 1, torch.tensor([[0, 0], [1, 0]])))

src = torch.arange(1, 11).reshape((2, 5))
index = torch.tensor([[0, 1, 2, 0]])
print(torch.zeros(3, 5, dtype=src.dtype).scatter_(0, index, src))
index = torch.tensor([[0, 1, 2], [0, 1, 4]])
print(torch.zeros(3, 5, dtype=src.dtype).scatter_(1, index, src))
print(torch.full((2, 4), 2.0).scatter_(1, torch.tensor([[2], [3]]), 1.23, reduce="multiply"))
print(torch.full((2, 4), 2.0).scatter_(1, torch.tensor([[2], [3]]), 1.23, reduce="add"))

labels = torch.tensor([2, 0, 1, 2])
one_hot = torch.zeros(4, 3).scatter_(1, labels.unsqueeze(1), 1.0)
print(one_hot)
counts = torch.zeros(3).scatter_add_(0, labels, torch.ones(4))
print(counts, torch.bincount(labels))

src = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
idx = torch.tensor([0, 1, 0, 1, 2, 1])
inp = torch.tensor([1.0, 2.0, 3.0, 4.0])
print(inp.scatter_reduce(0, idx, src, reduce="sum"))
print(inp.scatter_reduce(0, idx, src, reduce="amax"))
print(inp.scatter_reduce(0, idx, src, reduce="amax", include_self=False))
print(inp.scatter_reduce(0, idx, src, reduce="mean"))

x = torch.arange(12.0).reshape(3, 4)
print(torch.index_select(x, 0, torch.tensor([0, 2])))
print(x.index_select(1, torch.tensor([3, 0])))
acc = torch.ones(5, 3)
acc.index_add_(0, torch.tensor([0, 4, 2]), torch.arange(9.0).reshape(3, 3))
print(acc)
print(torch.zeros(5, 3).index_copy_(0, torch.tensor([0, 4, 2]), torch.arange(9.0).reshape(3, 3)))
print(x.clone().index_fill_(1, torch.tensor([0, 2]), -1.0))

vals = torch.tensor([[10.0, 30.0, 20.0], [60.0, 40.0, 50.0]])
order = vals.argsort(dim=1)
print(torch.take_along_dim(vals, order, dim=1))
print(torch.take(vals, torch.tensor([0, 4, 5])))
p = vals.clone()
p.put_(torch.tensor([1, 3]), torch.tensor([-1.0, -2.0]))
print(p)

y = torch.arange(16).reshape(4, 4)
print(y[[0, 2, 3], [1, 1, 0]])
print(y[torch.tensor([[0, 1], [2, 3]])].shape)
print(y[1:, [0, 3]])
z = torch.zeros(5)
z.index_put_((torch.tensor([0, 1, 1, 3]),), torch.tensor([1.0, 2.0, 3.0, 4.0]), accumulate=True)
print(z)
z[torch.tensor([2, 4])] = torch.tensor([7.0, 8.0])
print(z)

w = torch.arange(6.0).reshape(2, 3).requires_grad_()
g = torch.gather(w, 1, torch.tensor([[0, 0], [2, 1]]))
(g * torch.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
print(w.grad)
s = torch.randn(4, requires_grad=True)
out = torch.zeros(3).scatter_add(0, torch.tensor([0, 2, 2, 1]), s * 2)
out.sum().backward()
print(s.grad)
