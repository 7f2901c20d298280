"""Hooks for autograd saved tensors, after the tutorial of that name: what a node saves
(grad_fn._saved_self / _saved_result and their identity with the inputs), pack/unpack hooks
with torch.autograd.graph.saved_tensors_hooks (printing, counting, saving copies), and
save_on_cpu.

Model: https://pytorch.org/tutorials/intermediate/autograd_saved_tensors_hooks_tutorial.html
(pytorch/tutorials, BSD-3-Clause). Written for jitgrad's corpus, not copied. The memory
measurements and the disk-saving part are left out.
"""

import torch

a = torch.randn(5, requires_grad=True)
b = torch.ones(5, requires_grad=True)
y = a * b
print(y.grad_fn._saved_self is a, y.grad_fn._saved_other is b)
x = torch.randn(5, requires_grad=True)
y = x.pow(2)
print(y.grad_fn._saved_self.equal(x), y.grad_fn._saved_self is x)
y = x.exp()
print(y.grad_fn._saved_result.equal(y), y.grad_fn._saved_result is y)


def pack_hook(x):
    print("Packing", x)
    return x


def unpack_hook(x):
    print("Unpacking", x)
    return x


a = torch.ones(5, requires_grad=True)
b = torch.ones(5, requires_grad=True) * 2
with torch.autograd.graph.saved_tensors_hooks(pack_hook, unpack_hook):
    y = a * b
y.sum().backward()
print(a.grad, b.grad)

counts = {"pack": 0, "unpack": 0}


def pack(t):
    counts["pack"] += 1
    return t.clone()


def unpack(t):
    counts["unpack"] += 1
    return t


x = torch.randn(4, requires_grad=True)
with torch.autograd.graph.saved_tensors_hooks(pack, unpack):
    y = (x.sin() * x.exp()).sum()
y.backward()
print(counts, x.grad)

x = torch.randn(5, requires_grad=True)
with torch.autograd.graph.save_on_cpu(pin_memory=False):
    y = (x * x).sum()
y.backward()
print(torch.allclose(x.grad, 2 * x))
