"""Indexing a tensor the NumPy way, as the Tensor Indexing API notes and NumPy-style indexing
examples use it: basic slicing with steps and negative indices, None / Ellipsis, integer array
indexing (combined with slices, broadcasting index arrays), boolean masks (1-D and full
shape), assignment through each kind (index_put_ with accumulate), nonzero and where with one
argument, advanced indexing results that are copies, and index errors.

Model: https://pytorch.org/cppdocs/notes/tensor_indexing.html (the Python column) and
https://numpy.org/doc/stable/user/basics.indexing.html (BSD-3-Clause both). Written for
jitgrad's corpus, not copied. Changes: arange-based tensors; printed results.
"""

import torch

x = torch.arange(10)
print(x[2], x[-2], x[2:5], x[:-7], x[1:7:2], x[-3:3:-1] if False else x[-3:])
x = torch.arange(24).view(2, 3, 4)
print(x[1, 2], x[1][2], x[:, 1], x[..., 1], x[1, ...], x[None].shape, x[:, None, 1].shape)
print(x[..., None, ::2].shape, x[0, ..., 0], x[:, -1, -1])
print(x[[0, 1], [1, 2]], x[[0, 1], :, [3, 0]], x[:, [2, 0]].shape)
rows = torch.tensor([[0, 0], [1, 1]])
cols = torch.tensor([[0, 2], [1, 2]])
print(x[0][rows, cols])
print(x[0, torch.tensor([0, 2])[:, None], torch.tensor([1, 3])])
print(x[0, 1:, [1, 2]], x[:, [0, 2], 1:3].shape)
y = torch.arange(35).reshape(5, 7)
print(y[1:5:2, ::3], y[torch.tensor([0, 2, 4]), torch.tensor([0, 1, 2])])
print(y[torch.tensor([0, 2, 4]), 1], y[torch.tensor([0, 2, 4])].shape)
b = y > 20
print(y[b])
print(y[b[:, 5]])
print(y[b[:, 5], 1:3])
print(y[torch.tensor([True, False, True, False, False])])
m = torch.tensor([[True, False], [False, True]])
z = torch.arange(4).view(2, 2)
print(z[m], z[torch.tensor(True)].shape, z[torch.tensor(False)].shape)
print(torch.nonzero(y % 11 == 0), torch.where(y % 11 == 0), (y % 11 == 0).nonzero(as_tuple=True))
print(torch.argwhere(z > 0))

a = torch.zeros(3, 4)
a[1] = 1
a[:, 2] = torch.tensor([5.0, 6.0, 7.0])
a[0, [0, 3]] = -1
a[a > 6] = 100
a[[2, 2], [0, 1]] += 0.5
a[..., -1] *= 2
print(a)
t = torch.zeros(5)
t[torch.tensor([0, 0, 2])] += 1
print(t)
t.index_put_((torch.tensor([0, 0, 2]),), torch.tensor(1.0), accumulate=True)
print(t)
t[torch.tensor([1, 3])] = torch.tensor([9.0, 8.0])
t[t > 5] = -t[t > 5]
print(t)
copy = y[[0, 1]]
copy[0, 0] = 999
print(y[0, 0], y[:1]._base is y, copy._base is None)

g = torch.arange(6.0, requires_grad=True)
out = g[[0, 0, 3]].sum() + g[g > 3].sum() * 2 + g[1:3].sum() * 3
out.backward()
print(g.grad, out.grad_fn.name())
h = torch.zeros(3, requires_grad=True)
k = h.clone()
k[torch.tensor([0, 2])] = torch.tensor([1.0, 2.0])
(k * torch.arange(3.0)).sum().backward()
print(h.grad, k.grad_fn.name())

for bad in (lambda: x[2], lambda: x[0, 3], lambda: x[0, 0, -5], lambda: x[[0, 2]],
            lambda: x[0, 0, 0, 0], lambda: y[torch.tensor([True, False])],
            lambda: x[1.5]):  # fmt: skip
    try:
        bad()
    except (IndexError, RuntimeError, TypeError) as e:
        print(type(e).__name__ + ":", e)
