"""Issue 13's named behaviours (tests/issue13_cases.py), each against PyTorch 2.13's answer
recorded in tests/fixtures/issue13_torch.json: docs/issue13-status.md cites these ids."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from issue13_cases import run

import jitgrad

RECORDED = json.loads((Path(__file__).parent / "fixtures" / "issue13_torch.json").read_text())
WANT = RECORDED["checks"]


@pytest.fixture(scope="module")
def got() -> dict:
    return json.loads(json.dumps(run(jitgrad)))


@pytest.mark.parametrize("name", sorted(WANT))
def test_issue13_check(got: dict, name: str) -> None:
    assert got[name] == WANT[name]


def test_missing_name_says_not_implemented() -> None:
    with pytest.raises(AttributeError, match="not implemented in jitgrad"):
        _ = jitgrad.definitely_not_a_name
