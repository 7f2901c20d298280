"""jitgrad against PyTorch 2.13's recorded answers (fixtures/conform17_torch.json, written by
fixtures/make_conform17_torch.py from tests/conform17_cases.py): integer powers that wrap,
the Python numbers a node saves, float16/bfloat16 rounded division by a number."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import jitgrad as torch
from tests import conform15_cases as C
from tests import conform17_cases as CC
from tests.test_conformance15 import _same

DATA = json.loads((Path(__file__).parent / "fixtures" / "conform17_torch.json").read_text())


@pytest.mark.parametrize("expr", CC.POW_CALLS)
def test_integer_power_wraps(expr: str) -> None:
    _same(C.evaluate(torch, expr, CC.POW_SETUP), DATA["pow"][expr])


@pytest.mark.parametrize("key", sorted(CC.SAVED))
def test_saved_numbers_before_and_after_backward(key: str) -> None:
    _same(C.run(torch, CC.saved_source(*CC.SAVED[key])), DATA["saved"][key])


@pytest.mark.parametrize("expr", CC.DIVMODE_CALLS)
def test_half_rounded_division_by_a_number(expr: str) -> None:
    _same(C.evaluate(torch, expr, CC.DIVMODE_SETUP), DATA["divmode"][expr])
