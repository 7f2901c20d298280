"""Forward fusion (deferred elementwise chains, reduction epilogue): fused vs unfused vs numpy."""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad as jg
from jitgrad.frontend import lazy as L


def _chain(m, x, y):
    return m.tanh(x * y + m.sin(x)) * m.exp(-x * x) / (1 + y * y)


def _np_chain(x, y):
    return np.tanh(x * y + np.sin(x)) * np.exp(-x * x) / (1 + y * y)


@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_chain_is_one_kernel_and_matches(lazy, dt):
    rng = np.random.default_rng(0)
    xn, yn = rng.standard_normal(37).astype(dt), rng.standard_normal(37).astype(dt)
    x, y = jg.tensor(xn), jg.tensor(yn)
    before = L.LAUNCHES[0]
    z = _chain(jg, x, y)
    assert type(z) is L.LazyTensor and z.shape == (37,) and z.dtype == x.dtype
    assert L.LAUNCHES[0] == before  # nothing ran yet
    got = z.numpy()
    assert L.LAUNCHES[0] == before + 1  # the whole chain: one kernel
    tol = 1e-5 if dt == np.float32 else 1e-12
    np.testing.assert_allclose(got, _np_chain(xn.astype(np.float64), yn), rtol=tol, atol=tol)


def test_grads_match_unfused(lazy):
    rng = np.random.default_rng(1)
    xn, yn = rng.standard_normal((4, 5)), rng.standard_normal(5)
    results = []
    for on in (True, False):
        L.STATE.enabled = on
        x = jg.tensor(xn, requires_grad=True)
        y = jg.tensor(yn, requires_grad=True)
        z = _chain(jg, x, y)
        loss = z.sum()
        loss.backward()
        assert z.grad_fn.name() == "DivBackward0"
        results.append((loss.item(), x.grad.numpy(), y.grad.numpy()))
    L.STATE.enabled = True
    for a, b in zip(results[0], results[1], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("n", [1000, 4097, 50000])  # one block, a partial one, prange
@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_mse_mean_epilogue_one_pass(lazy, dt, n):
    rng = np.random.default_rng(2)
    an, bn = rng.standard_normal(n).astype(dt), rng.standard_normal(n).astype(dt)
    a, b = jg.tensor(an), jg.tensor(bn)
    before = L.LAUNCHES[0]
    loss = ((a - b) ** 2).mean()
    assert L.LAUNCHES[0] == before + 1
    ref = np.mean((an.astype(np.float64) - bn) ** 2)
    assert loss.shape == () and loss.dtype == a.dtype
    assert abs(loss.item() - ref) < (1e-5 if dt == np.float32 else 1e-12) * ref


def test_fan_out_broadcast_scalars_and_intermediates(lazy):
    rng = np.random.default_rng(3)
    xn, bn = rng.standard_normal((3, 4)), rng.standard_normal(4)
    x, b = jg.tensor(xn), jg.tensor(bn)
    h = x * 2.5 + b  # kept: referenced below and by the user
    out = h * h - h / 3
    np.testing.assert_allclose(out.numpy(), (xn * 2.5 + bn) ** 2 - (xn * 2.5 + bn) / 3)
    launches = L.LAUNCHES[0]
    np.testing.assert_allclose(h.numpy(), xn * 2.5 + bn)  # stored by the same kernel
    assert L.LAUNCHES[0] == launches


def test_repr_item_and_sum_of_lazy(lazy):
    x = jg.tensor([1.0, 2.0, 3.0])
    y = x * 2 + 1
    assert repr(y) == "tensor([3., 5., 7.])"
    assert (x * 0 + 4).sum().item() == 12.0
    assert (x[:1] * 3).item() == 3.0


def test_hooks_and_retain_grad_on_lazy_intermediate(lazy):
    x = jg.tensor([1.0, -2.0, 3.0], requires_grad=True)
    h = x * x
    h.retain_grad()
    seen = []
    h.register_hook(lambda g: seen.append(g.numpy().copy()))
    (h.exp() * 0.5).sum().backward()
    expected = 0.5 * np.exp(np.array([1.0, 4.0, 9.0]))
    np.testing.assert_allclose(h.grad.numpy(), expected)
    np.testing.assert_allclose(seen[0], expected)
    np.testing.assert_allclose(x.grad.numpy(), expected * 2 * np.array([1.0, -2.0, 3.0]))


def test_retain_graph_double_backward(lazy):
    x = jg.tensor([0.5, 1.5], requires_grad=True)
    loss = (jg.sin(x) * x).sum()
    loss.backward(retain_graph=True)
    loss.backward()
    xn = np.array([0.5, 1.5])
    np.testing.assert_allclose(x.grad.numpy(), 2 * (np.cos(xn) * xn + np.sin(xn)))
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        loss.backward()


def test_inplace_on_lazy_and_on_its_input(lazy):
    x = jg.tensor([1.0, 2.0])
    y = x * 3
    x.add_(1)  # y was deferred: it still sees the old x
    np.testing.assert_allclose(y.numpy(), [3.0, 6.0])
    z = x + 1
    z.mul_(2)
    np.testing.assert_allclose(z.numpy(), [6.0, 8.0])
    w = jg.tensor([1.0, 2.0], requires_grad=True)
    e = w.exp()
    e2 = e * 1
    e.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        e2.sum().backward()
