"""``torch.autograd.graph`` (saved-tensor hooks, Node API, multi-grad hooks, ``_saved_*``),
``autograd.functional.vhp``/``hvp`` and the minimal profiler.

Expected values and messages written as literals below were printed by real PyTorch 2.13
(/tmp/torchenv) for the same program; the rest follow from formulas (finite differences).
"""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad as torch
from jitgrad.autograd.functional import hvp, vhp


def _cube(x):
    return (x**3).sum()


@pytest.mark.parametrize("fn", [vhp, hvp])
def test_second_order_products_match_torch(fn):
    # PyTorch 2.13: vhp/hvp(lambda x: (x**3).sum(), [1., 2.], ones) == (9., [6., 12.])
    out, prod = fn(_cube, torch.tensor([1.0, 2.0]), torch.ones(2))
    assert out.item() == 9.0
    assert prod.tolist() == [6.0, 12.0]
    assert prod.grad_fn is None and not prod.requires_grad
    out, prods = fn(
        lambda a, b: (a * b * b).sum(),
        (torch.tensor([1.0, 2.0]), torch.tensor([2.0, 3.0])),
        (torch.ones(2), torch.ones(2)),
    )
    assert out.item() == 22.0
    assert [p.tolist() for p in prods] == [[4.0, 6.0], [6.0, 10.0]]


@pytest.mark.parametrize("fn", [vhp, hvp])
def test_second_order_products_finite_differences(fn):
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal(4)
    v = rng.standard_normal(4)

    def f(x):
        return (x.sin() * x.exp() + x * x * x.sum()).sum()

    def grad_at(x):
        xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        return torch.autograd.grad(f(xt), xt)[0].numpy()

    eps = 1e-6
    fd = (grad_at(x0 + eps * v) - grad_at(x0 - eps * v)) / (2 * eps)
    _, prod = fn(f, torch.tensor(x0, dtype=torch.float64), torch.tensor(v, dtype=torch.float64))
    np.testing.assert_allclose(prod.numpy(), fd, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("fn", [vhp, hvp])
def test_second_order_products_errors_match_torch(fn):
    x = torch.tensor([1.0, 2.0])
    name = fn.__name__
    with pytest.raises(
        RuntimeError,
        match=f"^The Tensor returned by the function given to {name} "
        "should contain a single element$",
    ):
        fn(lambda x: x * 2, x, torch.ones(2))
    with pytest.raises(
        RuntimeError,
        match=r"^The vector v can only be None if the input to the "
        r"user-provided function is a single Tensor with a single element\.$",
    ):
        fn(_cube, x)
    with pytest.raises(
        RuntimeError,
        match=r"^v has invalid size: should be torch\.Size\(\[2\]\) "
        r"but got torch\.Size\(\[3\]\)\.$",
    ):
        fn(lambda x: x.sum(), x, torch.ones(3))
    out, prod = fn(_cube, torch.ones(1))
    assert prod.tolist() == [6.0]


def test_second_order_create_graph_and_linear():
    out, prod = vhp(_cube, torch.tensor([1.0, 2.0]), torch.ones(2), create_graph=True)
    assert out.grad_fn is not None and prod.grad_fn is not None
    _, prod = hvp(lambda x: (x * 2).sum(), torch.tensor([1.0, 2.0]), torch.ones(2))
    assert prod.tolist() == [0.0, 0.0]
