"""The 3-d adaptive average pool (and ``F.interpolate(mode="area")`` on 5-d input) on the CPU
against PyTorch 2.13 (tests/fixtures/area3d_torch.json, make_area3d_torch.py): each output
reads only its window, so a NaN or an inf in the input reaches only the outputs whose windows
hold it. The dense averaging matrices this replaced multiplied every input of a row (``0 *
nan``), spreading a NaN over the whole row (12 of 12 outputs where PyTorch has 1), and
disagreed with the CUDA backend's window sums."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import jitgrad as torch

F = torch.nn.functional
TORCH = json.loads((Path(__file__).parent / "fixtures" / "area3d_torch.json").read_text())
CASES = {
    "pool (3, 2, 4)": ((2, 1, 4, 5, 6), lambda x: F.adaptive_avg_pool3d(x, (3, 2, 4))),
    "pool (2, 3, 5)": ((1, 2, 5, 4, 7), lambda x: F.adaptive_avg_pool3d(x, (2, 3, 5))),
    "area size": ((2, 1, 4, 4, 6), lambda x: F.interpolate(x, size=(2, 2, 3), mode="area")),
}


def make_input(shape: tuple) -> np.ndarray:
    x = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape) / np.float32(7)
    x[(0,) * len(shape)] = np.nan
    x[(-1,) * len(shape)] = np.inf
    return x


@pytest.mark.parametrize("name", sorted(CASES))
def test_adaptive_avg_pool3d_reads_only_its_windows(name):
    shape, call = CASES[name]
    x = torch.tensor(make_input(shape), requires_grad=True)
    y = call(x)
    w = torch.tensor(np.linspace(0.5, 1.5, y.numel(), dtype=np.float32).reshape(tuple(y.shape)))
    (y * w).sum().backward()
    want = TORCH[name]
    assert y.grad_fn.name() == want["node"]
    got = y.detach().numpy()
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want["out"]))
    np.testing.assert_allclose(got, np.array(want["out"], np.float32), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), np.array(want["grad"]), rtol=1e-6, atol=1e-7)
