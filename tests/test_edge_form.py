"""A node keeps ``next_functions`` as two tuples (nodes, output numbers) and builds the
``(node, output_nr)`` pairs when read (jitgrad/engine/node.py): each way of recording a node
must give what PyTorch shows, output numbers past the shared tables (64 and more) included,
and the sweep that walks the two tuples must give PyTorch's gradients. Expected values:
tests/fixtures/edge_form_torch.json (tests/fixtures/make_edge_form_torch.py)."""

from __future__ import annotations

import json
import os
import warnings

import numpy as np
import pytest
from edge_form_cases import CASES, describe, identity_facts, same_leaf_node

import jitgrad

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "fixtures", "edge_form_torch.json")) as _f:
    TORCH = json.load(_f)["cases"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__)
def test_edges_as_pytorch_shows_them(case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # anomaly mode's "enabled" warning
        y, leaf = case(jitgrad)
    want = TORCH[case.__name__]
    assert describe(y.grad_fn) == json.loads(json.dumps(want["graph"]))
    assert identity_facts(y.grad_fn) == want["identity"]
    if "same_leaf_node" in want:
        assert same_leaf_node(y.grad_fn) == want["same_leaf_node"]
    y.backward()
    np.testing.assert_allclose(leaf.grad.numpy(), np.array(want["grad"], np.float32), rtol=1e-6)


def test_assigned_edges_read_back():
    """The setter (custom nodes, Node.__init__) splits the pairs; a read gives them back."""
    x = jitgrad.tensor(2.0, requires_grad=True)
    u = (x * jitgrad.ones(70)).unbind(0)
    node = (u[66] * 1).grad_fn
    edges = ((u[66].grad_fn, 66), (None, 0), (u[1].grad_fn, 1), (u[0].grad_fn, 0))
    node.next_functions = edges
    assert node.next_functions == edges
    node.next_functions = ((None, 0),) * 9
    assert node.next_functions == ((None, 0),) * 9


@pytest.mark.parametrize("later", [(2, 1), (0, 2), (1, 1)])
def test_replay_matcher_tells_output_numbers_apart(later):
    """The replay cache's generated matcher (fusion/matcher.py) checks the output numbers
    a node keeps: graphs that differ only in which unbind outputs feed a product must not
    replay each other's plan. ``y = w[i] * (3 * w[j])``: dy/dw_i = 3 w_j, dy/dw_j = 3 w_i."""
    base = np.array([1.0, 2.0, 5.0], np.float32)

    def grads(i, j):
        w = jitgrad.tensor(base, requires_grad=True)
        u = (w * 1).unbind(0)
        (u[i] * (u[j] * 3)).backward()
        return w.grad.numpy()

    def by_hand(i, j):
        want = np.zeros(3, np.float32)
        want[i] += 3 * base[j]
        want[j] += 3 * base[i]
        return want

    for _ in range(3):  # seen twice and more: the structure gets a matcher
        np.testing.assert_array_equal(grads(1, 2), by_hand(1, 2))
    np.testing.assert_array_equal(grads(*later), by_hand(*later))
    np.testing.assert_array_equal(grads(1, 2), by_hand(1, 2))


def test_replay_matcher_matches_a_repeated_graph(monkeypatch):
    """A graph recorded again (unbind outputs with their numbers, a stack, a softmax's pieces,
    a leaf) is recognised by the generated matcher, not walked generically each time: the
    matcher must read the output numbers as the recorders keep them."""
    from jitgrad.fusion import replay

    walks = []
    structure = replay.structure
    monkeypatch.setattr(replay, "structure", lambda *a: walks.append(1) or structure(*a))
    w = jitgrad.arange(6, dtype=jitgrad.float32, requires_grad=True)
    for _ in range(5):
        u = list(w * 0.5)
        s = jitgrad.nn.functional.softmax(jitgrad.stack([u[5], u[1], w[0] * u[2], u[4]]), dim=0)
        parts = list(s)
        (parts[3] * u[3] + parts[0] * parts[2]).backward()
    assert len(walks) == 2  # the first graph and the second (which builds the matcher)
