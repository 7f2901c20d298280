"""Small PyTorch differences fixed in session 12, each compared with PyTorch 2.13's answer
recorded by tests/fixtures/make_smallfix_s12_torch.py (the calls: tests/smallfix_s12_cases.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from smallfix_s12_cases import run

import jitgrad

RECORDED = json.loads((Path(__file__).parent / "fixtures/smallfix_s12_torch.json").read_text())
TORCH = RECORDED["answers"]

#: PyTorch's parser calls both keywords of ``x.clamp(min=t, max=2)`` incorrect (its text
#: lists the method's overloads); jitgrad's formatter marks their types instead
KNOWN = {"x.clamp(min=t, max=2)"}


@pytest.fixture(scope="module")
def ours() -> dict[str, str]:
    return run(jitgrad)


@pytest.mark.parametrize("key", [k for k in TORCH if "clamp" in k or "clip" in k])
def test_clamp_mixed_bounds(ours: dict[str, str], key: str) -> None:
    if key in KNOWN:
        assert ours[key].startswith("TypeError: clamp() received an invalid combination")
        return
    assert ours[key] == TORCH[key]


@pytest.mark.parametrize("key", [k for k in TORCH if "autograd" in k or k == "torch.no_grad"])
def test_autograd_class_names(ours: dict[str, str], key: str) -> None:
    """``__module__``, ``__qualname__``, the class's and an instance's repr."""
    assert ours[key] == TORCH[key]


def test_prune_needs_its_import(ours: dict[str, str]) -> None:
    """``torch.nn.utils.prune`` is an AttributeError until ``import torch.nn.utils.prune``
    (checked in a fresh interpreter: any earlier import in this one would load it)."""
    assert ours["fresh nn.utils.prune"] == TORCH["fresh nn.utils.prune"]


@pytest.mark.parametrize("key", [k for k in TORCH if "mvlgamma" in k])
def test_mvlgamma_order_position(ours: dict[str, str], key: str) -> None:
    """The method and in-place method count ``p`` after ``self`` (position 1)."""
    assert ours[key] == TORCH[key]
