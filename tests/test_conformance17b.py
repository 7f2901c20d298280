"""jitgrad against PyTorch 2.13's recorded answers (fixtures/conform17b_torch.json, written by
fixtures/make_conform17b_torch.py from tests/conform17b_cases.py): losses' result dtype for a
float32/float64 pair, losses and dropouts of integer tensors, the numbers nodes save (rsub,
relu6, logit) and saved wrapped numbers after backward, digamma as PyTorch's series, torch.rsub
of two tensors and a float alpha with integral operands."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

import jitgrad as torch
from tests import conform15_cases as C
from tests import conform17b_cases as CB
from tests.test_conformance15 import _same

DATA = json.loads((Path(__file__).parent / "fixtures" / "conform17b_torch.json").read_text())


def _quiet(expr: str, setup: str) -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (kl_div's reduction warning)
        return C.evaluate(torch, expr, setup)


@pytest.mark.parametrize("expr", CB.LOSS_CALLS)
def test_loss_result_dtype_of_mixed_widths(expr: str) -> None:
    _same(_quiet(expr, CB.LOSS_SETUP), DATA["loss"][expr])


@pytest.mark.parametrize("expr", CB.INTEGER_CALLS)
def test_losses_and_dropouts_of_integers(expr: str) -> None:
    got, want = _quiet(expr, CB.LOSS_SETUP), DATA["integer"][expr]
    if isinstance(want, float) or (isinstance(want, list) and want and isinstance(want[0], float)):
        assert got == pytest.approx(want, rel=1e-6, nan_ok=True), (got, want)
    else:
        _same(got, want)


@pytest.mark.parametrize("key", sorted(CB.SAVED))
def test_saved_numbers_and_freed_wrapped_numbers(key: str) -> None:
    _same(C.run(torch, CB.saved_source(CB.SAVED[key])), DATA["saved"][key])


@pytest.mark.parametrize("expr", CB.DIGAMMA_CALLS)
def test_digamma_as_pytorch_series(expr: str) -> None:
    got, want = C.evaluate(torch, expr, ""), DATA["digamma"][expr]
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):  # the same steps: equal to the last bit
        assert g == w or (g != g and w != w), (expr, got, want)


@pytest.mark.parametrize("expr", CB.ALPHA_CALLS)
def test_rsub_of_tensors_and_integral_alpha(expr: str) -> None:
    _same(C.evaluate(torch, expr, CB.ALPHA_SETUP), DATA["alpha"][expr])


@pytest.mark.parametrize("expr", CB.TWICE_EXPRS)
def test_second_backward_after_a_saved_wrapped_number(expr: str) -> None:
    _same(C.run(torch, CB.TWICE_SOURCE.format(expr=expr)), DATA["twice"][expr])
