"""torch.fft's Hermitian transforms (``hfft``, ``ihfft``, ``hfft2``, ``ihfft2``, ``hfftn``,
``ihfftn``) against PyTorch 2.13's recorded values, node names, gradients and messages
(tests/fixtures/fft_hermitian_torch.json, from tests/fixtures/make_fft_hermitian_torch.py
running tests/fft_hermitian_cases.py), plus gradcheck in float64 and numpy's definitions."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from complex_cases import encode
from complex_cases import same as _same
from fft_hermitian_cases import ERRORS, cases, error_of

import jitgrad
from jitgrad.autograd import gradcheck

DATA = json.loads(
    (Path(__file__).resolve().parent / "fixtures" / "fft_hermitian_torch.json").read_text()
)
CASES = cases()


@pytest.mark.parametrize("name", sorted(CASES))
def test_case_matches_pytorch(name: str) -> None:
    want = DATA["cases"][name]
    got = {k: encode(v) for k, v in CASES[name](jitgrad).items()}
    assert sorted(got) == sorted(want)
    for key in want:
        _same(got[key], want[key], f"{name}:{key}")


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_error_matches_pytorch(name: str) -> None:
    assert error_of(jitgrad, name) == DATA["errors"][name]


@pytest.mark.parametrize("norm", [None, "ortho", "forward"])
def test_numpy_definitions_float64(norm) -> None:
    rng = np.random.default_rng(4)
    z = rng.standard_normal((3, 5)) + 1j * rng.standard_normal((3, 5))
    x = rng.standard_normal((3, 6))
    np.testing.assert_allclose(jitgrad.fft.hfft(jitgrad.tensor(z), n=9, norm=norm).numpy(),
                               np.fft.hfft(z, n=9, norm=norm), rtol=1e-12, atol=1e-12)
    # ihfft returns a conj view, as PyTorch's does: numpy() needs resolve_conj() first
    half = jitgrad.fft.ihfft(jitgrad.tensor(x), norm=norm)
    assert half.is_conj()
    np.testing.assert_allclose(half.resolve_conj().numpy(),
                               np.fft.ihfft(x, norm=norm), rtol=1e-12, atol=1e-12)
    y = jitgrad.fft.ihfftn(jitgrad.tensor(x), norm=norm)
    assert y.dtype is jitgrad.complex128 and tuple(y.shape) == (3, 4)
    back = jitgrad.fft.hfftn(y, s=(3, 6), norm=norm)
    np.testing.assert_allclose(back.numpy(), x, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "fn",
    [
        lambda t: jitgrad.fft.hfft(t, n=7),
        lambda t: jitgrad.fft.hfft2(t, norm="ortho"),
        lambda t: jitgrad.fft.hfftn(t, s=(2, 5), norm="forward"),
    ],
)
def test_gradcheck_hfft_float64(fn) -> None:
    rng = np.random.default_rng(5)
    z = jitgrad.tensor(rng.standard_normal((3, 4)) + 1j * rng.standard_normal((3, 4)),
                       requires_grad=True)
    assert gradcheck(fn, (z,))


@pytest.mark.parametrize(
    "fn",
    [
        lambda t: jitgrad.fft.ihfft(t, n=5).abs(),
        lambda t: jitgrad.fft.ihfft2(t, norm="ortho").real,
        lambda t: jitgrad.fft.ihfftn(t, dim=(0,), norm="forward").imag,
    ],
)
def test_gradcheck_ihfft_float64(fn) -> None:
    x = jitgrad.tensor(np.random.default_rng(6).standard_normal((3, 4)), requires_grad=True)
    assert gradcheck(fn, (x,))
