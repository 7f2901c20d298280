"""The ops with their own argument handling (div's rounding_mode, fmod/remainder's integer
zero divisor, the bitwise dtype rules, polygamma, nan_to_num, logit's eps), now generated from
their declarations: every row of tests/wrapped_op_cases.py against PyTorch 2.13's answers
(tests/fixtures/make_wrapped_ops_torch.py): values, dtype, node name, gradient, or the error
type and message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from wrapped_op_cases import ROWS, check_row, row_params

import jitgrad

TORCH = json.loads((Path(__file__).parent / "fixtures" / "wrapped_ops_torch.json").read_text())
RECORDED = TORCH["rows"]

#: Rows whose values come from series or libm calls that need not round as PyTorch's do
#: (relative tolerance by dtype); every other row must match bit for bit.
APPROXIMATE = ("polygamma", "logit")


#: Where jitgrad differs from PyTorch (row name -> why), strict xfail so a fix shows up
#: here. Empty since issue 13 fixed the six differences the table first found.
KNOWN: dict[str, str] = {}
PARAMS = row_params(ROWS, KNOWN)


@pytest.mark.parametrize("name, fn", PARAMS)
def test_row_matches_pytorch(name: str, fn) -> None:
    check_row(jitgrad, fn, RECORDED[name], name.startswith(APPROXIMATE))


def test_every_row_was_recorded() -> None:
    assert set(RECORDED) == {name for name, _ in ROWS}
    assert TORCH["torch"].startswith("2.13")
