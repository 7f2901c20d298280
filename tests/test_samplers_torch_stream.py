"""jitgrad's samplers and torch.distributions samples against PyTorch 2.13's recorded values
(fixtures/samplers_torch.json, written by fixtures/make_samplers_torch.py): a seeded
``exponential_``, ``multinomial``, ``_standard_gamma``, ``binomial``... or a distribution's
``sample``/``rsample`` prints PyTorch's numbers. The recorder's expressions are evaluated here
with ``torch`` bound to jitgrad, bit for bit except the cases marked ``ulp`` (float32 normals
of >= 16 elements, Cholesky and matrix products, float32 exp/log), compared within that many
units in the last place of the case's largest value."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import jitgrad as torch

DATA = json.loads((Path(__file__).parent / "fixtures" / "samplers_torch.json").read_text())


def _expected(rec: dict) -> np.ndarray:
    if rec["dtype"] == "float32":
        return np.array([int(h, 16) for h in rec["bits"]], np.uint32).view(np.float32)
    if rec["dtype"] == "float64":
        return np.array([int(h, 16) for h in rec["bits"]], np.uint64).view(np.float64)
    return np.array(rec["bits"], dtype=rec["dtype"])


def _ids() -> list[str]:
    return [f"seed{c['seed']}-{c['exprs'][0][:90]}" for c in DATA["cases"]]


@pytest.mark.parametrize("case", DATA["cases"], ids=_ids())
def test_matches_pytorch(case: dict) -> None:
    torch.manual_seed(case["seed"])
    for expr, rec in zip(case["exprs"], case["out"], strict=True):
        got = eval(expr, {"torch": torch})  # noqa: S307 - the recorder's own expressions
        assert str(got.dtype).split(".")[1] == rec["dtype"], expr
        assert list(got.shape) == rec["shape"], expr
        a, b = np.ascontiguousarray(got.detach().numpy()).reshape(-1), _expected(rec)
        if case["ulp"] and a.dtype.kind == "f":  # ulp of the largest value (see the recorder)
            bound = case["ulp"] * np.spacing(np.abs(b).max())
            assert np.abs(a - b).max() <= bound, (expr, a, b)
        else:
            np.testing.assert_array_equal(a.view(a.dtype), b, err_msg=expr, strict=True)
