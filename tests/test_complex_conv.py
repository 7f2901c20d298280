"""Complex convolutions against PyTorch 2.13 (tests/fixtures/complex_conv_torch.json, recorded
by make_complex_conv_torch.py): PyTorch computes them as three real convolutions, so the node
is ``AddBackward0`` and the gradients carry the conjugations of its complex rule (the direct
complex kernel's backward did not: 1-3j where PyTorch has 1+3j's conjugate rule)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from complex_conv_cases import CASES, run

import jitgrad

RECORD = json.loads((Path(__file__).parent / "fixtures" / "complex_conv_torch.json").read_text())


def _complex(pairs: list) -> np.ndarray:
    a = np.asarray(pairs, np.float64)
    return a[..., 0] + 1j * a[..., 1]


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("dtype", ["complex128", "complex64"])
def test_complex_convolution_matches_pytorch(name, dtype):
    want = RECORD[name]
    got = run(jitgrad, name, getattr(jitgrad, dtype))
    tol = dict(rtol=1e-10, atol=1e-12) if dtype == "complex128" else dict(rtol=1e-5, atol=1e-5)
    assert got["node"] == want["node"]
    assert got["out"].dtype == getattr(jitgrad, dtype)
    np.testing.assert_allclose(got["out"].detach().numpy(), _complex(want["out"]), **tol)
    for g, w in zip(got["grads"], want["grads"], strict=True):
        assert (g is None) == (w is None)
        if w is not None:
            np.testing.assert_allclose(g.numpy(), _complex(w), **tol)
