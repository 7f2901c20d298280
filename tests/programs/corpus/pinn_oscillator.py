"""A physics-informed neural network for the damped harmonic oscillator: the exact solution
written with torch.cos/torch.exp/torch.arctan, a fully connected net (FCN: nn.Sequential of
Linear and Tanh, hidden layers built with a list comprehension), a data loss on a few points
plus a physics loss whose dx/dt and d2x/dt2 come from torch.autograd.grad(...,
torch.ones_like(yhp), create_graph=True) on collocation points made with requires_grad_(True).

Source: https://github.com/benmoseley/harmonic-oscillator-pinn (Ben Moseley, "So, what is a
physics-informed neural network?"; MIT licence). Written for jitgrad's corpus, not copied.
Changes: 60 Adam steps instead of 20000, 16 collocation points instead of 30, hidden width 16;
plotting and the GIF are dropped; losses and a few predictions are printed instead.
"""

import numpy as np
import torch
import torch.nn as nn


def oscillator(d, w0, x):
    """Defines the analytical solution to the 1D underdamped harmonic oscillator problem."""
    assert d < w0
    w = np.sqrt(w0**2 - d**2)
    phi = np.arctan(-d / w)
    A = 1 / (2 * np.cos(phi))
    cos = torch.cos(phi + w * x)
    sin = torch.sin(phi + w * x)  # noqa: F841  (unused in the original too)
    exp = torch.exp(-d * x)
    y = exp * 2 * A * cos
    return y


class FCN(nn.Module):
    "Defines a connected network"

    def __init__(self, N_INPUT, N_OUTPUT, N_HIDDEN, N_LAYERS):
        super().__init__()
        activation = nn.Tanh
        self.fcs = nn.Sequential(*[nn.Linear(N_INPUT, N_HIDDEN), activation()])
        self.fch = nn.Sequential(
            *[
                nn.Sequential(*[nn.Linear(N_HIDDEN, N_HIDDEN), activation()])
                for _ in range(N_LAYERS - 1)
            ]
        )
        self.fce = nn.Linear(N_HIDDEN, N_OUTPUT)

    def forward(self, x):
        x = self.fcs(x)
        x = self.fch(x)
        x = self.fce(x)
        return x


d, w0 = 2, 20

# get the analytical solution over the full domain
x = torch.linspace(0, 1, 500).view(-1, 1)
y = oscillator(d, w0, x).view(-1, 1)
print(x.shape, y.shape, y[:3].view(-1))

# slice out a small number of points from the LHS of the domain
x_data = x[0:200:20]
y_data = y[0:200:20]
print(x_data.shape, y_data.shape)

x_physics = (
    torch.linspace(0, 1, 16).view(-1, 1).requires_grad_(True)
)  # sample locations over the problem domain
mu, k = 2 * d, w0**2

torch.manual_seed(123)
model = FCN(1, 1, 16, 3)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for i in range(60):
    optimizer.zero_grad()

    # compute the "data loss"
    yh = model(x_data)
    loss1 = torch.mean((yh - y_data) ** 2)  # use mean squared error

    # compute the "physics loss"
    yhp = model(x_physics)
    dx = torch.autograd.grad(yhp, x_physics, torch.ones_like(yhp), create_graph=True)[
        0
    ]  # computes dy/dx
    dx2 = torch.autograd.grad(dx, x_physics, torch.ones_like(dx), create_graph=True)[
        0
    ]  # computes d^2y/dx^2
    physics = (
        dx2 + mu * dx + k * yhp
    )  # computes the residual of the 1D harmonic oscillator differential equation
    loss2 = (1e-4) * torch.mean(physics**2)

    # backpropagate joint loss
    loss = loss1 + loss2  # add two loss terms together
    loss.backward()
    optimizer.step()

    if (i + 1) % 15 == 0:
        print(i + 1, loss1.item(), loss2.item())

print(dx.grad_fn is not None, dx2.shape, loss.grad_fn)
with torch.no_grad():
    yh = model(x[::100])
print(yh.view(-1))
print(model.fch[0])
