"""Issue 13's leftovers (session 10): each case of tests/left13_cases.py run with jitgrad
against PyTorch's answers recorded in tests/fixtures/left13_torch.json
(tests/fixtures/make_left13_torch.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from left13_cases import CASES

import jitgrad

RECORDED = json.loads((Path(__file__).parent / "fixtures" / "left13_torch.json").read_text())


@pytest.mark.parametrize("name", sorted(CASES))
def test_left13_case_matches_pytorch(name):
    got = json.loads(json.dumps(CASES[name](jitgrad)))
    assert got == RECORDED["cases"][name]
