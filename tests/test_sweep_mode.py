"""The backward sweep sums gradients under its own ``create_graph`` (issue 16, eager backward):
``engine.sweep.add_to_buffer`` is handed the sweep's mode instead of reading grad mode, whose
read inside a sweep (grad mode off) takes the thread-local path, ~500 instructions a sum.

What must not change: an ordinary backward sums a node's incoming gradients in place into
the engine's own buffer (no graph), a ``create_graph`` backward records the sum (the second
derivative goes through it), and another thread's grad mode never decides how this thread's
sweep sums. Expected values are worked out by hand in each test.
"""

from __future__ import annotations

import sys
import threading

import numpy as np
import pytest

import jitgrad
from jitgrad.engine import grad_mode as GM
from jitgrad.engine import sweep as S
from perf.rogozhnikov import run_graph


def _two_paths(x):
    """``y = x*x + x*x*x`` reads ``x`` through two nodes: x's gradient is a sum of two."""
    return x * x + x * x * x


def test_plain_backward_sums_without_a_graph():
    x = jitgrad.tensor(2.0, requires_grad=True)
    _two_paths(x).backward()
    assert float(x.grad) == 16.0  # 2x + 3x^2 at 2
    assert x.grad.grad_fn is None and not x.grad.requires_grad


def test_create_graph_records_the_sum():
    x = jitgrad.tensor(2.0, requires_grad=True)
    (g,) = jitgrad.autograd.grad(_two_paths(x), x, create_graph=True)
    assert float(g) == 16.0 and g.grad_fn is not None
    (gg,) = jitgrad.autograd.grad(g, x)
    assert float(gg) == 14.0  # 2 + 6x at 2


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph")
def test_create_graph_backward_accumulates_a_differentiable_grad():
    x = jitgrad.tensor(3.0, requires_grad=True)
    _two_paths(x).backward(create_graph=True)
    assert float(x.grad) == 33.0 and x.grad.grad_fn is not None  # 2*3 + 3*9
    (gg,) = jitgrad.autograd.grad(x.grad, x)
    assert float(gg) == 20.0  # 2 + 6*3


def _scalar_graph(leaves, n_ops):
    """perf/rogozhnikov.py's graph (softplus, a sum of 4, a product, softmax over 4 stacked
    and iterated): its gradients meet in buffers that already hold one from a fused group."""
    return run_graph(jitgrad, leaves, n_ops)


def test_sums_read_no_grad_mode(monkeypatch):
    """The sweep's sums do not read grad mode: every read of ``STATE.enabled`` during the
    backward is noted with its reader (on main, ``add_to_buffer`` reads it 4 times in this
    12-op graph: once per gradient summed in place), and the gradients stay those of a
    backward with fusion (and so the in-place sums of fused groups' results) off."""
    leaves = jitgrad.arange(30, dtype=jitgrad.float32, requires_grad=True)
    for _ in range(2):  # the second graph's backward is replayed (fused groups)
        _scalar_graph(leaves, 12)[-1].backward()
    leaves.grad = None
    reads = []
    original = threading.local.__getattribute__

    def counting(self, name):
        if name == "enabled":
            reads.append(sys._getframe(1).f_code.co_name)
        return original(self, name)

    nodes = _scalar_graph(leaves, 12)
    monkeypatch.setattr(type(GM.STATE), "__getattribute__", counting, raising=False)
    nodes[-1].backward()
    monkeypatch.undo()
    assert "softmax_backward_data" in reads  # (the patch sees the readers that remain)
    assert "add_to_buffer" not in reads
    fused = leaves.grad.tolist()
    leaves.grad = None
    with jitgrad.fusion(False):
        _scalar_graph(leaves, 12)[-1].backward()
    assert np.allclose(leaves.grad.tolist(), fused, rtol=1e-6, atol=1e-7)
    assert any(fused)


def test_another_threads_no_grad_does_not_change_the_sum():
    """A thread holding grad mode off (the count above 0) while this thread sums: the sum
    follows this sweep's create_graph, in both modes."""
    inside, release = threading.Event(), threading.Event()

    def hold_off():
        with jitgrad.no_grad():
            inside.set()
            release.wait(10)

    t = threading.Thread(target=hold_off)
    t.start()
    try:
        assert inside.wait(10) and GM.GRAD_OFF[0] >= 1
        x = jitgrad.tensor(2.0, requires_grad=True)
        _two_paths(x).backward()
        assert float(x.grad) == 16.0 and x.grad.grad_fn is None
        (g,) = jitgrad.autograd.grad(_two_paths(x), x, create_graph=True)
        assert float(g) == 16.0 and g.grad_fn is not None
    finally:
        release.set()
        t.join()


def test_add_to_buffer_follows_the_mode_it_is_given():
    """Called directly: ``graph`` False sums into a fresh buffer in place; True builds a new
    tensor that a leaf may not adopt."""
    a = jitgrad.tensor(1.0)
    a._fresh = True
    b = jitgrad.tensor(2.0)
    buffers = {0: [a]}
    S.add_to_buffer(buffers, 0, 0, b, False)
    assert buffers[0][0] is a and float(a) == 3.0
    c = jitgrad.tensor(1.0)
    c._fresh = True
    buffers = {0: [c]}
    S.add_to_buffer(buffers, 0, 0, b, True)
    total = buffers[0][0]
    assert total is not c and float(total) == 3.0 and float(c) == 1.0
    assert total._fresh is False
