"""SIREN (sinusoidal representation networks) after vsitzmann/siren's explore_siren notebook:
SineLayer with its first-layer and hidden-layer uniform_ initialisations (bounds 1/in_features
and sqrt(6/in_features)/omega_0) under torch.no_grad(), get_mgrid from torch.linspace,
torch.meshgrid(*tensors, indexing='ij'), torch.stack and reshape, the Siren network returning
coords.clone().detach().requires_grad_(True) with its output, and the differential operators
gradient / divergence / laplace through torch.autograd.grad(..., torch.ones_like(y),
create_graph=True), fitted for a few Adam steps to a target image's values.

Source: https://github.com/vsitzmann/siren (explore_siren.ipynb; MIT). Written for jitgrad's
corpus after its structure, not copied. Changes: a 6x6 grid, hidden 16, 2 hidden layers, a
smooth synthetic image instead of the cameraman, 4 steps.
"""
# ruff: noqa: E501, UP008, UP031, UP032, UP035, UP006, UP018, UP039, B006, B007, E721, E731, F401, F841  (the original's style, kept)

import numpy as np
import torch
from torch import nn


def get_mgrid(sidelen, dim=2):
    tensors = tuple(dim * [torch.linspace(-1, 1, steps=sidelen)])
    mgrid = torch.stack(torch.meshgrid(*tensors, indexing='ij'), dim=-1)
    mgrid = mgrid.reshape(-1, dim)
    return mgrid


class SineLayer(nn.Module):
    def __init__(self, in_features, out_features, bias=True,
                 is_first=False, omega_0=30):
        super().__init__()
        self.omega_0 = omega_0
        self.is_first = is_first

        self.in_features = in_features
        self.linear = nn.Linear(in_features, out_features, bias=bias)

        self.init_weights()

    def init_weights(self):
        with torch.no_grad():
            if self.is_first:
                self.linear.weight.uniform_(-1 / self.in_features,
                                            1 / self.in_features)
            else:
                self.linear.weight.uniform_(-np.sqrt(6 / self.in_features) / self.omega_0,
                                            np.sqrt(6 / self.in_features) / self.omega_0)

    def forward(self, input):
        return torch.sin(self.omega_0 * self.linear(input))

    def forward_with_intermediate(self, input):
        intermediate = self.omega_0 * self.linear(input)
        return torch.sin(intermediate), intermediate


class Siren(nn.Module):
    def __init__(self, in_features, hidden_features, hidden_layers, out_features, outermost_linear=False,
                 first_omega_0=30, hidden_omega_0=30.):
        super().__init__()

        self.net = []
        self.net.append(SineLayer(in_features, hidden_features,
                                  is_first=True, omega_0=first_omega_0))

        for i in range(hidden_layers):
            self.net.append(SineLayer(hidden_features, hidden_features,
                                      is_first=False, omega_0=hidden_omega_0))

        if outermost_linear:
            final_linear = nn.Linear(hidden_features, out_features)

            with torch.no_grad():
                final_linear.weight.uniform_(-np.sqrt(6 / hidden_features) / hidden_omega_0,
                                             np.sqrt(6 / hidden_features) / hidden_omega_0)

            self.net.append(final_linear)
        else:
            self.net.append(SineLayer(hidden_features, out_features,
                                      is_first=False, omega_0=hidden_omega_0))

        self.net = nn.Sequential(*self.net)

    def forward(self, coords):
        coords = coords.clone().detach().requires_grad_(True)  # allows to take derivative w.r.t. input
        output = self.net(coords)
        return output, coords


def laplace(y, x):
    grad = gradient(y, x)
    return divergence(grad, x)


def divergence(y, x):
    div = 0.
    for i in range(y.shape[-1]):
        div += torch.autograd.grad(y[..., i], x, torch.ones_like(y[..., i]), create_graph=True)[0][..., i:i + 1]
    return div


def gradient(y, x, grad_outputs=None):
    if grad_outputs is None:
        grad_outputs = torch.ones_like(y)
    grad = torch.autograd.grad(y, [x], grad_outputs=grad_outputs, create_graph=True)[0]
    return grad


torch.manual_seed(0)
sidelength = 6
coords = get_mgrid(sidelength, 2)
print(coords.shape, coords[:3])
pixels = (torch.sin(3 * coords[:, :1]) * torch.cos(2 * coords[:, 1:])).view(-1, 1)

img_siren = Siren(in_features=2, out_features=1, hidden_features=16,
                  hidden_layers=2, outermost_linear=True)
print(img_siren.net[0].linear, img_siren.net[-1])
print(img_siren.net[0].linear.weight.abs().max().item() <= 0.5)
optim = torch.optim.Adam(lr=1e-4, params=img_siren.parameters())
for step in range(4):
    model_output, coords_out = img_siren(coords)
    loss = ((model_output - pixels) ** 2).mean()
    img_grad = gradient(model_output, coords_out)
    img_laplacian = laplace(model_output, coords_out)
    print("Step %d, Total loss %0.6f" % (step, loss), img_grad.norm(dim=-1)[:3], img_laplacian[:2].view(-1))
    optim.zero_grad()
    loss.backward()
    optim.step()
print(img_grad.shape, img_laplacian.shape, img_laplacian.grad_fn is not None, coords_out.requires_grad, coords.requires_grad)
optim.zero_grad()
model_output, coords_out = img_siren(coords)
lap_loss = laplace(model_output, coords_out).pow(2).mean()
lap_loss.backward()
print(img_siren.net[1].linear.bias.grad[:4])
