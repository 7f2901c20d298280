"""Dropout and rrelu on the device: the keep mask and the slopes drawn by Philox kernels (no
host round trip), reproducible under ``manual_seed``, with the ops' values, scaling,
distribution and gradients."""

from __future__ import annotations

import collections

import numpy as np
import pytest
from numba import cuda

import jitgrad as torch
from jitgrad.backends.cuda import runtime
from jitgrad.kernels.cuda import random as KR


@pytest.fixture
def transfers(monkeypatch):
    """Counts of device-to-host and host-to-device copies."""
    counts = collections.Counter()
    array = runtime.DEVICE_ARRAY_TYPES[0]
    for kind, name in (("D2H", "copy_to_host"), ("H2D", "copy_to_device")):
        original = getattr(array, name)

        def counted(*args, _kind=kind, _original=original, **kwargs):
            counts[_kind] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(array, name, counted)
    return counts


@cuda.jit
def _philox_kernel(ctr, key, out):
    r = KR.philox(ctr[0], ctr[1], ctr[2], ctr[3], key[0], key[1])
    for j in range(4):
        out[j] = r[j]


@pytest.mark.parametrize(
    "ctr,key,expected",
    [  # Random123's known-answer vectors for philox4x32_10 (kat_vectors)
        ([0, 0, 0, 0], [0, 0], [0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8]),
        ([0xFFFFFFFF] * 4, [0xFFFFFFFF] * 2, [0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD]),
        (
            [0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344],
            [0xA4093822, 0x299F31D0],
            [0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1],
        ),
    ],
)
def test_philox_matches_the_reference_vectors(ctr, key, expected):
    out = cuda.device_array(4, np.uint64)
    _philox_kernel[1, 1](
        cuda.to_device(np.array(ctr, np.uint64)), cuda.to_device(np.array(key, np.uint64)), out
    )
    assert out.copy_to_host().tolist() == expected


def test_dropout_draws_its_mask_on_the_device(transfers):
    x = torch.ones(64, 64, device="cuda", requires_grad=True)
    transfers.clear()
    y = torch.nn.functional.dropout(x, p=0.25)
    (y * 2).sum().backward()
    assert transfers["H2D"] == 0 and transfers["D2H"] == 0
    assert y.grad_fn.name() == "MulBackward0" and y.is_cuda
    out = y.detach().cpu().numpy()
    kept = out != 0
    assert set(np.unique(out).tolist()) == {0.0, np.float32(1 / 0.75)}
    assert abs(kept.mean() - 0.75) < 0.04  # 4096 draws: five standard deviations
    np.testing.assert_allclose(x.grad.cpu().numpy(), 2 * out, rtol=1e-6)


def test_manual_seed_makes_the_masks_reproducible():
    x = torch.ones(300, device="cuda")

    def masks():
        f = torch.nn.functional.dropout
        return [f(x, 0.5).cpu().numpy() for _ in range(2)]

    torch.manual_seed(3)
    first = masks()
    torch.cuda.manual_seed(3)
    again = masks()
    torch.manual_seed(4)
    other = masks()
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[1], again[1])
    assert (first[0] != first[1]).any()  # successive draws differ
    assert (first[0] != other[0]).any()  # so do seeds
    torch.manual_seed(3)
    torch.rand(5)  # host draws leave the device stream alone
    np.testing.assert_array_equal(masks()[0], first[0])


def test_dropout_edge_cases_and_errors():
    x = torch.arange(1.0, 7.0, device="cuda")
    f = torch.nn.functional.dropout
    assert f(x, 0.0) is x and f(x, 0.5, training=False) is x
    assert f(x, 1.0).cpu().tolist() == [0.0] * 6
    assert torch.dropout(x, 1.0, True).cpu().tolist() == [0.0] * 6
    with pytest.raises(ValueError, match="has to be between 0 and 1, but got 1.5"):
        f(x, 1.5)
    y = x.clone()
    f(y, 1.0, inplace=True)
    assert y.cpu().tolist() == [0.0] * 6 and x.cpu().tolist() == [1, 2, 3, 4, 5, 6]


