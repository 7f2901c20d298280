"""torch.stft / torch.istft against PyTorch's recorded answers (tests/fixtures/stft_torch.json,
written by tests/fixtures/make_stft_torch.py with PyTorch 2.13 CPU from tests/stft_cases.py),
plus the round trip ``istft(stft(x)) == x`` and gradcheck in float64.

Values and gradients are compared to within the dtype's rounding (numpy's pocketfft and
PyTorch's FFT round differently); dtypes, error types and messages exactly.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from complex_cases import encode
from complex_cases import same as _same
from stft_cases import ERRORS, WARNINGS, cases, error_of, warning_of

import jitgrad
from jitgrad import spectral

DATA = json.loads((Path(__file__).resolve().parent / "fixtures" / "stft_torch.json").read_text())
CASES = cases()


@pytest.mark.parametrize("name", sorted(CASES))
def test_case(name: str) -> None:
    want = DATA["cases"][name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = {k: encode(v) for k, v in CASES[name](jitgrad).items()}
    assert sorted(got) == sorted(want)
    for key in want:
        _same(got[key], want[key], f"{name}:{key}")


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_error(name: str) -> None:
    assert error_of(jitgrad, name) == DATA["errors"][name]


@pytest.mark.parametrize("name", sorted(WARNINGS))
def test_warning_once(name: str) -> None:
    spectral._WARNED.clear()
    assert warning_of(jitgrad, WARNINGS[name]) == DATA["warnings"][name]
    assert warning_of(jitgrad, WARNINGS[name]) == []  # TORCH_WARN_ONCE: once a process


@pytest.mark.parametrize(
    "kw",
    [
        {"n_fft": 16},
        {"n_fft": 16, "hop_length": 3, "win_length": 12, "normalized": True},
        {"n_fft": 10, "onesided": False, "center": False, "window": "hamming"},
        {"n_fft": 9, "hop_length": 2, "center": False, "window": "hamming"},
    ],
)
@pytest.mark.parametrize("dtype", [jitgrad.float32, jitgrad.float64])
def test_istft_inverts_stft(kw: dict, dtype) -> None:
    kw = dict(kw)
    maker = jitgrad.hamming_window if kw.pop("window", "hann") == "hamming" else jitgrad.hann_window
    win = maker(kw.get("win_length", kw["n_fft"]), dtype=dtype)
    x = jitgrad.tensor(np.random.default_rng(4).standard_normal((2, 45)), dtype=dtype)
    s = jitgrad.stft(x, window=win, return_complex=True, **kw)
    y = jitgrad.istft(s, window=win, length=None if not kw.get("center", True) else 45, **kw)
    n = y.shape[-1]
    assert y.dtype == dtype and n >= 40
    tol = 1e-5 if dtype == jitgrad.float32 else 1e-12
    np.testing.assert_allclose(y.numpy(), x.numpy()[:, :n], rtol=tol, atol=tol)


def test_warnings_point_at_the_callers_line() -> None:
    spectral._WARNED.clear()
    with pytest.warns(UserWarning) as caught:
        WARNINGS["stft_no_window"](jitgrad)
        WARNINGS["istft_length_longer"](jitgrad)
    assert [Path(w.filename).name for w in caught] == ["stft_cases.py", "stft_cases.py"]


def test_warnings_point_at_the_callers_line_through_a_backend_wrapper() -> None:
    """Once a meta tensor exists every op runs under the meta backend's wrapper (process-wide,
    as in PyTorch's programs that use ``device="meta"``): the wrapper frame must not shift
    where a warning points (it pointed at backends/meta.py)."""
    jitgrad.empty(2, device="meta")
    test_warnings_point_at_the_callers_line()


def test_tensor_methods_match_functions() -> None:
    x = jitgrad.tensor(np.random.default_rng(2).standard_normal(30))
    w = jitgrad.hann_window(8, dtype=x.dtype)
    s = x.stft(8, hop_length=2, window=w, return_complex=True)
    assert jitgrad.equal(s, jitgrad.stft(x, 8, 2, window=w, return_complex=True))
    assert jitgrad.allclose(s.istft(8, 2, window=w, length=30), x)


def _f64(shape, seed):
    return jitgrad.tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


def test_gradcheck_stft() -> None:
    x, w = _f64((2, 21), 0), _f64(6, 1)
    checks = (
        lambda x, w: jitgrad.stft(x, 8, 3, 6, window=w, return_complex=True),
        lambda x, w: jitgrad.stft(
            x, 6, window=w, center=False, onesided=False, normalized=True, return_complex=True
        ),
        lambda x, w: jitgrad.stft(x[0], 6, 2, window=w, pad_mode="constant", return_complex=True),
    )
    for fn in checks:
        assert jitgrad.autograd.gradcheck(fn, (x, w))


def test_gradcheck_istft() -> None:
    rng = np.random.default_rng(3)
    z = jitgrad.tensor(
        rng.standard_normal((2, 5, 7)) + 1j * rng.standard_normal((2, 5, 7)), requires_grad=True
    )
    w = jitgrad.tensor(rng.uniform(0.5, 1.0, 8), requires_grad=True)
    checks = (
        lambda z, w: jitgrad.istft(z, 8, 2, window=w),
        lambda z, w: jitgrad.istft(z, 8, 3, window=w, center=False, normalized=True, length=20),
        lambda z, w: jitgrad.istft(
            jitgrad.cat([z, z[:, 1:4].flip(1).conj()], 1), 8, 2, window=w, return_complex=True
        ),
    )
    for fn in checks:
        assert jitgrad.autograd.gradcheck(fn, (z, w))
