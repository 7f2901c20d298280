"""A view taken before its base, a sibling view or a detached alias is changed in place reads
a new ``grad_fn`` (PyTorch's ``AsStridedBackward0`` over the base's current history), so its
gradient sees the change (issue 13). Expected values are PyTorch's, recorded by
tests/fixtures/make_stale_views_torch.py into tests/fixtures/stale_views_torch.json."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import stale_view_cases as C

import jitgrad

DATA = json.loads((Path(__file__).parent / "fixtures" / "stale_views_torch.json").read_text())


def _pairs(t: jitgrad.Tensor) -> list:
    t = t.detach()
    if t.is_complex():
        return jitgrad.view_as_real(t.to(jitgrad.complex128)).tolist()
    return t.tolist()


@pytest.mark.parametrize("name", sorted(C.CASES))
def test_stale_view_as_pytorch(name: str) -> None:
    want = DATA["cases"][name]
    got = C.run(jitgrad, name, _pairs)
    assert got["node"] == want["node"]
    np.testing.assert_allclose(np.array(got["out"]), np.array(want["out"]), rtol=1e-6)
    np.testing.assert_allclose(np.array(got["grad"]), np.array(want["grad"]), rtol=1e-6)


def test_issue_13_repro() -> None:
    x = jitgrad.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x * 1
    v = y[:, 1]
    y.mul_(2)
    assert type(v.grad_fn).__name__ == "AsStridedBackward0"
    v.sum().backward()
    assert x.grad.tolist() == [[0.0, 2.0], [0.0, 2.0]]


def test_stale_view_keeps_its_class_and_regenerates_once() -> None:
    """The view is a plain Tensor again after the read; a second read is the same node."""
    x = jitgrad.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x * 1
    v = y[0]
    y.add_(1)
    node = v.grad_fn
    assert type(v) is jitgrad.Tensor
    assert v.grad_fn is node


def test_retained_grad_follows_the_new_node() -> None:
    x = jitgrad.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x * 1
    v = y[1]
    v.retain_grad()
    y.mul_(2)
    (v * 3).sum().backward()
    assert v.grad.tolist() == [3.0, 3.0]
    assert x.grad.tolist() == [[0.0, 0.0], [6.0, 6.0]]


def test_regenerated_under_no_grad_read() -> None:
    """PyTorch builds the node whatever the grad mode at the read."""
    x = jitgrad.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x * 1
    v = y[0]
    y.mul_(2)
    with jitgrad.no_grad():
        assert type(v.grad_fn).__name__ == "AsStridedBackward0"
    v.sum().backward()
    assert x.grad.tolist() == [[2.0, 2.0], [0.0, 0.0]]
