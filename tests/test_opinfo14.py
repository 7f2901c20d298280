"""jitgrad against PyTorch 2.13 on a slice of PyTorch's own OpInfo sample inputs
(tests/opinfo14_cases.py; answers recorded by fixtures/make_opinfo14_torch.py into
fixtures/opinfo14_torch.json): for every sample, in float64 and float32, each output's shape,
dtype, values and ``grad_fn`` name, and the gradients of a fixed weighted sum of the outputs."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

import jitgrad as torch
from tests.opinfo14_cases import SAMPLES, run

DATA = json.loads((Path(__file__).parent / "fixtures" / "opinfo14_torch.json").read_text())
TOL = {"float64": (1e-10, 1e-12), "float32": (2e-5, 2e-5)}
#: logcumsumexp with t[0] = 10000 in float32: the outputs are 10000 give or take half an ulp
#: (~5e-4), and the gradient is exp(x - out) of them, so PyTorch's and any other correct
#: float32 gradient differ by up to ~1e-3 absolute (float64 rows keep the tight tolerance; the
#: float32 row still checks that nothing overflows to inf/nan)
LOOSE = {("logcumsumexp-big-0", "float32"): 5e-3, ("logcumsumexp-big-1", "float32"): 5e-3}


def _close(got: object, want: object, dtype: str, what: str, loose: float = 0.0) -> None:
    rtol, atol = TOL[dtype]
    atol = max(atol, loose)
    g = np.asarray(got, dtype=np.float64)
    w = np.asarray(want, dtype=np.float64)
    assert g.shape == w.shape, (what, g.shape, w.shape)
    scale = max(1.0, float(np.abs(w).max(initial=0)))
    np.testing.assert_allclose(g, w, rtol=rtol, atol=atol * scale, equal_nan=True, err_msg=what)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("sample", SAMPLES, ids=[s[0] for s in SAMPLES])
def test_matches_pytorch_opinfo_sample(sample: tuple, dtype: str) -> None:
    check_sample(DATA["rows"][sample[0]][dtype], sample, dtype, LOOSE)


def check_sample(want: dict, sample: tuple, dtype: str, loose: dict) -> None:
    """jitgrad's run of ``sample`` against PyTorch's recorded ``want`` (tests/test_opinfo15.py
    checks its slice through here too)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTorch's dof <= 0 warning; values are the check
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
            _close(g, w, dtype, f"grad {i}", loose.get((sample[0], dtype), 0.0))