def test_dropout_module_on_the_device_and_in_a_fused_chain():
    torch.manual_seed(0)
    layer = torch.nn.Dropout(0.5).cuda()
    x = torch.randn(8, 16, device="cuda")
    y = (layer((x * 2).relu()) + 1).cpu().numpy()
    h = np.maximum(x.cpu().numpy() * 2, 0)
    assert np.all((y == 1) | np.isclose(y, 2 * h + 1, rtol=1e-6))
    layer.eval()
    np.testing.assert_allclose((layer(x) + 0).cpu().numpy(), x.cpu().numpy())


def _slopes(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return y[x < 0] / x[x < 0]


def test_rrelu_draws_its_slopes_on_the_device(transfers):
    """``F.rrelu(training=True)``: slopes uniform on [lower, upper] (mean, variance and a
    Kolmogorov-Smirnov distance within their 1% bounds for 4096 draws), drawn on the device;
    the gradient is the drawn slope where x < 0 and 1 elsewhere, under the CPU's node."""
    torch.manual_seed(0)  # (the bounds hold for 99% of seeds: this one is fixed)
    x0 = np.where(np.arange(8192) % 2, -1.5, 2.0).astype(np.float32).reshape(64, 128)
    x = torch.tensor(x0, device="cuda", requires_grad=True)
    transfers.clear()
    y = torch.nn.functional.rrelu(x, 0.1, 0.3, training=True)
    (y * 2).sum().backward()
    assert transfers["H2D"] == 0 and transfers["D2H"] == 0
    cpu = torch.nn.functional.rrelu(torch.tensor(x0, requires_grad=True), training=True)
    assert y.grad_fn.name() == cpu.grad_fn.name() == "RreluWithNoiseBackward0"
    out, grad = y.detach().cpu().numpy(), x.grad.cpu().numpy()
    np.testing.assert_array_equal(out[x0 > 0], x0[x0 > 0])
    s = np.sort(_slopes(x0, out).astype(np.float64))
    assert s.size == 4096 and 0.1 <= s[0] and s[-1] <= 0.3
    sd = 0.2 / 12**0.5
    assert abs(s.mean() - 0.2) < 2.6 * sd / 64  # 64 = sqrt(4096)
    assert abs(s.var() / sd**2 - 1) < 0.06  # (var of a sample variance: 0.8 sd**4 / n)
    cdf = (s - 0.1) / 0.2
    ks = max(np.max(np.arange(1, 4097) / 4096 - cdf), np.max(cdf - np.arange(4096) / 4096))
    assert ks < 1.63 / 64
    np.testing.assert_array_equal(grad[x0 > 0], 2.0)
    np.testing.assert_allclose(grad[x0 < 0], 2 * _slopes(x0, out), rtol=1e-6)


def test_rrelu_slopes_are_reproducible_and_fill_the_mantissa(no_fallback):
    x = -torch.ones(300, device="cuda", dtype=torch.float64)

    def draws():
        return [-torch.nn.functional.rrelu(x, training=True).cpu().numpy() for _ in range(2)]

    torch.manual_seed(5)
    first = draws()
    torch.manual_seed(5)
    np.testing.assert_array_equal(draws()[0], first[0])
    assert (first[0] != first[1]).all()  # successive draws differ
    # float64 slopes on a 2**-53 grid, not float32 values widened
    assert (first[0] != first[0].astype(np.float32)).mean() > 0.99
    assert 1 / 8 <= first[0].min() and first[0].max() <= 1 / 3


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32"])
def test_rrelu_in_place_module_and_eval(no_fallback, dtype):
    dt = getattr(torch, dtype)
    x = torch.tensor([-1.0, 2.0, -3.0, 0.5], device="cuda", dtype=dt)
    y = x.clone()
    assert torch.nn.functional.rrelu(y, training=True, inplace=True) is y
    got = y.float().cpu().numpy()
    assert got[1] == 2.0 and got[3] == 0.5
    slope = got[[0, 2]] / np.array([-1.0, -3.0])
    assert ((1 / 8 - 1e-2 <= slope) & (slope <= 1 / 3 + 1e-2)).all()
    layer = torch.nn.RReLU().cuda()
    assert layer(x).dtype == dt
    layer.eval()
    want = torch.nn.RReLU().eval()(x.cpu())
    np.testing.assert_array_equal(layer(x).float().cpu().numpy(), want.float().numpy())
