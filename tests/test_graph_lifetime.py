"""A graph, and every buffer it saved, is freed when its last reference goes.

Every test runs with the cycle collector off: a graph kept alive by a reference cycle
(a node holding its own output, a leaf holding its accumulator) would outlive its tensors,
and its multi-megabyte buffers would stay until ``gc.collect()`` ran. Release is checked
twice: ``weakref`` to the tensors, and the pool's in-use bytes back where they were.
"""

from __future__ import annotations

import copy
import gc
import pickle
import sys
import weakref

import numpy as np
import pytest

import jitgrad
import jitgrad.nn.functional as F
from jitgrad import memory
from jitgrad.engine.sweep import FREED_MESSAGE
from jitgrad.frontend import lazy as deferral

N = 1 << 19  # 2 MB of float32: pooled, so the pool's in-use bytes see every buffer


@pytest.fixture(autouse=True)
def _no_cycle_collector():
    gc.collect()
    gc.disable()
    yield
    gc.enable()


@pytest.fixture(params=["eager", "deferred"])
def deferred(request, monkeypatch):
    """Big elementwise results computed at once, or deferred (pending until read)."""
    if request.param == "eager":
        monkeypatch.setattr(deferral.STATE, "min_size", sys.maxsize)
        monkeypatch.setattr(deferral.STATE, "enabled", False)
    else:
        monkeypatch.setattr(deferral.STATE, "enabled", True)
    return request.param == "deferred"


def _in_use() -> int:
    return memory.pool_info()["in_use"]


def _chain(x):
    y = (x * 2.0).exp()
    return y, (jitgrad.tanh(y) * y - x).sum()


@pytest.mark.parametrize("fuse", [True, False], ids=["fused", "unfused"])
@pytest.mark.parametrize("backward", [True, False], ids=["backward", "no-backward"])
def test_a_dropped_graph_frees_its_buffers(fuse, backward, deferred):
    before = _in_use()
    with jitgrad.fusion(fuse):
        x = jitgrad.randn(N, requires_grad=True)
        y, loss = _chain(x)
        if backward:
            loss.backward()
            assert x.grad is not None
        else:
            loss.item()  # a deferred chain runs (and writes what is saved for backward)
        refs = [weakref.ref(t) for t in (x, y, loss)]
        assert _in_use() > before
        del x, y, loss
    assert [r() for r in refs] == [None, None, None]
    assert _in_use() == before


@pytest.mark.parametrize("fuse", [True, False], ids=["fused", "unfused"])
def test_a_pending_chain_that_never_ran_is_freed(fuse, monkeypatch):
    monkeypatch.setattr(deferral.STATE, "enabled", True)
    with jitgrad.fusion(fuse):
        x = jitgrad.randn(N, requires_grad=True)
        y, loss = _chain(x)
        refs = [weakref.ref(t) for t in (x, y, loss)]
        del x, y, loss
    assert [r() for r in refs] == [None, None, None]


def test_a_training_loop_holds_only_the_leafs_gradient_between_steps():
    """The leaf lives on; each step's graph and intermediates go when the names are rebound."""
    w = jitgrad.randn(N, requires_grad=True)
    before = _in_use()
    for step in range(3):
        w.grad = None
        y, loss = _chain(w)
        loss.backward()
        ref = weakref.ref(y)
        del y, loss
        assert ref() is None
        if step == 0:
            steady = _in_use()
        assert _in_use() == steady  # w.grad only
    assert steady > before
    w.grad = None
    assert _in_use() == before


@pytest.mark.parametrize(
    "op",
    [
        lambda x: F.softmax(x, 1),
        lambda x: F.log_softmax(x, 1),
        lambda x: x.logsumexp(1),
        lambda x: x.norm(dim=1),
        lambda x: x.prod(1),
    ],
    ids=["softmax", "log_softmax", "logsumexp", "norm", "prod"],
)
@pytest.mark.parametrize("backward", [True, False], ids=["backward", "no-backward"])
def test_ops_that_save_their_result_make_no_cycle(op, backward):
    before = _in_use()
    x = jitgrad.randn(512, 1024, requires_grad=True)
    out = op(x)
    if backward:
        out.sum().backward()
    refs = [weakref.ref(out), weakref.ref(out.grad_fn), weakref.ref(x)]
    del x, out
    assert [r() for r in refs] == [None, None, None]
    assert _in_use() == before


