"""``F.interpolate`` on the CPU reads only its taps: values, NaN/inf positions, node names and
gradients against recorded PyTorch 2.13 answers (tests/fixtures/interp_taps_torch.json, made by
tests/fixtures/make_interp_taps_torch.py from tests/interp_taps_cases.py), float32/float64,
1-3 spatial dims, every mode. A dense weight matrix spread a NaN along its whole row."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from interp_taps_cases import CASES, inputs, run_case

import jitgrad as torch
from jitgrad.nn import upsample as UP

DATA = json.loads((Path(__file__).parent / "fixtures" / "interp_taps_torch.json").read_text())
TOL = {"float32": {"rtol": 2e-6, "atol": 1e-6}, "float64": {"rtol": 1e-13, "atol": 1e-13}}


def _same(got: list, want: list, dt: str) -> None:
    g, w = np.array(got, dtype=np.float64), np.array(want, dtype=np.float64)
    assert g.shape == w.shape
    np.testing.assert_array_equal(np.isnan(g), np.isnan(w))  # NaN exactly where PyTorch's are
    np.testing.assert_array_equal(np.isinf(g) * np.sign(g), np.isinf(w) * np.sign(w))
    np.testing.assert_allclose(g, w, **TOL[dt])


@pytest.mark.parametrize("name", list(CASES))
def test_interpolate_matches_recorded_pytorch(name: str) -> None:
    want, got = DATA["cases"][name], run_case(torch, name)
    dt = CASES[name][2]
    assert got["node"] == want["node"]
    _same(got["out"], want["out"], dt)
    _same(got["grad"], want["grad"], dt)


def test_a_nan_reaches_only_the_outputs_that_read_it() -> None:
    """The issue's example: one NaN at index 2, upsampled x2 (linear and nearest)."""
    x = torch.arange(8.0).reshape(1, 1, 8)
    x[0, 0, 2] = float("nan")
    lin = torch.nn.functional.interpolate(x, scale_factor=2, mode="linear").numpy()[0, 0]
    near = torch.nn.functional.interpolate(x, scale_factor=2, mode="nearest").numpy()[0, 0]
    assert np.flatnonzero(np.isnan(lin)).tolist() == [3, 4, 5, 6]
    assert np.flatnonzero(np.isnan(near)).tolist() == [4, 5]


def test_taps_are_short_and_transpose_back() -> None:
    """At most 1/2/4 taps an output; the backward's rows hold the same (input, output,
    weight) triples, and transposing twice gives the forward's rows back."""
    for mode, k in (("nearest", 1), ("linear", 2), ("bicubic", 4)):
        t = UP._taps(7, 15, None, mode, False, np.dtype(np.float64))
        assert np.all(np.diff(t.ptr) == k) and t.cols.max() < 7
        back = UP.transposed(t)
        assert back.n_out == 7 and back.n_in == 15 and len(back.cols) == len(t.cols)
        again = UP.transposed(back)
        for a, b in zip(again, t, strict=True):
            np.testing.assert_array_equal(a, b)


def test_double_backward_through_the_taps() -> None:
    """The backward is itself a recorded interpolation node: grad of grad works and equals
    the forward applied to the upstream weights (the op is linear)."""
    a, _ = inputs(2, "float64")
    x = torch.tensor(np.nan_to_num(a, nan=0.5, posinf=2.0, neginf=-2.0), requires_grad=True)
    out = torch.nn.functional.interpolate(x, scale_factor=2, mode="bicubic")
    w = torch.tensor(np.linspace(-1, 1, out.numel()).reshape(tuple(out.shape)), requires_grad=True)
    (gx,) = torch.autograd.grad((out * w).sum(), x, create_graph=True)
    assert gx.grad_fn.name() == "UpsampleBicubic2DBackward0"
    (gw,) = torch.autograd.grad((gx * x).sum(), w)
    np.testing.assert_allclose(gw.numpy(), out.detach().numpy(), rtol=1e-12, atol=1e-12)
