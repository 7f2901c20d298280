"""Dive into Deep Learning, section 2.5 "Automatic Differentiation": the gradient of
2 x^T x, resetting gradients, backward of a non-scalar (with a gradient argument), detaching a
computation, and the gradient through Python control flow (a while loop and an if on tensor
values).

Source: d2l-ai/d2l-en, chapter_preliminaries/autograd.md, PyTorch tab (CC BY-SA 4.0 text,
MIT-0 code; https://d2l.ai/chapter_preliminaries/autograd.html). Changes: print() around each
cell's echoed value; the random input comes from torch.randn, which the corpus harness feeds
the same draws under both libraries.
"""

import torch

x = torch.arange(4.0)
print(x)

# Can also create x = torch.arange(4.0, requires_grad=True)
x.requires_grad_(True)
print(x.grad)  # The gradient is None by default

y = 2 * torch.dot(x, x)
print(y)

y.backward()
print(x.grad)
print(x.grad == 4 * x)

x.grad.zero_()  # Reset the gradient
y = x.sum()
y.backward()
print(x.grad)

x.grad.zero_()
y = x * x
y.backward(gradient=torch.ones(len(y)))  # Faster: y.sum().backward()
print(x.grad)

x.grad.zero_()
y = x * x
u = y.detach()
z = u * x

z.sum().backward()
print(x.grad == u)

x.grad.zero_()
y.sum().backward()
print(x.grad == 2 * x)


def f(a):
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c


a = torch.randn(size=(), requires_grad=True)
d = f(a)
d.backward()

print(a.grad == d / a)
print(d.grad_fn, a.grad)
