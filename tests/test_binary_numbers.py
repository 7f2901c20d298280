"""Binary float functions with a Python number (tests/binary_number_cases.py) against
PyTorch 2.13's answers (tests/fixtures/binary_numbers_torch.json): the same error type and
message where PyTorch's parser refuses the number, the same dtype and values where it
takes it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from binary_number_cases import run

import jitgrad

RECORDED = json.loads(
    (Path(__file__).parent / "fixtures" / "binary_numbers_torch.json").read_text()
)

#: the functions moved onto declarations in session 12 (s12-lastforms) match PyTorch's
#: number handling (mvlgamma's method counts ``p`` from position 1: its ``method_front``).
#: Strict xfails, so a fix shows up here.
KNOWN: set[str] = set()


def _deferred(key: str) -> bool:
    return key in KNOWN


@pytest.fixture(scope="module")
def got() -> dict:
    return run(jitgrad)


def _same(mine: list, theirs: list) -> bool:
    if mine[0] != theirs[0] or mine[1] != theirs[1]:
        return False
    if mine[0] == "error":
        return mine[2] == theirs[2]
    return np.allclose(mine[2], theirs[2], rtol=1e-6, equal_nan=True)


def _params() -> list:
    out = []
    for key in sorted(RECORDED["calls"]):
        mark = ()
        if _deferred(key) and RECORDED["calls"][key][0] == "error":
            mark = pytest.mark.xfail(strict=True, reason="the method's position of p")
        out.append(pytest.param(key, marks=mark))
    return out


@pytest.mark.parametrize("key", _params())
def test_binary_number_call_matches_pytorch(got: dict, key: str) -> None:
    assert _same(got[key], RECORDED["calls"][key]), (got[key], RECORDED["calls"][key])


def test_hypot_refuses_a_number_as_pytorch_does() -> None:
    """The issue's case: torch.hypot(t, 2.0) is PyTorch's TypeError, not a value."""
    with pytest.raises(TypeError, match=r"^hypot\(\): argument 'other' \(position 2\) must be"):
        jitgrad.hypot(jitgrad.tensor([3.0]), 2.0)
