"""jitgrad against PyTorch 2.13's recorded answers (fixtures/conform17_torch.json, written by
fixtures/make_conform17_torch.py from tests/conform17_cases.py): integer powers that wrap,
the Python numbers a node saves, float16/bfloat16 rounded division by a number, Python's
conversions of a tensor (``float(t)``, ``f"{t:.2f}"``...), unflatten's errors, activations and
losses of integer tensors."""

from __future__ import annotations

import json
import warnings
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


@pytest.mark.parametrize("expr", CC.CONVERT_CALLS)
def test_python_conversions_of_a_tensor(expr: str) -> None:
    _same(C.evaluate(torch, expr, CC.CONVERT_SETUP), DATA["convert"][expr])


@pytest.mark.parametrize("expr", CC.UNFLATTEN_CALLS)
def test_unflatten_words(expr: str) -> None:
    _same(C.evaluate(torch, expr, ""), DATA["unflatten"][expr])


@pytest.mark.parametrize("expr", CC.UNFLATTEN_UNEXPECTED)
def test_unflatten_unexpected_error_first_lines(expr: str) -> None:
    got = C.evaluate(torch, expr, "")
    assert got[0] == "RuntimeError"
    assert got[1].splitlines()[:2] == DATA["unexpected"][expr]


@pytest.mark.parametrize("expr", CC.INTEGER_CALLS)
def test_activations_and_losses_of_integers(expr: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (kl_div's reduction warning)
        got = C.evaluate(torch, expr, CC.INTEGER_SETUP)
    want = DATA["integer"][expr]
    if isinstance(want, list) and want and isinstance(want[0], float):  # float32 values
        assert got == pytest.approx(want, rel=1e-6), (got, want)
    else:
        _same(got, want)


@pytest.mark.parametrize("expr", CC.REVERSED_CALLS)
def test_reversed_flips_the_first_dim(expr: str) -> None:
    _same(C.evaluate(torch, expr, ""), DATA["reversed"][expr])
