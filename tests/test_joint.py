"""Joint forward+backward: ``loss.backward()`` from a deferred sum/mean of a pending chain runs
the chain's forward and backward as one kernel. Compared with the eager, unfused engine."""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad as jg
from jitgrad.frontend import lazy as L

LOSSES = {
    "mse": lambda m, a, b: ((a - b) ** 2).mean(),
    "chain": lambda m, a, b: (m.tanh(a * b + m.sin(a)) * m.exp(-a * a) / (1 + b * b)).sum(),
    "gelu": lambda m, a, b: (0.5 * a * (1 + m.tanh(0.79788456 * (a + 0.044715 * a**3)))).mean(),
    "broadcast": lambda m, a, b: (m.sigmoid(a * b[0]) - a * 0.5).sum(),
}


def _eager(name, an, bn):
    prev = L.STATE.enabled
    L.STATE.enabled = False
    try:
        with jg.fusion(False):
            a, b = jg.tensor(an, requires_grad=True), jg.tensor(bn, requires_grad=True)
            loss = LOSSES[name](jg, a, b)
            loss.backward()
    finally:
        L.STATE.enabled = prev
    return loss.item(), a.grad.numpy(), None if b.grad is None else b.grad.numpy()


def _inputs(name, dt, n=3000):
    rng = np.random.default_rng(len(name))
    an = rng.standard_normal(n).astype(dt)
    bn = rng.standard_normal(n if name != "broadcast" else (1,)).astype(dt)
    return an, bn


def _ran_joint(loss) -> bool:
    """Whether the group below the loss's sum/mean last ran as a joint forward+backward kernel."""
    _kernel, spec = getattr(loss.grad_fn.next_functions[0][0], "_ran", (None, None))
    return spec is not None and spec.label.endswith("_joint")


@pytest.mark.parametrize("dt", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(LOSSES))
def test_joint_kernel_matches_the_eager_engine(lazy, name, dt):
    an, bn = _inputs(name, dt)
    a, b = jg.tensor(an, requires_grad=True), jg.tensor(bn, requires_grad=True)
    loss = LOSSES[name](jg, a, b)
    assert type(loss) is L.LazyTensor  # the reduction itself is deferred
    loss.backward()
    assert _ran_joint(loss)
    value, ga, gb = _eager(name, an, bn)
    tol = 2e-5 if dt == np.float32 else 1e-12
    assert a.grad.dtype == jg.tensor(an).dtype
    np.testing.assert_allclose(loss.item(), value, rtol=tol, atol=tol)
    np.testing.assert_allclose(a.grad.numpy(), ga, rtol=tol, atol=tol)
    if gb is None:  # gelu reads only a
        assert b.grad is None
    else:
        np.testing.assert_allclose(b.grad.numpy(), gb, rtol=tol, atol=tol * len(an))


def test_intermediates_stay_readable_and_retain_graph_repeats(lazy):
    an, bn = _inputs("mse", np.float64)
    a, b = jg.tensor(an, requires_grad=True), jg.tensor(bn, requires_grad=True)
    d = a - b
    loss = (d**2).mean()
    loss.backward(retain_graph=True)
    loss.backward()  # retained: the joint kernel runs again and the gradients accumulate
    np.testing.assert_allclose(a.grad.numpy(), 2 * 2 * (an - bn) / len(an), rtol=1e-12)
    np.testing.assert_allclose(
        d.detach().numpy(), an - bn
    )  # computed now, from the unchanged inputs
    np.testing.assert_allclose(loss.item(), np.mean((an - bn) ** 2), rtol=1e-12)
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        loss.backward()


def test_a_loss_read_before_backward_takes_the_ordinary_path(lazy):
    an, bn = _inputs("chain", np.float32)
    a, b = jg.tensor(an, requires_grad=True), jg.tensor(bn, requires_grad=True)
    loss = LOSSES["chain"](jg, a, b)
    value = loss.item()  # computes the chain (loss as its kernel's epilogue)
    loss.backward()
    assert not _ran_joint(loss)
    expected = _eager("chain", an, bn)
    np.testing.assert_allclose(value, expected[0], rtol=2e-5)
    np.testing.assert_allclose(a.grad.numpy(), expected[1], rtol=2e-5, atol=2e-5)


def test_hooks_see_their_gradients(lazy):
    an, bn = _inputs("mse", np.float64)
    a, b = jg.tensor(an, requires_grad=True), jg.tensor(bn, requires_grad=True)
    loss = ((a - b) ** 2).mean()
    loss.register_hook(lambda g: g * 3)  # on the loss: the joint kernel gets 3 * seed
    loss.backward()
    np.testing.assert_allclose(a.grad.numpy(), 3 * 2 * (an - bn) / len(an), rtol=1e-12)
    a.grad = None
    sq = (a - b) ** 2
    sq.retain_grad()  # must see the gradient arriving at it: no joint kernel
    loss = sq.mean()
    loss.backward()
    assert not _ran_joint(loss)
    np.testing.assert_allclose(sq.grad.numpy(), np.full(len(an), 1 / len(an)), rtol=1e-12)
    np.testing.assert_allclose(a.grad.numpy(), 2 * (an - bn) / len(an), rtol=1e-12)


def test_in_place_change_of_an_input_after_the_forward_is_an_error(lazy):
    an, bn = _inputs("mse", np.float64)
    a = jg.tensor(an, requires_grad=True)
    w = jg.tensor(bn)
    loss = (jg.tanh(a * w)).sum()
    w.add_(1.0)  # mul's backward reads w
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_explain_names_the_joint_kernel_and_computes_nothing(lazy):
    an, bn = _inputs("mse", np.float32)
    a, b = jg.tensor(an, requires_grad=True), jg.tensor(bn, requires_grad=True)
    loss = ((a - b) ** 2).mean()
    report = jg.explain(loss, source=True)
    assert report.groups[0].ops == ["MeanBackward0", "PowBackward0", "SubBackward0"]
    assert "_joint_" in report.groups[0].kernel and "summing the loss" in str(report)
    assert type(loss) is L.LazyTensor and L.pending_reduction(loss) is not None
    loss.backward()
    np.testing.assert_allclose(loss.item(), np.mean((an - bn) ** 2, dtype=np.float64), rtol=2e-6)
