"""Full reductions run ``sum_flat``/``mean_flat`` (kernels/cpu/reduce_flat.py) instead of
``sum_fwd``/``mean_fwd``, so a first ``x.sum()`` compiles less; the results must be the
general kernels' bit for bit, at every length the pairwise tree treats differently."""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad
from jitgrad.kernels.cpu.reduce_flat import mean_flat, sum_flat
from jitgrad.kernels.cpu.reduce_sum import mean_fwd, sum_fwd

LENGTHS = [0, 1, 7, 1023, 1024, 1025, 4096 + 3, 70_001]


@pytest.mark.parametrize("n", LENGTHS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32])
def test_flat_kernels_equal_the_general_ones_bitwise(n, dtype):
    rng = np.random.default_rng(n)
    x = (rng.standard_normal(n) * 100).astype(dtype).reshape(1, n, 1)
    out_dtype = np.int64 if dtype == np.int32 else dtype
    for flat, general in [(sum_flat, sum_fwd), (mean_flat, mean_fwd)]:
        if general is mean_fwd and dtype == np.int32:
            continue  # mean of integers is refused before any kernel
        a, b = np.full((1, 1), 7, out_dtype), np.full((1, 1), 7, out_dtype)
        flat(x, a)
        general(x, b)
        assert a.tobytes() == b.tobytes(), (flat, n, a, b)


def test_nan_and_inf_propagate_as_in_the_general_kernel():
    x = np.array([1.0, np.inf, 2.0, np.nan, -np.inf], np.float32).reshape(1, 5, 1)
    for flat, general in [(sum_flat, sum_fwd), (mean_flat, mean_fwd)]:
        a, b = np.empty((1, 1), np.float32), np.empty((1, 1), np.float32)
        flat(x, a)
        general(x, b)
        assert np.isnan(a[0, 0]) and a.tobytes() == b.tobytes()


def test_tensor_sum_and_mean_run_them():
    x = np.linspace(-3, 5, 3000, dtype=np.float64).reshape(3, 1000)
    t = jitgrad.tensor(x)
    want_sum, want_mean = np.empty((1, 1)), np.empty((1, 1))
    sum_fwd(x.reshape(1, 3000, 1), want_sum)
    mean_fwd(x.reshape(1, 3000, 1), want_mean)
    assert t.sum().item() == want_sum[0, 0] and t.mean().item() == want_mean[0, 0]
    assert any(sig[0].dtype.name == "float64" for sig in sum_flat.signatures)
    assert any(sig[0].dtype.name == "float64" for sig in mean_flat.signatures)
    assert jitgrad.tensor([]).sum().item() == 0.0
    assert np.isnan(jitgrad.tensor([]).mean().item())
