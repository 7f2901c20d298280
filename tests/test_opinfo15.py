"""jitgrad against PyTorch 2.13 on a second slice of PyTorch's OpInfo sample inputs
(tests/opinfo15_cases.py: cumprod, prod, logsumexp, diff, roll; answers recorded by
fixtures/make_opinfo15_torch.py into fixtures/opinfo15_torch.json), compared as
tests/test_opinfo14.py compares the first: each output's shape, dtype, values and ``grad_fn``
name, and the gradients of a fixed weighted sum of the outputs, in float64 and float32."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.opinfo15_cases import SAMPLES
from tests.test_opinfo14 import check_sample

DATA = json.loads((Path(__file__).parent / "fixtures" / "opinfo15_torch.json").read_text())


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("sample", SAMPLES, ids=[s[0] for s in SAMPLES])
def test_matches_pytorch_opinfo_sample(sample: tuple, dtype: str) -> None:
    check_sample(DATA["rows"][sample[0]][dtype], sample, dtype, {})
