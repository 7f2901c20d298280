"""Autograd mechanics (PyTorch notes): the graph a program can inspect (grad_fn names,
next_functions, metadata), hooks on nodes (register_hook, register_prehook), anomaly mode's
switches and the errors the notes show.

Model: https://pytorch.org/docs/stable/notes/autograd.html (pytorch/pytorch, BSD-3-Clause).
Written for jitgrad's corpus, not copied. Changes: small tensors, prints instead of asserts.
"""

import torch

torch.manual_seed(0)
x = torch.randn(3, requires_grad=True)
w = torch.randn(3, requires_grad=True)
y = (x * w).exp()
z = y.sum()
print(z.grad_fn.name(), type(z.grad_fn).__name__)
print([type(f).__name__ if f is not None else None for f, _ in z.grad_fn.next_functions])
print([i for _, i in y.grad_fn.next_functions[0][0].next_functions])
print(isinstance(z.grad_fn, torch.autograd.graph.Node))
print(z.grad_fn.metadata)
z.grad_fn.metadata["note"] = "sum"
print(z.grad_fn.metadata)


def pre(grad_outputs):
    print("prehook", [g.shape for g in grad_outputs])
    return (grad_outputs[0] * 2,)


def post(grad_inputs, grad_outputs):
    print("hook", len(grad_inputs), len(grad_outputs))


h1 = z.grad_fn.register_prehook(pre)
h2 = y.grad_fn.register_hook(post)
z.backward(retain_graph=True)
print(x.grad)
h1.remove()
h2.remove()
x.grad = None
z.backward()
print(x.grad)

print(torch.is_anomaly_enabled())
with torch.autograd.detect_anomaly():
    print(torch.is_anomaly_enabled())
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    (a * a).sum().backward()
    print(a.grad)
print(torch.is_anomaly_enabled())
torch.autograd.set_detect_anomaly(True)
print(torch.is_anomaly_enabled())
torch.autograd.set_detect_anomaly(False)

try:
    z.backward()
except RuntimeError as e:
    print(type(e).__name__, str(e).split(".")[0])
leaf = torch.zeros(2, requires_grad=True)
try:
    leaf.add_(1)
except RuntimeError as e:
    print(e)
b = torch.randn(3, requires_grad=True)
s = b.sigmoid()
s.mul_(2)
print(s._version, b._version)
try:
    s.sum().backward()
except RuntimeError as e:
    print(str(e)[:160])
try:
    torch.randn(2, 2, requires_grad=True).mul(2).backward()
except RuntimeError as e:
    print(e)
try:
    torch.tensor([1, 2]).requires_grad_()
except RuntimeError as e:
    print(e)
q = torch.randn(2, requires_grad=True)
r = torch.randn(2, requires_grad=True)
try:
    torch.autograd.grad((q * 2).sum(), [q, r])
except RuntimeError as e:
    print(e)
print(torch.autograd.grad((q * 2).sum(), [q, r], allow_unused=True))
print(torch.autograd.grad((q * 2).sum(), [q, r], allow_unused=True, materialize_grads=True))
