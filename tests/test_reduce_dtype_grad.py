"""A reduction taken with ``dtype=`` gives its input a gradient in the input's own dtype.

PyTorch's engine casts every gradient to the dtype of the input it flows into, so
``torch.sum(x32, dtype=torch.float64)`` leaves ``x.grad`` float32. jitgrad's sum, mean and
cumsum handed the float64 gradient on (``x.grad.dtype`` was float64; found by the device scan
work in session 10). Expected values below were printed by PyTorch 2.13 (CPU) for the same
program: first and second derivatives, through create_graph.
"""

from __future__ import annotations

import pytest

import jitgrad as torch

# name -> (first derivative, second derivative) of y.sum() for x = [1, 2, 3], z = x * x
TORCH = {
    "sum": ([2.0, 4.0, 6.0], [2.0, 2.0, 2.0]),
    "sum_dim": ([2.0, 4.0, 6.0], [2.0, 2.0, 2.0]),
    "mean": ([0.666667, 1.333333, 2.0], [0.666667, 0.666667, 0.666667]),
    "mean_dim": ([0.666667, 1.333333, 2.0], [0.666667, 0.666667, 0.666667]),
    "cumsum": ([6.0, 8.0, 6.0], [6.0, 4.0, 2.0]),
}

OPS = {
    "sum": lambda z: torch.sum(z, dtype=torch.float64),
    "sum_dim": lambda z: torch.sum(z, 0, dtype=torch.float64),
    "mean": lambda z: torch.mean(z, dtype=torch.float64),
    "mean_dim": lambda z: torch.mean(z, 0, keepdim=True, dtype=torch.float64),
    "cumsum": lambda z: torch.cumsum(z, 0, dtype=torch.float64),
}


@pytest.mark.parametrize("name", sorted(OPS))
def test_gradient_comes_back_in_the_input_dtype(name):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    OPS[name](x * x).sum().backward()
    assert x.grad.dtype == torch.float32
    assert [round(v, 6) for v in x.grad.tolist()] == TORCH[name][0]


@pytest.mark.parametrize("name", sorted(OPS))
def test_second_derivative_through_the_cast(name):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (g,) = torch.autograd.grad(OPS[name](x * x).sum(), x, create_graph=True)
    (h,) = torch.autograd.grad(g.sum(), x)
    assert g.dtype == torch.float32 and h.dtype == torch.float32
    assert [round(v, 6) for v in g.tolist()] == TORCH[name][0]
    assert [round(v, 6) for v in h.tolist()] == TORCH[name][1]
