"""torch.autograd.grad and backward options as the autograd docs, "double backward" notes and
gradient-penalty code use them: grad of a scalar, grad_outputs for a vector output,
create_graph for second derivatives and Hessian-vector products, retain_graph (and the error
without it), allow_unused, backward(gradient=...), accumulation across backward calls,
inputs= to backward, and the errors for backward on a non-scalar and on a tensor with no grad.

Models: https://pytorch.org/docs/stable/generated/torch.autograd.grad.html and
https://pytorch.org/tutorials/beginner/introyt/autogradyt_tutorial.html (BSD-3-Clause). Written
for jitgrad's corpus, not copied.
"""

import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = (x**3).sum()
(g,) = torch.autograd.grad(y, x, create_graph=True)
print(g, g.requires_grad)
(h,) = torch.autograd.grad(g.sum(), x)
print(h)
v = torch.tensor([1.0, 0.0, 0.0])
f = (x**2 * x.flip(0)).sum()
(gf,) = torch.autograd.grad(f, x, create_graph=True)
(hvp,) = torch.autograd.grad(gf, x, grad_outputs=v)
print(gf, hvp)

out = x * 2
(gv,) = torch.autograd.grad(out, x, grad_outputs=torch.ones_like(out))
print(gv)
w = torch.tensor(1.0, requires_grad=True)
q = torch.tensor(2.0, requires_grad=True)
print(torch.autograd.grad(w * 3, [w, q], allow_unused=True))
print(torch.autograd.grad(w * 3, [w, q], allow_unused=True, materialize_grads=True))
try:
    torch.autograd.grad(w * 3, [w, q])
except RuntimeError as e:
    print(e)

z = x.exp().sum()
z.backward(retain_graph=True)
z.backward()
print(x.grad)
x.grad.zero_()
z2 = (x * x).sum()
z2.backward()
try:
    z2.backward()
except RuntimeError as e:
    print(str(e)[:60])
vec = x * 2
vec.backward(gradient=torch.tensor([0.1, 1.0, 0.0001]))
print(x.grad)
try:
    (x * 2).backward()
except RuntimeError as e:
    print(e)
try:
    torch.ones(2).sum().backward()
except RuntimeError as e:
    print(e)

a = torch.tensor([1.0, 2.0], requires_grad=True)
b = torch.tensor([3.0, 4.0], requires_grad=True)
(a * b).sum().backward(inputs=[a])
print(a.grad, b.grad)

real = torch.randn(4, 3)
xi = real.clone().requires_grad_(True)
critic = torch.nn.Linear(3, 1)
score = critic(xi)
(grads,) = torch.autograd.grad(score, xi, grad_outputs=torch.ones_like(score), create_graph=True)
penalty = ((grads.norm(2, dim=1) - 1) ** 2).mean()
penalty.backward()
print(round(penalty.item(), 5), critic.weight.grad.shape, critic.bias.grad)
