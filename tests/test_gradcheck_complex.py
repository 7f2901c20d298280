"""``gradcheck``/``gradgradcheck`` on complex inputs and outputs against PyTorch 2.13's
recorded verdicts and messages (fixtures/gradcheck_complex_torch.json, written by
fixtures/make_gradcheck_complex_torch.py from the same source): a complex output is checked
as its imaginary part, then its real part; a complex input through its Wirtinger derivative.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest

import jitgrad as torch
from tests.fixtures.make_gradcheck_complex_torch import CASES_SOURCE

DATA = json.loads((Path(__file__).parent / "fixtures" / "gradcheck_complex_torch.json").read_text())
NUMBER = re.compile(r"[+-]?\d+\.?\d*(?:e[+-]?\d+)?")


def _run() -> dict:
    scope: dict = {}
    exec(CASES_SOURCE, scope)  # noqa: S102 - the recorder's own source
    return scope["run_cases"](torch)


@pytest.fixture(scope="module")
def got() -> dict:
    return _run()


def _same(got: str, want: str) -> bool:
    """Equal up to ``jitgrad.``/``torch.``, the spacing of a tensor's columns and the last
    digits of a number (PyTorch's dot sums in BLAS's order; a zero's sign)."""
    got, want = got.replace("jitgrad.", "torch."), want
    g_nums, w_nums = NUMBER.findall(got), NUMBER.findall(want)
    skeleton = ["".join(NUMBER.sub("#", s).split()) for s in (got, want)]
    if skeleton[0] != skeleton[1] or len(g_nums) != len(w_nums):
        return False
    return all(
        math.isclose(float(a), float(b), rel_tol=1e-6, abs_tol=1e-8)
        for a, b in zip(g_nums, w_nums, strict=True)
    )


@pytest.mark.parametrize("case", list(DATA["cases"]))
def test_gradcheck_complex_matches_pytorch(got: dict, case: str) -> None:
    want = DATA["cases"][case]
    assert _same(got[case], want), (got[case], want)


def test_same_number_check_is_strict() -> None:
    """The comparison above refuses a different part, index or number."""
    want = DATA["cases"]["Function z*z wrong fast=False raise=True"]
    assert _same(want, want)
    assert not _same(want.replace("imaginary", "real"), want)
    assert not _same(want.replace("input 0", "input 1"), want)
    assert not _same(want.replace("4.0000+2.0000j", "4.0000-2.0000j"), want)
