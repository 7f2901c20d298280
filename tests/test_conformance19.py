"""jitgrad against PyTorch 2.13's recorded answers (fixtures/conform19_torch.json, written by
fixtures/make_conform19_torch.py from tests/conform19_cases.py): nansum's node, the storage
offsets of split/chunk's empty pieces and of a view's ``detach()`` / ``.data``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import jitgrad as torch
from tests import conform15_cases as C
from tests import conform19_cases as CC
from tests.test_conformance15 import _same

DATA = json.loads((Path(__file__).parent / "fixtures" / "conform19_torch.json").read_text())


@pytest.mark.parametrize("expr", CC.NANSUM_CALLS)
def test_nansum_node(expr: str) -> None:
    _same(C.evaluate(torch, expr, CC.NANSUM_SETUP), DATA["nansum"][expr])


@pytest.mark.parametrize("expr", CC.OFFSET_CALLS)
def test_piece_storage_offsets(expr: str) -> None:
    _same(C.evaluate(torch, expr, CC.OFFSET_SETUP), DATA["offsets"][expr])


@pytest.mark.parametrize("expr", CC.SAVE_CALLS)
def test_detached_view_saved(expr: str) -> None:
    _same(C.evaluate(torch, expr, CC.SAVE_SETUP), DATA["save"][expr])
