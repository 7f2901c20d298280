"""``x ** 3``'s gradient is PyTorch's bit for bit: ``grad * (3 * (x * x))``, each product rounded
(PyTorch's pow_backward, ``grad * (3 * x.pow(2))``), in float32 and float64, on every path that
computes it: eager fused, eager unfused, and a captured step's replay. Recorded by
tests/fixtures/make_cube_grad_torch.py; tier 0 against the compiled kernel is
tests/test_tier0.py's ``cube`` row.

Before Run gelu15 jitgrad declared ``3 * g * a * a`` (``((3 * g) * a) * a``), which differed from
PyTorch in the last bit for about half of random float32 inputs.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import jitgrad

DATA = json.loads((Path(__file__).parent / "fixtures" / "cube_grad_torch.json").read_text())
BITS = {"float32": np.uint32, "float64": np.uint64}
FORMS = {"pow": lambda t: t**3, "torch.pow": lambda t: jitgrad.pow(t, 3)}


def _array(bits: list[int], dtype: str) -> np.ndarray:
    return np.array(bits, BITS[dtype]).view(dtype)


def _same_bits(got: np.ndarray, want: np.ndarray) -> bool:
    """Equal bytes, any NaN counting as the one NaN (which operand's NaN propagates is not
    something PyTorch specifies)."""
    got, want = np.array(got), np.array(want)
    nan = np.isnan(got) & np.isnan(want)
    got[nan] = want[nan] = 0
    return got.dtype == want.dtype and got.tobytes() == want.tobytes()


def _grad(dtype: str, form: str) -> np.ndarray:
    case = DATA[dtype]
    x = jitgrad.tensor(_array(case["x"], dtype), requires_grad=True)
    w = jitgrad.tensor(_array(case["w"], dtype))
    (FORMS[form](x) * w).sum().backward()
    assert x.grad is not None and x.grad.dtype is getattr(jitgrad, dtype)
    return x.grad.numpy()


@pytest.mark.parametrize("fuse", [True, False], ids=["fused", "unfused"])
@pytest.mark.parametrize("form", list(FORMS))
@pytest.mark.parametrize("dtype", list(BITS))
def test_cube_gradient_is_pytorchs_bitwise(dtype: str, form: str, fuse: bool) -> None:
    with jitgrad.fusion(fuse):
        got = _grad(dtype, form)
    want = _array(DATA[dtype][form], dtype)
    assert _same_bits(got, want), np.flatnonzero(got != want)[:8]


@pytest.mark.parametrize("dtype", list(BITS))
def test_a_captured_cube_gradient_is_pytorchs_bitwise(dtype: str) -> None:
    case = DATA[dtype]
    x = jitgrad.tensor(_array(case["x"], dtype), requires_grad=True)
    w = jitgrad.tensor(_array(case["w"], dtype))

    def step() -> None:
        (x**3 * w).sum().backward()

    compiled = jitgrad.compile(step)
    for _ in range(3):  # trace, then replays
        x.grad = None
        compiled()
        assert _same_bits(x.grad.numpy(), _array(case["pow"], dtype))
    assert sum(len(e) for e in compiled._capture.entries.values() if type(e) is list) == 1
