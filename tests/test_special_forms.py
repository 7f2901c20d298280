"""The integer ops and special in-place forms generated from their declarations (issue 14,
session 11): every row of tests/special_form_cases.py against PyTorch 2.13's answers
(tests/fixtures/make_special_forms_torch.py): values, dtype, node name, gradient, or the
error's type and message; bit for bit except the special functions' libm rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from special_form_cases import ROWS
from wrapped_op_cases import check_row, row_params

import jitgrad

TORCH = json.loads((Path(__file__).parent / "fixtures" / "special_forms_torch.json").read_text())
RECORDED = TORCH["rows"]

#: rows computed by series or libm calls that need not round as PyTorch's do
APPROXIMATE = ("lgamma_", "digamma_", "erfinv_", "i0_", "sinc_", "xlogy_", "hypot_", "atan2_")
APPROXIMATE += ("arctan2_", "mvlgamma_", "ldexpfrac_", "igamma")


#: Where jitgrad differs from PyTorch (row name -> why), strict xfail so a fix shows up here;
#: empty since sinc_ float32, hypot_'s integer refusal and the Tensor-only other of
#: hypot_/atan2_/arctan2_ follow PyTorch (session 11).
KNOWN: dict[str, str] = {}
PARAMS = row_params(ROWS, KNOWN)


@pytest.mark.parametrize("name, fn", PARAMS)
def test_row_matches_pytorch(name: str, fn) -> None:
    check_row(jitgrad, fn, RECORDED[name], name.startswith(APPROXIMATE))


def test_every_row_was_recorded() -> None:
    assert set(RECORDED) == {name for name, _ in ROWS}
    assert TORCH["torch"].startswith("2.13")


def test_a_four_operand_op_in_a_deferred_chain() -> None:
    # nan_to_num reads a fourth operand (d, -inf's replacement); at 2**17 elements it is
    # deferred and fused with the ops around it (frontend/lazy.py), forward and backward
    import numpy as np

    v = np.random.default_rng(0).standard_normal(1 << 17).astype(np.float32)
    v[::7], v[::11], v[::13] = np.nan, np.inf, -np.inf
    x = jitgrad.tensor(v, requires_grad=True)
    y = (x * 2).nan_to_num(posinf=5.0, neginf=-7.0) * 3
    want = np.nan_to_num(v * 2, nan=0.0, posinf=5.0, neginf=-7.0) * 3
    assert np.array_equal(y.detach().numpy(), want)
    y.sum().backward()
    assert np.array_equal(x.grad.numpy(), np.where(np.isfinite(v), 6.0, 0.0).astype(np.float32))
