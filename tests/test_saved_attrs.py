"""``grad_fn._saved_*`` of view, split, index, mm, repeat and pad nodes, by name and value,
against PyTorch's recorded in tests/fixtures/saved_attrs_torch.json
(tests/fixtures/make_saved_attrs_torch.py). Attributes jitgrad's nodes do not keep are listed
in ``NOT_KEPT``: the test checks they are missing (not wrongly valued) and that the list
holds only names PyTorch has."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from saved_attrs_cases import CASES, run

import jitgrad

RECORDED = json.loads((Path(__file__).parent / "fixtures" / "saved_attrs_torch.json").read_text())

#: case -> PyTorch's attributes the jitgrad node does not keep (so it does not show them)
NOT_KEPT: dict[str, set[str]] = {}


@pytest.mark.parametrize(("name", "fn"), CASES, ids=[n for n, _ in CASES])
def test_saved_attrs_match_pytorch(name, fn):
    want = RECORDED["cases"][name]
    got = run(jitgrad, fn)
    assert got["node"] == want["node"]
    missing = NOT_KEPT.get(name, set())
    assert missing <= set(want["saved"])
    expected = {k: v for k, v in want["saved"].items() if k not in missing}
    assert got["saved"] == json.loads(json.dumps(expected))


def test_saved_attrs_after_backward_of_a_node_keeping_no_tensor():
    x = jitgrad.ones(2, 3, requires_grad=True)
    y = x.transpose(0, 1)
    y.sum().backward()
    assert (y.grad_fn._saved_dim0, y.grad_fn._saved_dim1) == (0, 1)


def test_missing_saved_attr_is_attribute_error():
    node = jitgrad.ones(2, 3, requires_grad=True).t().grad_fn
    assert not hasattr(node, "_saved_dim0")
    with pytest.raises(AttributeError, match="_saved_dims"):
        _ = jitgrad.ones(2, 1, requires_grad=True).squeeze(1).grad_fn._saved_dims
