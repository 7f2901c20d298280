"""A neural ODE fitted to a spiral after torchdiffeq's examples/ode_demo.py: the true dynamics
dy/dt = (y**3) @ true_A, an ODEFunc MLP (Linear-Tanh-Linear, normal_(std=0.1) weights, zero bias)
applied to y**3, get_batch sampling start points with np.random.choice and stacking time
windows, and training through the solver with a RunningAverageMeter. torchdiffeq's odeint is
replaced by a hand-written fixed-step RK4 (its 'rk4' method's 3/8 rule), so gradients flow
through the unrolled solver steps.

Source: https://github.com/rtqichen/torchdiffeq (examples/ode_demo.py; MIT). Written for
jitgrad's corpus after its structure, not copied. Changes: 40 time points, batch 8 of 6 steps,
10 iterations, no plotting, no adjoint.
"""
# ruff: noqa: E501, UP032  (the original's style, kept)

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim

data_size, batch_time, batch_size = 40, 6, 8
true_y0 = torch.tensor([[2.0, 0.0]])
t = torch.linspace(0.0, 5.0, data_size)
true_A = torch.tensor([[-0.1, 2.0], [-2.0, -0.1]])


class Lambda(nn.Module):
    def forward(self, t, y):
        return torch.mm(y**3, true_A)


def rk4_step(func, t0, dt, y0):
    # torchdiffeq's rk4_alt_step_func: the 3/8 rule
    k1 = func(t0, y0)
    k2 = func(t0 + dt / 3, y0 + dt * k1 / 3)
    k3 = func(t0 + dt * 2 / 3, y0 + dt * (k2 - k1 / 3))
    k4 = func(t0 + dt, y0 + dt * (k1 - k2 + k3))
    return y0 + (k1 + 3 * (k2 + k3) + k4) * dt * 0.125


def odeint(func, y0, t):
    ys = [y0]
    y = y0
    for t0, t1 in zip(t[:-1], t[1:]):
        y = rk4_step(func, t0, t1 - t0, y)
        ys.append(y)
    return torch.stack(ys)


with torch.no_grad():
    true_y = odeint(Lambda(), true_y0, t)
print(true_y.shape, true_y[-1])


def get_batch(rs):
    s = torch.from_numpy(rs.choice(np.arange(data_size - batch_time, dtype=np.int64), batch_size, replace=False))
    batch_y0 = true_y[s]
    batch_t = t[:batch_time]
    batch_y = torch.stack([true_y[s + i] for i in range(batch_time)], dim=0)
    return batch_y0, batch_t, batch_y


class ODEFunc(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 2))
        for m in self.net.modules():
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, mean=0, std=0.1)
                nn.init.constant_(m.bias, val=0)

    def forward(self, t, y):
        return self.net(y**3)


class RunningAverageMeter:
    def __init__(self, momentum=0.99):
        self.momentum = momentum
        self.val = None
        self.avg = 0

    def update(self, val):
        self.avg = val if self.val is None else self.avg * self.momentum + val * (1 - self.momentum)
        self.val = val


torch.manual_seed(0)
rs = np.random.RandomState(0)
func = ODEFunc()
optimizer = optim.RMSprop(func.parameters(), lr=1e-3)
loss_meter = RunningAverageMeter(0.97)
for itr in range(1, 11):
    optimizer.zero_grad()
    batch_y0, batch_t, batch_y = get_batch(rs)
    pred_y = odeint(func, batch_y0, batch_t)
    loss = torch.mean(torch.abs(pred_y - batch_y))
    loss.backward()
    optimizer.step()
    loss_meter.update(loss.item())
    if itr % 2 == 0:
        with torch.no_grad():
            pred_y = odeint(func, true_y0, t)
            total = torch.mean(torch.abs(pred_y - true_y))
        print("Iter {:04d} | Total Loss {:.6f} | avg {:.6f}".format(itr, total.item(), loss_meter.avg))
print(func.net[0].weight.grad.norm().item(), loss.grad_fn.name())
