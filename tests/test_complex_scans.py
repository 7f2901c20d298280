"""Complex cumprod/cumsum/cummax/cummin and prod, values and gradients (PyTorch's conjugate
Wirtinger convention), against tests/fixtures/complex_scans_torch.json (written by
tests/fixtures/make_complex_scans_torch.py with real PyTorch)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from complex_scan_cases import CASES, V1, V2, run

import jitgrad

DATA = json.loads(
    (Path(__file__).resolve().parent / "fixtures" / "complex_scans_torch.json").read_text()
)["cases"]


def _close(got: object, want: object) -> None:
    if isinstance(want, dict):
        assert set(got) == set(want)
        for key in want:
            _close(got[key], want[key])
    elif isinstance(want, list) and want and isinstance(want[0], str):
        assert got == want  # an error: [type, message]
    elif isinstance(want, str):
        assert got == want
    else:
        np.testing.assert_allclose(np.asarray(got, float), np.asarray(want, float), atol=1e-5)


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_pytorch(name: str) -> None:
    _close(run(jitgrad, name), DATA[name])


def test_cumprod_complex_is_not_cast_to_int() -> None:
    out = jitgrad.cumprod(jitgrad.tensor([1 + 1j, 2 - 1j]), 0)
    assert out.dtype == jitgrad.complex64
    assert out.tolist() == [1 + 1j, 3 + 1j]


@pytest.mark.parametrize(
    "fn",
    [lambda x: x.cumprod(0), lambda x: x.cumprod(1), lambda x: x.prod(1), lambda x: x.prod()],
    ids=["cumprod0", "cumprod1", "prod1", "prod"],
)
def test_gradcheck_complex_with_zeros(fn: object) -> None:
    x = jitgrad.tensor(V2, dtype=jitgrad.complex128, requires_grad=True)
    assert jitgrad.autograd.gradcheck(fn, (x,))
    assert jitgrad.autograd.gradgradcheck(fn, (x,))


def test_gradcheck_complex_cumprod_1d_nonzero() -> None:
    x = jitgrad.tensor([v + 0.5 for v in V1], dtype=jitgrad.complex128, requires_grad=True)
    assert jitgrad.autograd.gradcheck(lambda t: t.cumprod(0), (x,))
    assert jitgrad.autograd.gradgradcheck(lambda t: t.prod(0), (x,))


def test_gradgradcheck_real_cumprod_with_zeros() -> None:
    """The first-zero form's constant 0 after a zero had no derivative in that zero: float64
    too (PyTorch's gradgradcheck passes on this input)."""
    x = jitgrad.tensor(
        [[2.0, 0.0, 1.0], [-1.5, 3.0, 0.0], [0.0, 2.5, 0.0]],
        dtype=jitgrad.float64,
        requires_grad=True,
    )
    for d in (0, 1):
        assert jitgrad.autograd.gradgradcheck(lambda t, d=d: t.cumprod(d), (x,))
