"""What a backward hook returns is checked against the gradient it replaces, as in PyTorch.

PyTorch's ``check_single_result`` / ``check_result`` (torch/csrc/autograd/python_hook.cpp)
run for tensor hooks, node pre-hooks and node hooks, and so for module backward hooks,
which PyTorch runs as node hooks named ``hook``. A post-accumulate-grad hook must return
None. Each case runs twice on a fresh graph of the same structure, after that structure has
been recorded and replayed by the backward replay cache, so a replayed sweep cannot skip
the checks.
"""

from __future__ import annotations

import functools
import re

import numpy as np
import pytest

import jitgrad
import jitgrad.nn as nn
from jitgrad.fusion import replay


def _replays() -> int:
    return jitgrad.cache_info()["backward_programs"]["replayed"]


def _graph():
    w = jitgrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = jitgrad.tanh(w * 2) * w
    return w, y


def _warm_replay():
    """Record and replay the hook-free structure of :func:`_graph` (replays must happen)."""
    replay.clear()
    before = _replays()
    for _ in range(3):
        w, y = _graph()
        y.sum().backward()
    assert _replays() == before + 2


def _raises_twice(install, exc, message):
    _warm_replay()
    for _ in range(2):
        w, y = _graph()
        install(w, y)
        with pytest.raises(exc, match=re.escape(message)):
            y.sum().backward()


def _shrink(g):
    return g[:2]


TENSOR_HOOK_CASES = [
    (lambda g: g.sum(), RuntimeError, "hook '<lambda>' has changed the size of value"),
    (_shrink, RuntimeError, "hook '_shrink' has changed the size of value"),
    (
        lambda g: g.double(),
        RuntimeError,
        "hook '<lambda>' has changed the type of value (was CPUFloatType got CPUDoubleType)",
    ),
    (
        lambda g: g.long(),
        RuntimeError,
        "hook '<lambda>' has changed the type of value (was CPUFloatType got CPULongType)",
    ),
    (
        functools.partial(lambda k, g: g.reshape(3, 1) * k, 2),
        RuntimeError,
        "hook '<unknown>' has changed the size of value",
    ),
    (lambda g: np.ones(3), TypeError, "expected Variable, but hook returned 'numpy.ndarray'"),
    (lambda g: [1.0, 1.0, 1.0], TypeError, "expected Variable, but hook returned 'list'"),
    (lambda g: 2.0, TypeError, "expected Variable, but hook returned 'float'"),
]


@pytest.mark.parametrize("hook, exc, message", TENSOR_HOOK_CASES)
@pytest.mark.parametrize("on", ["leaf", "non-leaf"])
def test_tensor_hook_results_are_checked(hook, exc, message, on):
    def install(w, y):
        (w if on == "leaf" else y).register_hook(hook)

    _raises_twice(install, exc, message)


def test_tensor_hook_may_return_a_new_gradient_of_the_same_type_and_size():
    _warm_replay()
    for _ in range(2):
        w, y = _graph()
        y.register_hook(lambda g: g * 0 + 1)
        w.register_hook(lambda g: g + 10)
        y.sum().backward()
        x = np.array([1.0, 2.0, 3.0])
        expected = 2 * x / np.cosh(2 * x) ** 2 + np.tanh(2 * x) + 10
        np.testing.assert_allclose(w.grad.numpy(), expected, rtol=1e-6)


