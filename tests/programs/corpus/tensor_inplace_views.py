"""In-place operations and views the way the "tensor views" notes and autograd-mechanics
answers explain them: views share storage (view, slicing, transpose, expand, unfold,
diagonal, select), in-place ops through a view change the base, data_ptr/untyped_storage
sharing checks, clone vs detach, out= arguments, the trailing-underscore family (add_, mul_,
clamp_, zero_, fill_, copy_, t_, unsqueeze_), and autograd through an in-place op on a view.

Models: https://pytorch.org/docs/stable/tensor_view.html and
https://pytorch.org/docs/stable/notes/autograd.html#in-place-operations-with-autograd
(BSD-3-Clause). Written for jitgrad's corpus, not copied.
"""
# ruff: noqa: E501  (one-line printouts, as tutorials write them)

import torch

base = torch.arange(12.0).view(3, 4)
v = base[1]
v.mul_(10)
print(base)
t = base.t()
t[0, 0] = -1
print(base[0], t.is_contiguous(), base.storage_offset(), v.storage_offset())
print(v._base is base, base.view(-1)._base is base, base.data_ptr() == base.view(12).data_ptr())
d = base.diagonal()
d.fill_(0)
print(base)
e = torch.tensor([1.0, 2.0]).expand(3, 2)
print(e.stride(), e.is_contiguous())
u = torch.arange(8.0).unfold(0, 3, 2)
print(u, u.stride())
c = base.clone()
c.zero_()
print(base.sum() != 0, c.sum())
dt = base.detach()
dt[0, 0] = 100
print(base[0, 0])
out = torch.empty(3)
torch.add(torch.ones(3), 2, out=out)
print(out)
torch.mul(torch.ones(3), torch.tensor([1.0, 2.0, 3.0]), out=out)
print(out, torch.cumsum(torch.ones(3), 0, out=torch.empty(3)))
x = torch.ones(2, 3)
x.add_(1).mul_(3).sub_(1).div_(2)
print(x, x.clamp_(max=2.0), x.copy_(torch.tensor([5.0, 6.0, 7.0])), x.t_().shape, x.unsqueeze_(0).shape)
print(x.squeeze_().shape, x.abs_().neg_(), x.exp_().log_())
y = torch.tensor([[1.0, -2.0], [3.0, -4.0]])
y.relu_()
y.sigmoid_()
print(y, torch.tensor([0.5, 1.5]).pow_(2), torch.tensor([4.0]).sqrt_())

leaf = torch.ones(4, requires_grad=True)
w = leaf * 1
w[1:3].mul_(torch.tensor([2.0, 3.0]))
print(w, w.grad_fn.name())
w.sum().backward()
print(leaf.grad)
a = torch.randn(3, requires_grad=True)
b = a.sigmoid()
b.mul_(2)
try:
    b.sum().backward()
    print("ok", a.grad is not None)
except RuntimeError as err:
    print(str(err)[:70])
z = torch.zeros(2, 2)
z[0] += torch.tensor([1.0, 2.0])
z[:, 1] *= 5
z[z > 4] = -1
print(z)
