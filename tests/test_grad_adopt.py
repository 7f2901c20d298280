"""A leaf adopts a gradient nobody else holds as its ``.grad`` (no copy), as PyTorch's
AccumulateGrad steals one; a gradient a hook may have kept is copied instead."""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad
from jitgrad import memory


def _copies(monkeypatch) -> list:
    calls: list = []
    real = memory.copy

    def counting(a):
        calls.append(a.shape)
        return real(a)

    monkeypatch.setattr(memory, "copy", counting)
    return calls


def test_a_product_gradient_reaches_the_leaf_without_a_copy(monkeypatch):
    rng = np.random.default_rng(0)
    xa, wa = rng.standard_normal((6, 4), np.float32), rng.standard_normal((4, 5), np.float32)
    x = jitgrad.tensor(xa, requires_grad=True)
    w = jitgrad.tensor(wa, requires_grad=True)
    y = x @ w
    assert y.grad_fn.name() == "MmBackward0"
    calls = _copies(monkeypatch)
    y.sum().backward()
    assert calls == []  # main copied both: the products were not marked fresh
    ones = np.ones((6, 5), np.float32)
    np.testing.assert_allclose(w.grad.numpy(), xa.T @ ones, rtol=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), ones @ wa.T, rtol=1e-6)


def test_create_graph_product_gradients_are_recorded_not_adopted(monkeypatch):
    x = jitgrad.tensor(np.eye(3, dtype=np.float32), requires_grad=True)
    w = jitgrad.tensor(np.arange(9, dtype=np.float32).reshape(3, 3), requires_grad=True)
    (x @ w).sum().backward(create_graph=True)
    assert w.grad.grad_fn is not None  # a recorded gradient: copied or not, it has a graph
    np.testing.assert_array_equal(w.grad.detach().numpy(), np.ones((3, 3), np.float32))


@pytest.mark.parametrize("build", ["mm", "mul"])
def test_a_gradient_a_node_hook_kept_never_changes_later(build):
    w = jitgrad.tensor(np.arange(6, dtype=np.float32).reshape(2, 3), requires_grad=True)
    x = jitgrad.tensor(np.full((3, 3), 2, np.float32))

    def out():
        return w @ x if build == "mm" else w * 2

    kept = []
    y = out()
    y.grad_fn.register_hook(lambda grad_inputs, grad_outputs: kept.append(grad_inputs[0]))
    y.sum().backward()
    before = kept[0].numpy().copy()
    out().sum().backward()  # accumulates into w.grad: must not write into what the hook kept
    np.testing.assert_array_equal(kept[0].numpy(), before)
    np.testing.assert_array_equal(w.grad.numpy(), 2 * before)
