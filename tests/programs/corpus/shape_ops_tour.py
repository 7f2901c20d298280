"""Shape manipulation as the tensor tutorials and views notes show it: view/reshape with -1,
contiguous after transpose, permute, squeeze/unsqueeze, flatten/unflatten, cat/stack/hstack/
vstack/dstack, split/chunk/tensor_split, unbind, expand vs repeat vs tile, repeat_interleave,
flip/fliplr/rot90/roll, narrow, movedim, meshgrid, tril/triu, diag/diag_embed and broadcasting.

Models: https://pytorch.org/docs/stable/tensor_view.html and
https://pytorch.org/tutorials/beginner/basics/tensorqs_tutorial.html (BSD-3-Clause). Written for
jitgrad's corpus, not copied.
"""
# ruff: noqa: E501  (one-line printouts, as tutorials write them)

import torch

x = torch.arange(24)
print(x.view(2, 3, 4).shape, x.view(-1, 8).shape, x.reshape(4, -1).stride())
t = x.view(2, 3, 4).transpose(0, 2)
print(t.shape, t.is_contiguous(), t.contiguous().is_contiguous(), t.stride())
print(x.view(2, 3, 4).permute(2, 0, 1).shape, x.view(2, 12).T.shape)
y = torch.zeros(2, 1, 3, 1)
print(y.squeeze().shape, y.squeeze(1).shape, y.unsqueeze(0).shape, y[:, None].shape)
print(y.flatten().shape, y.flatten(1).shape, torch.flatten(y, start_dim=0, end_dim=1).shape)
print(torch.arange(12).unflatten(0, (3, 4)))
a = torch.tensor([[1, 2], [3, 4]])
b = torch.tensor([[5, 6]])
print(torch.cat([a, b]), torch.cat((a, a), dim=1))
print(torch.stack([a, a]).shape, torch.stack([a, a], dim=2))
print(torch.hstack([a, a]), torch.vstack([a, b]), torch.dstack([a, a]).shape)
print(torch.column_stack([torch.tensor([1, 2]), torch.tensor([3, 4])]))
s = torch.arange(10)
print(s.split(3), torch.split(s, [2, 3, 5]))
print(s.chunk(4), torch.tensor_split(s, 3), torch.tensor_split(s, (1, 6)))
print(torch.arange(6).view(2, 3).unbind(1))
print(torch.tensor([[1], [2]]).expand(2, 3), torch.tensor([1, 2]).expand(3, -1))
print(torch.tensor([1, 2]).repeat(2, 2), torch.tile(torch.tensor([1, 2]), (2,)))
print(torch.repeat_interleave(torch.tensor([1, 2, 3]), 2))
print(torch.tensor([[1, 2], [3, 4]]).repeat_interleave(torch.tensor([1, 2]), dim=0))
m = torch.arange(6).view(2, 3)
print(m.flip(0), torch.fliplr(m), torch.flipud(m), torch.rot90(m), torch.rot90(m, 2, [0, 1]))
print(torch.roll(torch.arange(5), 2), torch.roll(m, shifts=1, dims=1), torch.roll(m, (1, 1), (0, 1)))
print(m.narrow(1, 1, 2), torch.movedim(torch.zeros(2, 3, 4), 0, -1).shape)
print(torch.zeros(2, 3, 4).moveaxis((0, 1), (2, 0)).shape, torch.swapaxes(m, 0, 1))
gx, gy = torch.meshgrid(torch.arange(3), torch.arange(2), indexing="ij")
print(gx, gy)
gx, gy = torch.meshgrid(torch.arange(3), torch.arange(2), indexing="xy")
print(gx.shape, gy)
sq = torch.arange(1.0, 10.0).view(3, 3)
print(torch.tril(sq), torch.triu(sq, diagonal=1), sq.diag(), torch.diag(torch.tensor([1.0, 2.0])))
print(torch.diag_embed(torch.tensor([[1, 2], [3, 4]])), sq.diagonal(offset=-1), sq.trace())
print((torch.ones(3, 1) + torch.arange(4)).shape, torch.broadcast_shapes((3, 1), (1, 4)))
print(torch.broadcast_tensors(torch.ones(2, 1), torch.zeros(3))[0].shape, torch.atleast_2d(torch.tensor(1.0)))
v = m.view(3, 2)
v[0, 0] = 100
print(m, m.view_as(torch.zeros(6)).shape, m.numel(), m.dim(), m.ndim, m.size(1))
