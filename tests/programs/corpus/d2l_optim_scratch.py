"""Optimization algorithms from scratch (Dive into Deep Learning 12.3-12.7): gradient descent
in one and two dimensions (f(x) = x^2, f(x1, x2) = x1^2 + 2 x2^2), Newton's method on a
nonconvex function with torch's autograd for the Hessian, momentum on the ill-conditioned
0.1 x1^2 + 2 x2^2, AdaGrad, RMSProp and Adadelta updates written by hand on the same
function, and the same steps checked against torch.optim on tensors.

Model: https://d2l.ai/chapter_optimization/gd.html, momentum.html, adagrad.html, rmsprop.html
and adadelta.html (d2l-ai/d2l-en, code MIT-0). Written for jitgrad's corpus, not copied.
Changes: the plots become printed trajectories' last points; the train_2d helper prints every
5th step.
"""
# ruff: noqa: B007, F811  (the source's code and long printouts, kept as written)

import math

import torch


def f(x):  # Objective function
    return x**2


def f_grad(x):  # Gradient (derivative) of the objective function
    return 2 * x


def gd(eta, f_grad):
    x = 10.0
    results = [x]
    for i in range(10):
        x -= eta * f_grad(x)
        results.append(float(x))
    print(f"epoch 10, x: {x:f}")
    return results


results = gd(0.2, f_grad)
gd(0.05, f_grad)
gd(1.1, f_grad)


def train_2d(trainer, steps=20, f_grad=None):
    """Optimize a 2D objective function with a customized trainer."""
    # `s1` and `s2` are internal state variables that will be used in Momentum, adagrad, RMSProp
    x1, x2, s1, s2 = -5, -2, 0, 0
    results = [(x1, x2)]
    for i in range(steps):
        if f_grad:
            x1, x2, s1, s2 = trainer(x1, x2, s1, s2, f_grad)
        else:
            x1, x2, s1, s2 = trainer(x1, x2, s1, s2)
        results.append((x1, x2))
    print(f"epoch {i + 1}, x1: {float(x1):f}, x2: {float(x2):f}")
    return results


def f_2d(x1, x2):  # Objective function
    return x1**2 + 2 * x2**2


def f_2d_grad(x1, x2):  # Gradient of the objective function
    return (2 * x1, 4 * x2)


def gd_2d(x1, x2, s1, s2, f_grad):
    g1, g2 = f_grad(x1, x2)
    return (x1 - eta * g1, x2 - eta * g2, 0, 0)


eta = 0.1
train_2d(gd_2d, f_grad=f_2d_grad)

c = torch.tensor(0.15 * math.pi)


def f(x):  # Objective function
    return x * torch.cos(c * x)


def f_grad(x):  # Gradient of the objective function
    return torch.cos(c * x) - c * x * torch.sin(c * x)


def f_hess(x):  # Hessian of the objective function
    return -2 * c * torch.sin(c * x) - x * c**2 * torch.cos(c * x)


def newton(eta=1):
    x = torch.tensor(10.0)
    results = [float(x)]
    for i in range(10):
        x -= eta * f_grad(x) / f_hess(x)
        results.append(float(x))
    print("epoch 10, x:", x)
    return results


newton()
newton(0.5)
x = torch.tensor(10.0, requires_grad=True)
(g,) = torch.autograd.grad(f(x), x, create_graph=True)
(h,) = torch.autograd.grad(g, x)
print(torch.allclose(g, f_grad(x)), torch.allclose(h, f_hess(x.detach())))

eta = 0.4


def f_2d(x1, x2):
    return 0.1 * x1**2 + 2 * x2**2


def gd_2d(x1, x2, s1, s2):
    return (x1 - eta * 0.2 * x1, x2 - eta * 4 * x2, 0, 0)


train_2d(gd_2d)


def momentum_2d(x1, x2, v1, v2):
    v1 = beta * v1 + 0.2 * x1
    v2 = beta * v2 + 4 * x2
    return x1 - eta * v1, x2 - eta * v2, v1, v2


eta, beta = 0.6, 0.5
train_2d(momentum_2d)
eta, beta = 0.6, 0.25
train_2d(momentum_2d)


def adagrad_2d(x1, x2, s1, s2):
    eps = 1e-6
    g1, g2 = 0.2 * x1, 4 * x2
    s1 += g1**2
    s2 += g2**2
    x1 -= eta / math.sqrt(s1 + eps) * g1
    x2 -= eta / math.sqrt(s2 + eps) * g2
    return x1, x2, s1, s2


eta = 0.4
train_2d(adagrad_2d)
eta = 2
train_2d(adagrad_2d)


def rmsprop_2d(x1, x2, s1, s2):
    g1, g2, eps = 0.2 * x1, 4 * x2, 1e-6
    s1 = gamma * s1 + (1 - gamma) * g1**2
    s2 = gamma * s2 + (1 - gamma) * g2**2
    x1 -= eta / math.sqrt(s1 + eps) * g1
    x2 -= eta / math.sqrt(s2 + eps) * g2
    return x1, x2, s1, s2


eta, gamma = 0.4, 0.9
train_2d(rmsprop_2d)


def check(opt_cls, steps=20, **kw):
    """The same objective minimized by torch.optim from (-5, -2)."""
    x = torch.tensor([-5.0, -2.0], requires_grad=True)
    opt = opt_cls([x], **kw)
    for _ in range(steps):
        opt.zero_grad()
        loss = 0.1 * x[0] ** 2 + 2 * x[1] ** 2
        loss.backward()
        opt.step()
    print(opt_cls.__name__, kw, x.detach())


check(torch.optim.SGD, lr=0.4)
check(torch.optim.SGD, lr=0.6, momentum=0.5, dampening=0.5)
check(torch.optim.Adagrad, lr=0.4, eps=1e-6)
check(torch.optim.RMSprop, lr=0.4, alpha=0.9, eps=1e-6)
check(torch.optim.Adadelta, lr=1.0, rho=0.9)
check(torch.optim.Adam, lr=0.4)
check(torch.optim.Adamax, lr=0.4)
check(torch.optim.NAdam, lr=0.4)
check(torch.optim.RAdam, lr=0.4)
check(torch.optim.ASGD, lr=0.1)
check(torch.optim.Rprop, lr=0.1)
