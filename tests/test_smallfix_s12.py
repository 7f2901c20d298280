"""Small PyTorch differences fixed in session 12, each compared with PyTorch 2.13's answer
recorded by tests/fixtures/make_smallfix_s12_torch.py (the calls: tests/smallfix_s12_cases.py).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from smallfix_s12_cases import run

import jitgrad
from jitgrad.frontend.functions import DECLARED_INPLACE

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


@pytest.mark.parametrize(
    ("name", "formula", "node"),
    [
        ("tan", math.tan, "TanBackward0"),
        ("erf", math.erf, "ErfBackward0"),
        ("erfc", math.erfc, "ErfcBackward0"),
        ("rsqrt", lambda v: 1 / math.sqrt(v), "RsqrtBackward0"),
        ("exp2", lambda v: 2.0**v, "Exp2Backward0"),
    ],
)
def test_declared_inplace_forms(name: str, formula, node: str) -> None:
    """``tan_`` ... are generated from their declarations (``inplace=True``), not hand-listed
    in tensor_inplace.py; values by formula, PyTorch's node names."""
    method = getattr(jitgrad.Tensor, name + "_")
    while method is not DECLARED_INPLACE[name + "_"] and hasattr(method, "__wrapped__"):
        method = method.__wrapped__  # under a backend's wrapper (the meta device's, cuda's)
    assert method is DECLARED_INPLACE[name + "_"]
    x = jitgrad.tensor([0.5, 0.25], dtype=jitgrad.float64, requires_grad=True).clone()
    y = getattr(x, name + "_")()
    assert y is x and type(x.grad_fn).__name__ == node
    assert x.tolist() == pytest.approx([formula(0.5), formula(0.25)], rel=1e-12)
