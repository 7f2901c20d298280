"""Tensor views notes: a view shares its base's data (t.view, t.untyped_storage().data_ptr()),
modifying the view changes the base, ._base, is_contiguous after transpose, contiguous()
copies, the list of view ops (narrow, select, expand, unflatten, diagonal, unbind, split,
chunk, movedim, indexing with slices vs advanced indexing, view_as_real excluded), strides,
reshape returning a view or a copy, and stride() / storage_offset() of views.

Model: https://pytorch.org/docs/stable/tensor_view.html (pytorch/pytorch docs, BSD-3-Clause).
Written for jitgrad's corpus, not copied. Changes: arange-based tensors; printed results.
"""
# ruff: noqa: E501  (the source's code and long printouts, kept as written)

import torch

t = torch.rand(4, 4)
b = t.view(2, 8)
print(t.untyped_storage().data_ptr() == b.untyped_storage().data_ptr())  # `t` and `b` share the same underlying data.
# Modifying view tensor changes base tensor as well.
b[0][0] = 3.14
print(t[0][0])

base = torch.tensor([[0, 1], [2, 3]])
print(base.is_contiguous())
t = base.transpose(0, 1)  # `t` is a view of `base`. No data movement happened here.
# View tensors might be non-contiguous.
print(t.is_contiguous())
# To get a contiguous tensor, call `.contiguous()` to enforce
# copying data when `t` is not contiguous.
c = t.contiguous()
print(c.is_contiguous(), c._base is None, t._base is base)

x = torch.arange(24.0).view(2, 3, 4)
print(x.stride(), x.transpose(0, 2).stride(), x[:, 1].stride(), x[:, 1].storage_offset())
print(x[1, :, ::2].stride(), x[1, :, ::2].storage_offset(), x[..., 1:3].is_contiguous())
views = {
    "narrow": x.narrow(2, 1, 2),
    "select": x.select(1, 2),
    "expand": x[:, :1].expand(2, 5, 4),
    "unflatten": x.unflatten(2, (2, 2)),
    "diagonal": x.diagonal(0, 1, 2),
    "unbind": x.unbind(0)[1],
    "split": x.split(2, dim=2)[1],
    "chunk": x.chunk(3, dim=1)[2],
    "movedim": x.movedim(0, 2),
    "slice": x[:, 1:, ::3],
    "unsqueeze": x.unsqueeze(1),
    "t": x[0].t(),
    "view_as": x.view_as(torch.empty(4, 6)),
    "flatten": x.flatten(),
    "swapaxes": x.swapaxes(0, 1),
    "squeeze": x[:, :1].squeeze(1),
    "unfold": x.unfold(2, 2, 1),
    "as_strided": x.as_strided((2, 2), (1, 2)),
    "T": x[0].T,
    "mT": x.mT,
    "detach": x.detach(),
}
for name, v in views.items():
    print(name, v._base is x, v.shape, v.stride(), v.storage_offset(), v.is_contiguous())
not_views = {"advanced": x[:, [0, 2]], "mask": x[x > 20], "contiguous_of_t": x.mT.contiguous(),
             "flatten_of_t": x.mT.flatten(), "reshape_of_t": x.mT.reshape(-1), "clone": x.clone()}  # fmt: skip
for name, v in not_views.items():
    print(name, v._base is x, v._base is None, v.shape, v.is_contiguous())
print(x.reshape(6, 4)._base is x, x.mT.reshape(2, 12)._base is None)
y = torch.arange(6.0)
v = y[1:4]
v.mul_(10)
print(y, v._version, y._version)
w = y.view(2, 3)
w[1] = -1
print(y, torch.equal(w.flatten(), y))
try:
    y.t_().view(3, 2).T.view(6)
except RuntimeError as e:
    print("RuntimeError:", e)
z = torch.zeros(3, 3)
z.diagonal().fill_(7)
z[:, 0].add_(1)
z[1:, 1:] += torch.ones(2, 2)
print(z)