NODE_HOOK_CASES = [
    ("pre", lambda go: (go[0][:1],), RuntimeError, "hook '<lambda>' has changed the size of value"),
    (
        "pre",
        lambda go: (go[0].double(),),
        RuntimeError,
        "hook '<lambda>' has changed the type of value (was CPUFloatType got CPUDoubleType)",
    ),
    ("pre", lambda go: [go[0]], TypeError, "expected tuple, but hook returned 'list'"),
    ("pre", lambda go: go[0], TypeError, "expected tuple, but hook returned 'Tensor'"),
    (
        "pre",
        lambda go: (go[0], go[0]),
        RuntimeError,
        "hook '<lambda>' has returned an incorrect number of values (got 2, but expected 1)",
    ),
    (
        "post",
        lambda gi, go: (gi[0].sum(), gi[1]),
        RuntimeError,
        "hook '<lambda>' has changed the size of value",
    ),
    (
        "post",
        lambda gi, go: (gi[0],),
        RuntimeError,
        "hook '<lambda>' has returned an incorrect number of values (got 1, but expected 2)",
    ),
]


@pytest.mark.parametrize("kind, hook, exc, message", NODE_HOOK_CASES)
def test_node_hook_results_are_checked(kind, hook, exc, message):
    def install(w, y):
        node = y.grad_fn  # MulBackward0: (grad for tanh(2w), grad for w)
        (node.register_prehook if kind == "pre" else node.register_hook)(hook)

    _raises_twice(install, exc, message)


def test_node_hook_cannot_fill_in_a_missing_gradient():
    w = jitgrad.ones(3, requires_grad=True)
    y = w * 2  # MulBackward0's second edge is the scalar: its gradient is None
    y.grad_fn.register_hook(lambda gi, go: (gi[0], gi[0]))
    with pytest.raises(RuntimeError, match="can't replace a None gradient with a non-None value"):
        y.sum().backward()


def test_node_hooks_returning_their_input_or_none_pass():
    w, y = _graph()
    y.grad_fn.register_prehook(lambda go: go)
    y.grad_fn.register_hook(lambda gi, go: None)
    y.grad_fn.register_hook(lambda gi, go: (gi[0] * 0, gi[1]))  # drop the tanh branch
    y.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), np.tanh(2 * np.array([1.0, 2.0, 3.0])), rtol=1e-6)


def test_post_accumulate_grad_hook_must_return_none():
    _warm_replay()
    before = _replays()
    for _ in range(2):
        w, y = _graph()
        w.register_post_accumulate_grad_hook(lambda p: p.grad)
        with pytest.raises(
            RuntimeError, match="Tensor post accumulate grad hooks should return None."
        ):
            y.sum().backward()
    assert _replays() == before + 2  # the replayed sweep ran the check
    seen = []
    for _ in range(3):  # hooks on leaves' tensors do not stop replay: it must run them
        w, y = _graph()
        w.register_post_accumulate_grad_hook(lambda p: seen.append(p.grad.sum().item()))
        y.sum().backward()
    assert len(seen) == 3 and seen[0] == seen[1] == seen[2]
    assert _replays() == before + 5


def _model():
    jitgrad.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))


MODULE_HOOK_CASES = [
    (lambda m, gi, go: (gi[0][:, :2],), "hook 'hook' has changed the size of value"),
    (
        lambda m, gi, go: (gi[0].double(),),
        "hook 'hook' has changed the type of value (was CPUFloatType got CPUDoubleType)",
    ),
    (
        lambda m, gi, go: (gi[0], gi[0]),
        "Backward hook returned an invalid number of grad_input, got 2, but expected 1",
    ),
]


@pytest.mark.parametrize("hook, message", MODULE_HOOK_CASES)
def test_module_full_backward_hook_results_are_checked(hook, message):
    model = _model()
    model[2].register_full_backward_hook(hook)
    x = jitgrad.ones(5, 3, requires_grad=True)
    for _ in range(2):
        with pytest.raises(RuntimeError, match=re.escape(message)):
            model(x).sum().backward()


def test_module_full_backward_hook_may_scale_grad_input():
    model = _model()
    x = jitgrad.ones(5, 3, requires_grad=True)
    model(x).sum().backward()
    plain = x.grad.numpy().copy()
    x.grad = None
    model[0].register_full_backward_hook(lambda m, gi, go: (gi[0] * 3,))
    model(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 3 * plain, rtol=1e-6)
