"""torch.Tensor docs examples for less common methods: in-place shape methods (t_,
transpose_, squeeze_, unsqueeze_, resize_), as_strided, fill_diagonal_, index_fill_,
masked_scatter_, put_/take, unfold, diagonal with offsets, triu/tril with diagonals,
repeat_interleave, roll over dims, and their results' strides.

Model: https://pytorch.org/docs/stable/tensors.html (pytorch/pytorch, BSD-3-Clause). Written
for jitgrad's corpus, not copied.
"""

import torch

x = torch.arange(6.0).view(2, 3)
y = x.clone()
y.t_()
print(y, y.shape, y.stride(), y.is_contiguous())
y.transpose_(0, 1)
print(y.shape, y.stride())
z = torch.zeros(1, 3, 1)
z.squeeze_()
print(z.shape)
z.unsqueeze_(0)
print(z.shape)
r = torch.arange(6.0)
r.resize_(2, 3)
print(r)
r.resize_(4)
print(r)
s = torch.arange(9.0)
print(torch.as_strided(s, (2, 2), (3, 1), 1), s.as_strided((3,), (4,)))
m = torch.zeros(3, 4)
m.fill_diagonal_(5)
print(m)
print(torch.zeros(5, 3).fill_diagonal_(2, wrap=True))
print(torch.zeros(3, 3).index_fill_(1, torch.tensor([0, 2]), -1))
mask = torch.tensor([[True, False, True], [False, True, False]])
print(torch.zeros(2, 3).masked_scatter_(mask, torch.arange(10.0)))
t = torch.zeros(2, 3)
t.put_(torch.tensor([0, 5]), torch.tensor([9.0, 8.0]))
t.put_(torch.tensor([0, 0]), torch.tensor([1.0, 1.0]), accumulate=True)
print(t, torch.take(x, torch.tensor([[0, 5], [2, 3]])))
print(torch.arange(8.0).unfold(0, 3, 2), torch.arange(12.0).view(3, 4).unfold(1, 2, 2).shape)
print(
    x.diagonal(offset=1),
    torch.arange(9).view(3, 3).diagonal(-1),
    x.diag(),
    torch.diag(torch.tensor([1, 2]), 1),
)
print(torch.ones(3, 4).triu(1), torch.ones(3, 3).tril(-1))
print(
    torch.tensor([1, 2, 3]).repeat_interleave(2),
    torch.tensor([[1, 2], [3, 4]]).repeat_interleave(torch.tensor([1, 2]), dim=0),
)
print(torch.repeat_interleave(torch.tensor([2, 0, 1])))
print(
    torch.arange(6).view(2, 3).roll(1, 1),
    torch.arange(6).view(2, 3).roll((1, 1), (0, 1)),
    torch.arange(4).roll(-1),
)
print(x.flip(0, 1), x.fliplr(), torch.rot90(x, 1, (0, 1)), torch.rot90(x, -1))
print(x.expand(2, 2, 3).stride(), x.unsqueeze(1).stride(), x[:, None, :].shape, x[..., 1].stride())
print(x.movedim(0, 1).shape, x.swapaxes(0, 1).stride(), x.mT.shape, torch.ones(2, 3, 4).mT.stride())
print(
    x.new_tensor([1, 2]).dtype,
    x.type_as(torch.tensor([1])).dtype,
    x.view_as(torch.ones(3, 2)).shape,
)
print(
    x.reshape_as(torch.ones(6)),
    x.expand_as(torch.ones(2, 2, 3)).shape,
    torch.ones(1, 3).repeat(2, 1, 2).shape,
)
print(
    x.narrow(1, 1, 2),
    x.select(1, 0),
    x.unbind(1),
    torch.arange(10).tensor_split(3),
    torch.arange(7).tensor_split([1, 5]),
)
print(
    x.chunk(4, 1),
    torch.arange(5).split(2),
    torch.arange(6).view(2, 3).hsplit(3),
    torch.arange(8).view(4, 2).vsplit([1, 3]),
)
print(
    x.apply_(lambda v: v * 2) if hasattr(x, "apply_") else None,
    x.map_(torch.ones(2, 3), lambda a, b: a + b),
)
