"""``torch.linspace``/``logspace`` bit for bit against PyTorch 2.13's recorded values
(tests/fixtures/spaced_torch.json, from tests/fixtures/make_spaced_torch.py): PyTorch computes
them in the result dtype, so a float32 grid differs from a rounded float64 one in the last bit.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import jitgrad as torch

ROWS = json.loads((Path(__file__).parent / "fixtures" / "spaced_torch.json").read_text())["rows"]


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r[0]}-{r[1]:.3g}-{r[2]:.3g}-{r[3]}-{r[4]}")
def test_matches_pytorch(row: list) -> None:
    fn, start, end, steps, dt, base, expected = row
    kw = {"dtype": getattr(torch, dt)}
    if fn == "logspace":
        kw["base"] = base
    t = getattr(torch, fn)(start, end, steps, **kw)
    assert t.dtype is getattr(torch, dt) and t.shape == (steps,)
    if t.is_floating_point():
        assert [float(v).hex() for v in t.double().tolist()] == expected
    else:
        assert t.tolist() == expected


def test_float32_middle_point_is_not_zero() -> None:
    # PyTorch 2.13: torch.linspace(-5, 5, 15)[7].item() == -1.1920928955078125e-07
    t = torch.linspace(-5, 5, 15)
    assert t[7].item() == -1.1920928955078125e-07
    assert "e-07" in str(t)
    # float64 misses zero too, by its own ulp (PyTorch 2.13: -1.1102230246251565e-16)
    assert torch.linspace(-5, 5, 15, dtype=torch.float64)[7].item() == -1.1102230246251565e-16


def test_empty_single_and_complex() -> None:
    # PyTorch 2.13: tensor([]), tensor([2.5000]), logspace(0, 1, 1) == tensor([1.])
    assert torch.linspace(3, 4, 0).tolist() == []
    assert torch.linspace(2.5, 7, 1).tolist() == [2.5]
    assert torch.logspace(0, 1, 1).tolist() == [1.0]
    z = torch.logspace(0, 2, 3, dtype=torch.complex64)
    assert z.dtype is torch.complex64 and z.real.tolist() == [1.0, 10.0, 100.0]
