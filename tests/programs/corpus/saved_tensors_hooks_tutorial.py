"""Hooks for autograd saved tensors (PyTorch tutorial): what a node saves, read through its
``_saved_*`` attributes before and after backward, including the Python numbers it keeps
(exponents, alpha, clamp bounds, activation parameters).

Model: https://pytorch.org/tutorials/intermediate/autograd_saved_tensors_hooks_tutorial.html
(pytorch/tutorials, BSD-3-Clause). Written for jitgrad's corpus, not copied. Changes: more
node kinds, small tensors.
"""

import torch
import torch.nn.functional as F

a = torch.randn(5, requires_grad=True)
y = a.pow(2)
print(y.grad_fn._saved_self.equal(a), y.grad_fn._saved_exponent)
y = a.exp()
print(y.grad_fn._saved_result.equal(y), y.grad_fn._saved_result is y)
x = torch.randn(5, requires_grad=True)
y = x.pow(2.5)
print(y.grad_fn, y.grad_fn._saved_exponent)
y.sum().backward()
print(y.grad_fn._saved_exponent)
try:
    y.grad_fn._saved_self  # noqa: B018
except RuntimeError as e:
    print("RuntimeError:", str(e)[:60])
try:
    y.grad_fn._saved_result  # noqa: B018
except AttributeError as e:
    print("AttributeError:", e)
for f in [
    lambda t: t.add(t, alpha=2.0),
    lambda t: t.sub(1.5, alpha=2),
    lambda t: t + t,
    lambda t: torch.clamp(t, -0.5, 0.5),
    lambda t: t.clamp(min=0.1),
    lambda t: F.leaky_relu(t, 0.05),
    lambda t: F.elu(t, 0.7),
    lambda t: F.selu(t),
    lambda t: F.hardtanh(t, -0.25, 0.25),
    lambda t: F.softplus(t, beta=2, threshold=15),
    lambda t: F.threshold(t, 0.1, 20.0),
    lambda t: F.softshrink(t, 0.3),
    lambda t: torch.lerp(t, t.detach() * 2, 0.25),
    lambda t: torch.pow(3.0, t),
]:
    y = f(x)
    n = y.grad_fn
    shown = {k: getattr(n, k) for k in dir(n) if k.startswith("_saved_")}
    nums = {k: v for k, v in shown.items() if not isinstance(v, torch.Tensor)}
    y.sum().backward()
    kept = {k: getattr(n, k) for k in nums}
    print(type(n).__name__, nums, kept == nums)


def pack_hook(t):
    print("packing", tuple(t.shape))
    return t


def unpack_hook(t):
    print("unpacking", tuple(t.shape))
    return t


with torch.autograd.graph.saved_tensors_hooks(pack_hook, unpack_hook):
    y = x.pow(3) * x.sigmoid()
y.sum().backward()
print(x.grad.shape)
