"""micrograd's checks against PyTorch: the scalar expressions of karpathy/micrograd's
test/test_engine.py (sanity check and "more ops": relu, powers, division, chained reuse)
evaluated in double precision with their gradients.

Model: https://github.com/karpathy/micrograd/blob/master/test/test_engine.py (MIT). Written for
jitgrad's corpus, not copied: only the PyTorch side of each check, printing what micrograd
compares.
"""

import torch

x = torch.Tensor([-4.0]).double()
x.requires_grad = True
z = 2 * x + 2 + x
q = z.relu() + z * x
h = (z * z).relu()
y = h + q + q * x
y.backward()
print(y.data.item(), x.grad.item())

a = torch.Tensor([-4.0]).double()
b = torch.Tensor([2.0]).double()
a.requires_grad = True
b.requires_grad = True
c = a + b
d = a * b + b**3
c = c + c + 1
c = c + 1 + c + (-a)
d = d + d * 2 + (b + a).relu()
d = d + 3 * d + (b - a).relu()
e = c - d
f = e**2
g = f / 2.0
g = g + 10.0 / f
g.backward()
print(g.data.item(), a.grad.item(), b.grad.item())
print(g.grad_fn, type(x.grad).__name__, x.dtype)
