"""Under ``create_graph`` an elementwise node's first-order gradient is its lowered backward
kernel's value, with the declared rule's graph for the higher orders. The rule's last op is
recorded with the kernel's value as its result instead of running again
(``pointwise_backward._last_recorded``): no second computation of that value, the same
node (PyTorch's name) and the same higher-order gradients."""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad
from jitgrad import methods

X = np.array([0.5, 1.0, 2.0, -3.0], np.float64)


def _ops_run(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ops the Tensor operators (``g * cos(a)``'s ``*``) run from now on."""
    ran: list[str] = []
    real = methods.run

    def counting(op, args):
        ran.append(op.name)
        return real(op, args)

    monkeypatch.setattr(methods, "run", counting)
    return ran


def test_the_rules_last_op_is_recorded_not_run(monkeypatch: pytest.MonkeyPatch) -> None:
    x = jitgrad.tensor(X, requires_grad=True)
    y = x.sin()
    ran = _ops_run(monkeypatch)
    (g,) = jitgrad.autograd.grad(y.sum(), x, create_graph=True)
    assert "mul" not in ran  # sin's rule g * cos(a): only cos(a) ran as an op
    assert type(g.grad_fn).__name__ == "MulBackward0"
    assert np.allclose(g.detach().numpy(), np.cos(X), rtol=1e-15, atol=0)
    (gg,) = jitgrad.autograd.grad(g.sum(), x)
    assert np.allclose(gg.numpy(), -np.sin(X), rtol=1e-15, atol=0)


def test_a_renamed_last_node_holds_the_kernels_value() -> None:
    # tanh's rule g * (1 - out * out): its last node shown as PyTorch's tanh_backward's
    x = jitgrad.tensor(X, requires_grad=True)
    (g,) = jitgrad.autograd.grad(x.tanh().sum(), x, create_graph=True)
    assert type(g.grad_fn).__name__ == "TanhBackwardBackward0"
    t = np.tanh(X)
    assert np.allclose(g.detach().numpy(), 1 - t * t, rtol=1e-12, atol=0)
    (gg,) = jitgrad.autograd.grad(g.sum(), x)
    assert np.allclose(gg.numpy(), -2 * t * (1 - t * t), rtol=1e-12, atol=0)


def test_a_broadcast_operand_still_gets_its_summed_gradient(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # mul's rule g * b for a (3, 1) operand: the kernel's value is the summed gradient, not
    # the product's, so the product runs and the sum after it records its node. (With b of
    # shape (1, 3) the second backward fails on main too: codegen.loop_shape_source finds
    # no uncompacted array, StopIteration; left alone here.)
    a = jitgrad.tensor([[1.0], [2.0], [3.0]], requires_grad=True)
    b = jitgrad.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], requires_grad=True)
    (ga,) = jitgrad.autograd.grad((a * b * b).sum(), a, create_graph=True)
    assert ga.tolist() == [[5.0], [25.0], [61.0]]
    assert type(ga.grad_fn).__name__ == "SumBackward1"
    (gb,) = jitgrad.autograd.grad(ga.sum(), b)
    assert gb.tolist() == [[2.0, 4.0], [6.0, 8.0], [10.0, 12.0]]
