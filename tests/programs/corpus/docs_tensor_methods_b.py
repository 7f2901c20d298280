"""Tensor methods from the torch.Tensor docs (b): the "Example::" blocks of the docstrings of
torch.Tensor.permute, torch.Tensor.put_, torch.Tensor.register_hook,
torch.Tensor.register_post_accumulate_grad_hook, torch.Tensor.repeat, torch.Tensor.resize_,
torch.Tensor.scatter_, torch.Tensor.scatter_add_, torch.Tensor.scatter_reduce_,
torch.Tensor.size, torch.Tensor.storage_offset, torch.Tensor.stride, torch.Tensor.tolist,
torch.Tensor.unfold, pasted one after the other as a user runs them; a line whose REPL echo the
docstring shows is printed.

Source: the docstrings as shipped in PyTorch 2.13 (pytorch/pytorch, BSD-3-Clause; rendered
at https://pytorch.org/docs/stable/). Changes: none beyond print() around echoed
expressions; random inputs come from torch.randn/rand, which the corpus harness
feeds the same draws under both libraries.
"""

import torch

# torch.Tensor.permute
x = torch.randn(2, 3, 5)
print(x.size())
print(x.permute(2, 0, 1).size())

# torch.Tensor.put_
src = torch.tensor([[4, 3, 5], [6, 7, 8]])
print(src.put_(torch.tensor([1, 3]), torch.tensor([9, 10])))

# torch.Tensor.register_hook
v = torch.tensor([0.0, 0.0, 0.0], requires_grad=True)
h = v.register_hook(lambda grad: grad * 2)  # double the gradient
v.backward(torch.tensor([1.0, 2.0, 3.0]))
v.grad  # noqa: B018
h.remove()  # removes the hook

# torch.Tensor.register_post_accumulate_grad_hook
v = torch.tensor([0.0, 0.0, 0.0], requires_grad=True)
lr = 0.01
h = v.register_post_accumulate_grad_hook(lambda p: p.add_(p.grad, alpha=-lr))
v.backward(torch.tensor([1.0, 2.0, 3.0]))
print(v)
h.remove()  # removes the hook

# torch.Tensor.repeat
x = torch.tensor([1, 2, 3])
print(x.repeat(4, 2))
print(x.repeat(4, 2, 1).size())

# torch.Tensor.resize_
x = torch.tensor([[1, 2], [3, 4], [5, 6]])
print(x.resize_(2, 2))

# torch.Tensor.scatter_
src = torch.arange(1, 11).reshape((2, 5))
print(src)
index = torch.tensor([[0, 1, 2, 0]])
print(torch.zeros(3, 5, dtype=src.dtype).scatter_(0, index, src))
index = torch.tensor([[0, 1, 2], [0, 1, 4]])
print(torch.zeros(3, 5, dtype=src.dtype).scatter_(1, index, src))
print(torch.full((2, 4), 2.0).scatter_(1, torch.tensor([[2], [3]]), 1.23, reduce="multiply"))
print(torch.full((2, 4), 2.0).scatter_(1, torch.tensor([[2], [3]]), 1.23, reduce="add"))
index = torch.tensor([[0, 1]])
value = 2
print(torch.zeros(3, 5).scatter_(0, index, value))

# torch.Tensor.scatter_add_
src = torch.ones((2, 5))
index = torch.tensor([[0, 1, 2, 0, 0]])
print(torch.zeros(3, 5, dtype=src.dtype).scatter_add_(0, index, src))
index = torch.tensor([[0, 1, 2, 0, 0], [0, 1, 2, 2, 2]])
print(torch.zeros(3, 5, dtype=src.dtype).scatter_add_(0, index, src))

# torch.Tensor.scatter_reduce_
src = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
index = torch.tensor([0, 1, 0, 1, 2, 1])
input = torch.tensor([1.0, 2.0, 3.0, 4.0])
print(input.scatter_reduce(0, index, src, reduce="sum"))
print(input.scatter_reduce(0, index, src, reduce="sum", include_self=False))
input2 = torch.tensor([5.0, 4.0, 3.0, 2.0])
print(input2.scatter_reduce(0, index, src, reduce="amax"))
print(input2.scatter_reduce(0, index, src, reduce="amax", include_self=False))

# torch.Tensor.size
t = torch.empty(3, 4, 5)
print(t.size())
print(t.size(dim=1))

# torch.Tensor.storage_offset
x = torch.tensor([1, 2, 3, 4, 5])
print(x.storage_offset())
print(x[3:].storage_offset())

# torch.Tensor.stride
x = torch.tensor([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]])
print(x.stride())
print(x.stride(0))
print(x.stride(-1))

# torch.Tensor.tolist
a = torch.randn(2, 2)
print(a.tolist())
print(a[0, 0].tolist())

# torch.Tensor.unfold
x = torch.arange(1.0, 8)
print(x)
print(x.unfold(0, 2, 1))
print(x.unfold(0, 2, 2))
