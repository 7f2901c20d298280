"""``add``/``sub`` with ``alpha=``, ``addcmul``, ``addcdiv`` and ``lerp`` round as PyTorch
2.13's CPU kernels (fixtures/fma_rounding_torch.json, fixtures/make_fma_rounding_torch.py):
one fused multiply-add where PyTorch fuses, bit for bit over many float32 and float64 inputs.
(tests/test_tier0.py holds the tier-0 interpreter to the compiled kernels for these ops.)"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import jitgrad as torch
from tests.fixtures.make_fma_rounding_torch import EXPRS, inputs

DATA = json.loads((Path(__file__).parent / "fixtures" / "fma_rounding_torch.json").read_text())


def _expected(hexes: list, dtype: str) -> np.ndarray:
    view = np.uint32 if dtype == "float32" else np.uint64
    return np.array([int(h, 16) for h in hexes], view).view(dtype)


@pytest.mark.parametrize("case", DATA["cases"], ids=lambda c: f"{c['dtype']}-n{c['n']}")
def test_rounds_as_pytorch(case: dict) -> None:
    assert DATA["exprs"] == EXPRS  # the recorder's expressions, evaluated here on jitgrad
    env = {"torch": torch}
    operands = (torch.tensor(x) for x in inputs(case["n"], case["dtype"]))
    env.update(zip("ABCW", operands, strict=True))
    for expr, rec in zip(EXPRS, case["out"], strict=True):
        got = eval(expr, env).numpy()  # noqa: S307 - the recorder's own expressions
        np.testing.assert_array_equal(got, _expected(rec, case["dtype"]), err_msg=expr, strict=True)
