"""jitgrad against PyTorch 2.13 on a second slice of PyTorch's OpInfo sample inputs
(tests/opinfo15_cases.py: cumprod, prod, logsumexp, diff, roll; answers recorded by
fixtures/make_opinfo15_torch.py into fixtures/opinfo15_torch.json), compared as
tests/test_opinfo14.py compares the first: each output's shape, dtype, values and ``grad_fn``
name, and the gradients of a fixed weighted sum of the outputs, in float64 and float32."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

import jitgrad as torch
from tests.opinfo14_cases import run
from tests.opinfo15_cases import SAMPLES
from tests.test_opinfo14 import _close

DATA = json.loads((Path(__file__).parent / "fixtures" / "opinfo15_torch.json").read_text())


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("sample", SAMPLES, ids=[s[0] for s in SAMPLES])
def test_matches_pytorch_opinfo_sample(sample: tuple, dtype: str) -> None:
    want = DATA["rows"][sample[0]][dtype]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = run(torch, sample, dtype)
    if "error" in want or "error" in got:
        assert got.get("error") == want.get("error")
        return
    assert len(got["outputs"]) == len(want["outputs"])
    for i, (g, w) in enumerate(zip(got["outputs"], want["outputs"], strict=True)):
        assert (g["shape"], g["dtype"], g["grad_fn"]) == (w["shape"], w["dtype"], w["grad_fn"]), i
        _close(g["values"], w["values"], dtype, f"output {i}")
    assert ("grads" in got) == ("grads" in want)
    for i, (g, w) in enumerate(zip(got.get("grads", []), want.get("grads", []), strict=True)):
        assert (g is None) == (w is None), i
        if w is not None:
            _close(g, w, dtype, f"grad {i}")
