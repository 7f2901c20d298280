"""Parametrizations tutorial: register_parametrization with a Symmetric module (triu plus the
transposed strict triu), layer.parametrizations.weight.original, a Skew + MatrixExponential
chain making an orthogonal weight, caching with parametrize.cached(), right_inverse so a weight
can be assigned, a parametrization printing when it is called, and remove_parametrizations with
leave_parametrized True and False.

Tutorial: https://pytorch.org/tutorials/intermediate/parametrizations.html (pytorch/tutorials,
BSD-3-Clause). Written for jitgrad's corpus, not copied. Changes: sizes 3x3 and 4x4 instead of
8x8; the timing prints are dropped; values are printed where the tutorial asserts; Linear's
weight is made symmetric before Symmetric2 (whose right_inverse asserts symmetry) is registered;
an SGD step through the parametrization is added.
"""

import torch
import torch.nn as nn
import torch.nn.utils.parametrize as parametrize


def symmetric(X):
    return X.triu() + X.triu(1).transpose(-1, -2)


torch.manual_seed(0)
X = torch.rand(3, 3)
A = symmetric(X)
print(torch.equal(A, A.T))
print(A)


class LinearSymmetric(nn.Module):
    def __init__(self, n_features):
        super().__init__()
        self.weight = nn.Parameter(torch.rand(n_features, n_features))

    def forward(self, x):
        A = symmetric(self.weight)
        return x @ A


layer = LinearSymmetric(3)
out = layer(torch.rand(2, 3))
print(out.shape)


class Symmetric(nn.Module):
    def forward(self, X):
        return X.triu() + X.triu(1).transpose(-1, -2)


layer = nn.Linear(3, 3)
parametrize.register_parametrization(layer, "weight", Symmetric())
A = layer.weight
print(torch.allclose(A, A.T))
print(A)
print(layer)
print(layer.parametrizations)
print(layer.parametrizations.weight.original)
print(parametrize.is_parametrized(layer), parametrize.is_parametrized(layer, "bias"))


class Skew(nn.Module):
    def forward(self, X):
        A = X.triu(1)
        return A - A.transpose(-1, -2)


class MatrixExponential(nn.Module):
    def forward(self, X):
        return torch.matrix_exp(X)


layer_orthogonal = nn.Linear(3, 3)
parametrize.register_parametrization(layer_orthogonal, "weight", Skew())
parametrize.register_parametrization(layer_orthogonal, "weight", MatrixExponential())
X = layer_orthogonal.weight
print(torch.dist(X.T @ X, torch.eye(3)) < 1e-5)
print(layer_orthogonal.parametrizations.weight)

layer = nn.Linear(3, 3)
parametrize.register_parametrization(layer, "weight", Symmetric())
with parametrize.cached():
    foo = layer.weight
    bar = layer.weight
    print(foo is bar)
print(layer.weight is layer.weight)


class CayleyMap(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.register_buffer("Id", torch.eye(n))

    def forward(self, X):
        # (I + X)(I - X)^{-1}
        return torch.linalg.solve(self.Id - X, self.Id + X)


layer = nn.Linear(3, 3)
parametrize.register_parametrization(layer, "weight", Skew())
parametrize.register_parametrization(layer, "weight", CayleyMap(3))
X = layer.weight
print(torch.dist(X.T @ X, torch.eye(3)) < 1e-5)


class NoisyParametrization(nn.Module):
    def forward(self, X):
        print("Computing the Parametrization")
        return X

    def right_inverse(self, X):
        print("Calling right_inverse")
        return X


layer = nn.Linear(4, 4)
print("Parametrization registration")
parametrize.register_parametrization(layer, "weight", NoisyParametrization())
print("Initialization")
layer.weight = torch.eye(4)
print("Accessing the weight")
print(layer.weight)


class Symmetric2(nn.Module):
    def forward(self, X):
        return X.triu() + X.triu(1).transpose(-1, -2)

    def right_inverse(self, A):
        assert torch.allclose(A, A.T), "A must be symmetric"
        return A.triu()


layer = nn.Linear(3, 3)
with torch.no_grad():
    layer.weight.copy_(layer.weight + layer.weight.T)
parametrize.register_parametrization(layer, "weight", Symmetric2())
X = torch.rand(3, 3)
X = X + X.T
layer.weight = X
print(torch.allclose(layer.weight, X))
print(layer.parametrizations.weight.original)

# training through a parametrization: the gradient reaches the original
opt = torch.optim.SGD(layer.parameters(), lr=0.1)
loss = layer(torch.ones(2, 3)).pow(2).sum()
loss.backward()
print(layer.parametrizations.weight.original.grad)
opt.step()
print(torch.allclose(layer.weight, layer.weight.T))

layer = nn.Linear(3, 3)
print("Before:")
print(layer)
print(layer.weight)
parametrize.register_parametrization(layer, "weight", Skew())
print("\nParametrized:")
print(layer)
print(layer.weight)
parametrize.remove_parametrizations(layer, "weight")
print("\nAfter. Weight has skew-symmetric values but it is unconstrained:")
print(layer)
print(layer.weight)

layer = nn.Linear(3, 3)
parametrize.register_parametrization(layer, "weight", Skew())
parametrize.remove_parametrizations(layer, "weight", leave_parametrized=False)
print(layer)
print(layer.weight)
