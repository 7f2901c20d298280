"""jitgrad against PyTorch 2.13's recorded answers (fixtures/conform16_torch.json, written by
fixtures/make_conform16_torch.py from tests/conform16_cases.py): Python numbers outside a
tensor's type (wrapped or refused as PyTorch's ops do)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

import jitgrad as torch
from tests import conform15_cases as C
from tests import conform16_cases as CC
from tests.test_conformance15 import _same

DATA = json.loads((Path(__file__).parent / "fixtures" / "conform16_torch.json").read_text())


@pytest.mark.parametrize("expr", CC.SCALAR_CALLS)
def test_numbers_outside_the_type(expr: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow is PyTorch's silent cast, not a warning
        _same(C.evaluate(torch, expr, CC.SCALAR_SETUP), DATA["scalar"][expr])


@pytest.mark.parametrize("key", sorted(CC.ADDC))
def test_addcmul_addcdiv_value_is_one_node(key: str) -> None:
    _same(C.run(torch, CC.ADDC[key]), DATA["addc"][key])


@pytest.mark.parametrize("expr", CC.RETURN_TYPES)
def test_return_types_named_as_torch(expr: str) -> None:
    got = C.run(torch, f"{CC.RETURN_SETUP}\nr = {expr}\nout = {CC.RETURN_EXPR}")
    _same(got, DATA["return_types"][expr])


@pytest.mark.parametrize("expr", CC.PARSER_CALLS)
def test_sum_mean_dtype_words(expr: str) -> None:
    _same(C.evaluate(torch, expr, CC.PARSER_SETUP), DATA["parser"][expr])


@pytest.mark.parametrize("key", sorted(CC.SAVE))
def test_save_keeps_shared_storage(key: str, tmp_path: Path) -> None:
    _same(C.run(torch, CC.SAVE[key], {"path": str(tmp_path / "t.pt")}), DATA["save"][key])


@pytest.mark.parametrize("expr", CC.CONTIGUOUS_CALLS)
def test_is_contiguous_memory_format(expr: str) -> None:
    _same(C.evaluate(torch, expr, CC.CONTIGUOUS_SETUP), DATA["contiguous"][expr])
