"""``arange`` with float steps and the legacy typed constructors against recorded PyTorch
2.13 answers (tests/fixtures/creation_legacy_torch.json, made by
tests/fixtures/make_creation_legacy_torch.py from tests/creation_legacy_cases.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from creation_legacy_cases import ARANGE, ARANGE_LONG, run

import jitgrad

DATA = json.loads((Path(__file__).parent / "fixtures" / "creation_legacy_torch.json").read_text())
GOT = run(jitgrad)


@pytest.mark.parametrize("i", range(len(ARANGE)), ids=[str(c) for c in ARANGE])
def test_arange_values_dtype_and_errors_as_pytorch(i: int) -> None:
    assert GOT["arange"][i] == DATA["arange"][i]


@pytest.mark.parametrize("i", range(len(ARANGE_LONG)), ids=[str(c) for c in ARANGE_LONG])
def test_long_float_ranges_bit_for_bit(i: int) -> None:
    # PyTorch's vectorised kernel rounds each vector's base first: not start + i * step
    assert GOT["arange_long"][i] == DATA["arange_long"][i]


@pytest.mark.parametrize("name", [k for k in DATA["legacy"] if k != "checks"])
def test_legacy_constructor_as_pytorch(name: str) -> None:
    assert GOT["legacy"][name] == DATA["legacy"][name]


def test_legacy_types_isinstance_and_names() -> None:
    assert GOT["legacy"]["checks"] == DATA["legacy"]["checks"]


def test_default_dtype_float64_arange() -> None:
    old = jitgrad.get_default_dtype()
    jitgrad.set_default_dtype(jitgrad.float64)
    try:
        t = jitgrad.arange(0, 1, 0.1)
        assert t.dtype is jitgrad.float64
        assert t.tolist() == DATA["arange"][2]["values"]  # arange(0, 1, 0.1, dtype=float64)
        assert jitgrad.arange(5).dtype is jitgrad.int64
    finally:
        jitgrad.set_default_dtype(old)


def test_alias_of_a_tensor_that_requires_grad() -> None:
    x = jitgrad.tensor([1.0, 2.0], requires_grad=True)
    y = jitgrad.FloatTensor(x)
    assert y is not x and y.requires_grad
    assert type(y.grad_fn).__name__ == "AliasBackward0"
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]