class _Exp(jitgrad.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        y = x.exp()
        ctx.save_for_backward(y)  # its own output, as PyTorch's docs do it
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * y


class _Double(jitgrad.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        x.mul_(2.0)
        ctx.mark_dirty(x)
        return x

    @staticmethod
    def backward(ctx, g):
        return g * 2.0


@pytest.mark.parametrize("fn", [_Exp, _Double], ids=["saved-output", "mark-dirty"])
def test_a_function_holding_its_output_makes_no_cycle(fn):
    before = _in_use()
    x = jitgrad.randn(N, requires_grad=True)
    out = fn.apply(x * 1.0)
    node = weakref.ref(out.grad_fn)
    out.sum().backward()
    refs = [weakref.ref(out), weakref.ref(x)]
    del x, out
    assert [r() for r in refs] == [None, None] and node() is None
    assert _in_use() == before


def test_a_saved_output_of_a_function_unpacks_as_that_output():
    x = jitgrad.tensor([0.5, 1.0], requires_grad=True)
    y = _Exp.apply(x)
    (saved,) = y.grad_fn.saved_tensors
    assert saved.grad_fn is y.grad_fn and saved._version == y._version
    np.testing.assert_array_equal(saved.detach().numpy(), y.detach().numpy())
    (g,) = jitgrad.autograd.grad(y.sum(), x, create_graph=True)
    (gg,) = jitgrad.autograd.grad(g.sum(), x)  # d/dx exp(x) through the saved output
    np.testing.assert_allclose(gg.numpy(), np.exp([0.5, 1.0]), rtol=1e-6)
    y2 = _Exp.apply(x)
    y2.mul_(2.0)
    with pytest.raises(RuntimeError, match="which is output 0 of _Exp, is at version 1"):
        y2.sum().backward()


def test_a_leafs_hooks_outlive_its_graphs():
    """The leaf holds its accumulator weakly; its hooks live on the leaf."""
    x = jitgrad.ones(3, requires_grad=True)
    seen = []
    handle = x.register_hook(lambda g: seen.append(g.tolist()) or g * 10)
    y = x * 2.0
    acc = weakref.ref(y.grad_fn.next_functions[0][0])
    y.sum().backward()
    del y
    assert acc() is None  # the graph that used it is gone
    (x * 3.0).sum().backward()  # a new accumulator, the same hook
    assert seen == [[2.0] * 3, [3.0] * 3] and x.grad.tolist() == [50.0] * 3
    handle.remove()
    x.grad = None
    (x * 3.0).sum().backward()
    assert len(seen) == 2 and x.grad.tolist() == [3.0] * 3
    ref = weakref.ref(x)
    del x
    assert ref() is None


def test_one_graph_shares_one_accumulator_per_leaf():
    x = jitgrad.ones(3, requires_grad=True)
    a, b = x * 2.0, x * 3.0
    assert a.grad_fn.next_functions[0][0] is b.grad_fn.next_functions[0][0]
    assert a.grad_fn.next_functions[0][0].variable is x


def test_retain_graph_and_freed_saved_values_still_behave():
    x = jitgrad.randn(4, 5, requires_grad=True)
    y = F.softmax(x, 1)
    w = jitgrad.randn(4, 5)
    (y * w).sum().backward(retain_graph=True)
    first = x.grad.numpy().copy()
    (y * w).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * first, rtol=1e-6)
    with pytest.raises(RuntimeError) as info:
        (y * w).sum().backward()
    assert str(info.value) == FREED_MESSAGE


def test_an_in_place_change_of_a_saved_result_is_caught():
    x = jitgrad.randn(2, 3, requires_grad=True)
    y = F.softmax(x, 1)
    y.mul_(2.0)
    with pytest.raises(RuntimeError) as info:
        y.sum().backward()
    assert (
        "[jitgrad.FloatTensor [2, 3]], which is output 0 of Softmax, is at version 1; "
        "expected version 0 instead." in str(info.value)
    )


@pytest.mark.parametrize(
    "op",
    [lambda x: F.softmax(x, 1), lambda x: x.logsumexp(1), lambda x: x.norm(dim=1)],
    ids=["softmax", "logsumexp", "norm"],
)
def test_create_graph_through_a_saved_result(op):
    x = jitgrad.randn(3, 4, dtype=jitgrad.float64, requires_grad=True)
    assert jitgrad.autograd.gradgradcheck(lambda t: op(t) ** 2, (x,))


@pytest.mark.parametrize("copier", ["deepcopy", "pickle"])
def test_a_copied_leaf_gets_gradients_of_its_own(copier):
    x = jitgrad.ones(3, requires_grad=True)
    y = x * 2.0  # x's accumulator is alive (y's graph uses it)
    z = copy.deepcopy(x) if copier == "deepcopy" else pickle.loads(pickle.dumps(x))
    (z * 3.0).sum().backward()
    assert x.grad is None and z.grad.tolist() == [3.0] * 3
    y.sum().backward()
    assert x.grad.tolist() == [2.0] * 3 and z.grad.tolist() == [3.0] * 3
