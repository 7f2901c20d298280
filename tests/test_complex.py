"""Complex tensors and torch.fft against PyTorch's recorded answers
(tests/fixtures/complex_torch.json, written by tests/fixtures/make_complex_torch.py with
PyTorch 2.13 CPU from the programs in tests/complex_cases.py).

Values are compared to within the dtype's rounding (numpy's pocketfft and PyTorch's FFT, or
numpy's complex ufuncs and PyTorch's, round differently); dtypes, node names, reprs and
error messages exactly.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from complex_cases import ERRORS, cases, encode, error_of

import jitgrad

DATA = json.loads((Path(__file__).resolve().parent / "fixtures" / "complex_torch.json").read_text())
CASES = cases()
TOL = {"complex64": 2e-5, "float32": 2e-5, "complex128": 1e-11, "float64": 1e-11, "int64": 0}


def _array(entry: dict) -> np.ndarray:
    re = np.array(entry["re"], dtype=np.float64).reshape(entry["shape"])
    if "im" not in entry:
        return re
    return re + 1j * np.array(entry["im"], dtype=np.float64).reshape(entry["shape"])


def _same(got, want, where: str) -> None:
    if isinstance(want, dict):
        assert isinstance(got, dict), f"{where}: got {got!r}"
        assert got["dtype"] == want["dtype"], where
        assert got["shape"] == want["shape"], where
        a, b = _array(got), _array(want)
        tol = TOL.get(want["dtype"], 0)
        scale = max(1.0, float(np.nanmax(np.abs(b), initial=0.0)))
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol * scale, err_msg=where)
    elif isinstance(want, str):
        assert got == want.replace("torch.", "jitgrad."), where
    else:
        assert got == want, where


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
    want = DATA["errors"][name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = error_of(jitgrad, name)
    if want is None:
        assert got is None
    else:
        assert got == [want[0], want[1].replace("torch.", "jitgrad.")]


def test_real_part_is_a_view_sharing_the_version_counter() -> None:
    z = jitgrad.tensor([1 + 2j, 3 - 4j])
    r = z.real
    r.mul_(2)
    assert z.tolist() == [2 + 2j, 6 - 4j]
    assert z._version == r._version == 1


def test_cast_to_real_warns_and_keeps_the_real_part() -> None:
    z = jitgrad.tensor([1.5 + 2j])
    with pytest.warns(UserWarning, match="discards the imaginary part"):
        assert z.to(jitgrad.float32).tolist() == [1.5]
    assert z.to(jitgrad.complex128).dtype is jitgrad.complex128
    assert jitgrad.ones(2).to(jitgrad.cfloat).tolist() == [1 + 0j, 1 + 0j]
