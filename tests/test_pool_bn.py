"""Pooling and batch norm against float64 numpy references; gradcheck; running statistics."""

from __future__ import annotations

import math

import numpy as np
import pytest

import jitgrad as torch
import jitgrad.nn as nn
import jitgrad.nn.functional as F
from jitgrad.autograd import gradcheck, gradgradcheck


def out_size(size, k, s, p, d, ceil):
    o = (size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil else 0)) // s + 1
    return o - 1 if ceil and (o - 1) * s >= size + p else o


def ref_max_pool2d(x, k, s, p, d=1, ceil=False):
    """Loop reference returning values and flat indices (first maximum wins ties)."""
    n, c, h, w = x.shape
    oh, ow = out_size(h, k, s, p, d, ceil), out_size(w, k, s, p, d, ceil)
    out, idx = np.full((n, c, oh, ow), -np.inf), np.zeros((n, c, oh, ow), np.int64)
    for i in range(n):
        for ch in range(c):
            for y in range(oh):
                for z in range(ow):
                    for a in range(k):
                        for e in range(k):
                            yy, zz = y * s - p + a * d, z * s - p + e * d
                            if 0 <= yy < h and 0 <= zz < w and x[i, ch, yy, zz] > out[i, ch, y, z]:
                                out[i, ch, y, z], idx[i, ch, y, z] = x[i, ch, yy, zz], yy * w + zz
    return out, idx


def ref_avg_pool2d(x, k, s, p, ceil=False, include_pad=True):
    n, c, h, w = x.shape
    oh, ow = out_size(h, k, s, p, 1, ceil), out_size(w, k, s, p, 1, ceil)
    out = np.zeros((n, c, oh, ow))
    for y in range(oh):
        for z in range(ow):
            y0, z0 = y * s - p, z * s - p
            y1, z1 = min(y0 + k, h + p), min(z0 + k, w + p)
            full = (y1 - y0) * (z1 - z0)
            y0, z0, y1, z1 = max(y0, 0), max(z0, 0), min(y1, h), min(z1, w)
            div = full if include_pad else (y1 - y0) * (z1 - z0)
            out[:, :, y, z] = x[:, :, y0:y1, z0:z1].sum((2, 3)) / div
    return out


@pytest.mark.parametrize(
    ("k", "s", "p", "d", "ceil"),
    [(2, 2, 0, 1, False), (3, 2, 1, 1, True), (3, 1, 1, 2, False), (2, 3, 1, 1, True)],
)
def test_max_pool2d_reference_indices_gradcheck(k, s, p, d, ceil) -> None:
    x = np.random.default_rng(0).standard_normal((2, 3, 7, 8))
    got, idx = F.max_pool2d(torch.tensor(x), k, s, p, d, ceil, return_indices=True)
    want, want_idx = ref_max_pool2d(x, k, s, p, d, ceil)
    np.testing.assert_array_equal(got.numpy(), want)
    np.testing.assert_array_equal(idx.numpy(), want_idx)
    assert idx.dtype == torch.int64
    xt = torch.tensor(x, requires_grad=True)
    assert gradcheck(lambda a: F.max_pool2d(a, k, s, p, d, ceil), (xt,))
    assert gradgradcheck(lambda a: F.max_pool2d(a, k, s, p, d, ceil), (xt,))


def test_max_pool_ties_first_wins_and_gradient_goes_there() -> None:
    x = torch.tensor([[[[1.0, 5.0, 5.0, 0.0], [5.0, 2.0, 0.0, 5.0]]]], requires_grad=True)
    out, idx = F.max_pool2d(x, 2, return_indices=True)
    assert idx.tolist() == [[[[1, 2]]]]
    out.sum().backward()
    assert x.grad.tolist() == [[[[0.0, 1.0, 1.0, 0.0], [0.0, 0.0, 0.0, 0.0]]]]
    overlapping = torch.tensor([[[[0.0, 9.0, 0.0]]]], requires_grad=True)
    F.max_pool2d(overlapping, (1, 2), 1).sum().backward()  # the 9 is the max of two windows
    assert overlapping.grad.tolist() == [[[[0.0, 2.0, 0.0]]]]


@pytest.mark.parametrize(
    ("k", "s", "p", "ceil", "inc"),
    [(2, 2, 0, False, True), (3, 2, 1, True, True), (3, 2, 1, True, False), (2, 3, 1, True, False)],
)
def test_avg_pool2d_reference_and_gradcheck(k, s, p, ceil, inc) -> None:
    x = np.random.default_rng(1).standard_normal((2, 2, 7, 8))
    got = F.avg_pool2d(torch.tensor(x), k, s, p, ceil, inc)
    np.testing.assert_allclose(got.numpy(), ref_avg_pool2d(x, k, s, p, ceil, inc), atol=1e-12)
    xt = torch.tensor(x, requires_grad=True)
    assert gradcheck(lambda a: F.avg_pool2d(a, k, s, p, ceil, inc), (xt,))
    assert gradgradcheck(lambda a: F.avg_pool2d(a, k, s, p, ceil, inc), (xt,))


def test_avg_pool_divisor_override_and_float32() -> None:
    x = np.random.default_rng(2).standard_normal((1, 2, 4, 4))
    got = F.avg_pool2d(torch.tensor(x), 2, divisor_override=3)
    np.testing.assert_allclose(got.numpy(), ref_avg_pool2d(x, 2, 2, 0) * 4 / 3, atol=1e-12)
    got32 = F.avg_pool2d(torch.tensor(x.astype(np.float32)), 2)
    assert got32.dtype == torch.float32
    np.testing.assert_allclose(got32.numpy(), ref_avg_pool2d(x, 2, 2, 0), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("osize", [(3, 4), 1, (None, 2), (7, 5)])
def test_adaptive_avg_pool2d(osize) -> None:
    x = np.random.default_rng(3).standard_normal((2, 3, 7, 5))
    got = F.adaptive_avg_pool2d(torch.tensor(x), osize)
    oh, ow = (osize, osize) if isinstance(osize, int) else osize
    oh, ow = oh or 7, ow or 5
    want = np.zeros((2, 3, oh, ow))
    for y in range(oh):
        for z in range(ow):
            y0, y1 = (y * 7) // oh, math.ceil((y + 1) * 7 / oh)
            z0, z1 = (z * 5) // ow, math.ceil((z + 1) * 5 / ow)
            want[:, :, y, z] = x[:, :, y0:y1, z0:z1].mean((2, 3))
    np.testing.assert_allclose(got.numpy(), want, atol=1e-12)
    xt = torch.tensor(x, requires_grad=True)
    assert gradcheck(lambda a: F.adaptive_avg_pool2d(a, osize), (xt,))


def test_pool_1d_and_unbatched() -> None:
    x = np.random.default_rng(4).standard_normal((2, 3, 9))
    mx = F.max_pool1d(torch.tensor(x), 3, 2, 1)
    np.testing.assert_array_equal(mx.numpy(), _max1d(x, 3, 2, 1))
    av = F.avg_pool1d(torch.tensor(x), 2)
    np.testing.assert_allclose(av.numpy(), (x[..., 0:8:2] + x[..., 1:8:2]) / 2, atol=1e-12)
    ad = F.adaptive_avg_pool1d(torch.tensor(x), 3)
    np.testing.assert_allclose(ad.numpy(), x.reshape(2, 3, 3, 3).mean(-1), atol=1e-12)
    xt = torch.tensor(x, requires_grad=True)
    assert gradcheck(lambda a: F.max_pool1d(a, 3, 2, 1), (xt,))
    assert gradcheck(lambda a: F.avg_pool1d(a, 3, 2, 1, True, False), (xt,))
    un = F.max_pool2d(torch.tensor(x), 2)  # (C, H, W) unbatched
    assert un.shape == (2, 1, 4)
    np.testing.assert_array_equal(un.numpy(), ref_max_pool2d(x[None], 2, 2, 0)[0][0])


def _max1d(x, k, s, p):
    xp = np.pad(x, ((0, 0), (0, 0), (p, p)), constant_values=-np.inf)
    o = (x.shape[-1] + 2 * p - k) // s + 1
    return np.stack([xp[..., i * s : i * s + k].max(-1) for i in range(o)], -1)


def test_pool_node_names_modules_and_reprs() -> None:
    x = torch.randn(1, 2, 4, 4, requires_grad=True)
    assert nn.MaxPool2d(2)(x).grad_fn.name() == "MaxPool2DWithIndicesBackward0"
    assert nn.AvgPool2d(2)(x).grad_fn.name() == "AvgPool2DBackward0"
    assert nn.AdaptiveAvgPool2d(2)(x).grad_fn.name() == "AdaptiveAvgPool2DBackward0"
    assert nn.AdaptiveAvgPool2d(1)(x).grad_fn.name() == "MeanBackward1"  # PyTorch's shortcut
    out, idx = nn.MaxPool2d(2, return_indices=True)(x)
    assert out.shape == idx.shape == (1, 2, 2, 2)
    assert repr(nn.MaxPool2d(2)) == (
        "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    )
    assert repr(nn.AvgPool2d(3, 1)) == "AvgPool2d(kernel_size=3, stride=1, padding=0)"
    assert repr(nn.AdaptiveAvgPool2d((1, 1))) == "AdaptiveAvgPool2d(output_size=(1, 1))"
    assert repr(nn.AvgPool1d(2)) == "AvgPool1d(kernel_size=(2,), stride=(2,), padding=(0,))"


@pytest.mark.parametrize(
    ("call", "msg"),
    [
        (
            lambda: F.max_pool2d(torch.zeros(1, 1, 5, 5), 3, padding=2),
            "pad should be at most half of effective kernel size, but got pad=2, kernel_size=3 "
            "and dilation=1",
        ),
        (
            lambda: F.avg_pool2d(torch.zeros(1, 1, 2, 2), 3),
            "Given input size: (1x2x2). Calculated output size: (1x0x0). Output size is too small",
        ),
        (
            lambda: F.max_pool2d(torch.zeros(2, 3), 2),
            "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but "
            "got:[2, 3]",
        ),
        (
            lambda: F.avg_pool2d(torch.zeros(1, 1, 4, 4), 2, divisor_override=0),
            "divisor must be not zero",
        ),
    ],
)
def test_pool_errors(call, msg) -> None:
    with pytest.raises(RuntimeError) as info:
        call()
    assert str(info.value) == msg


def test_pool_empty_batch() -> None:
    x = torch.zeros(0, 2, 4, 4, requires_grad=True)
    assert F.max_pool2d(x, 2).shape == (0, 2, 2, 2)
    F.avg_pool2d(x, 2).sum().backward()
    assert x.grad.shape == (0, 2, 4, 4)


# ---- batch norm ----------------------------------------------------------------------------
def test_batchnorm2d_train_stats_over_steps() -> None:
    rng = np.random.default_rng(5)
    bn = nn.BatchNorm2d(3, dtype=torch.float64)
    rm, rv = np.zeros(3), np.ones(3)
    for _ in range(3):
        x = rng.standard_normal((4, 3, 5, 2)) * 2 + 1
        y = bn(torch.tensor(x))
        mean, var = x.mean((0, 2, 3)), x.var((0, 2, 3))
        want = (x - mean[None, :, None, None]) / np.sqrt(var[None, :, None, None] + 1e-5)
        np.testing.assert_allclose(y.detach().numpy(), want, atol=1e-12)
        rm = 0.9 * rm + 0.1 * mean
        rv = 0.9 * rv + 0.1 * x.var((0, 2, 3), ddof=1)  # unbiased in the running estimate
    np.testing.assert_allclose(bn.running_mean.numpy(), rm, atol=1e-12)
    np.testing.assert_allclose(bn.running_var.numpy(), rv, atol=1e-12)
    assert bn.num_batches_tracked.item() == 3 and bn.num_batches_tracked.dtype == torch.int64
    bn.eval()
    x = rng.standard_normal((2, 3, 5, 2))
    want = (x - rm[None, :, None, None]) / np.sqrt(rv[None, :, None, None] + 1e-5)
    np.testing.assert_allclose(bn(torch.tensor(x)).detach().numpy(), want, atol=1e-12)
    assert bn.num_batches_tracked.item() == 3


def test_batchnorm_momentum_none_is_cumulative_average() -> None:
    rng = np.random.default_rng(6)
    bn = nn.BatchNorm1d(2, momentum=None, dtype=torch.float64)
    xs = [rng.standard_normal((5, 2)) + i for i in range(4)]
    for x in xs:
        bn(torch.tensor(x))
    np.testing.assert_allclose(bn.running_mean.numpy(), np.mean([x.mean(0) for x in xs], 0))
    np.testing.assert_allclose(bn.running_var.numpy(), np.mean([x.var(0, ddof=1) for x in xs], 0))


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_gradcheck(training) -> None:
    rng = np.random.default_rng(7)
    x = torch.tensor(rng.standard_normal((3, 2, 4)), requires_grad=True)
    w = torch.tensor(rng.standard_normal(2) + 1, requires_grad=True)
    b = torch.tensor(rng.standard_normal(2), requires_grad=True)
    rm, rv = torch.tensor(rng.standard_normal(2)), torch.tensor(rng.random(2) + 0.5)

    def fn(a, c, d):
        return F.batch_norm(a, rm.clone(), rv.clone(), c, d, training, 0.1, 1e-5)

    assert fn(x, w, b).grad_fn.name() == "NativeBatchNormBackward0"
    assert gradcheck(fn, (x, w, b))
    assert gradgradcheck(fn, (x, w, b))


def test_batchnorm_float32_affine_and_reprs() -> None:
    rng = np.random.default_rng(8)
    x = rng.standard_normal((8, 4, 3, 3))
    bn = nn.BatchNorm2d(4)
    with torch.no_grad():
        bn.weight.copy_(torch.tensor([1.0, 2.0, 0.5, -1.0]))
        bn.bias.copy_(torch.tensor([0.0, 1.0, -1.0, 2.0]))
    y = bn(torch.tensor(x.astype(np.float32)))
    assert y.dtype == torch.float32
    xhat = (x - x.mean((0, 2, 3), keepdims=True)) / np.sqrt(x.var((0, 2, 3), keepdims=True) + 1e-5)
    want = xhat * np.array([1, 2, 0.5, -1])[:, None, None] + np.array([0, 1, -1, 2])[:, None, None]
    np.testing.assert_allclose(y.detach().numpy(), want, rtol=1e-5, atol=1e-5)
    assert repr(nn.BatchNorm2d(16)) == (
        "BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=True, bias=True, "
        "track_running_stats=True)"
    )
    assert repr(nn.BatchNorm1d(4, affine=False, track_running_stats=False)) == (
        "BatchNorm1d(4, eps=1e-05, momentum=0.1, affine=False, bias=False, "
        "track_running_stats=False)"
    )
    assert list(bn.state_dict()) == [
        "weight",
        "bias",
        "running_mean",
        "running_var",
        "num_batches_tracked",
    ]


def test_batchnorm_no_running_stats_uses_batch_stats_in_eval() -> None:
    bn = nn.BatchNorm1d(2, track_running_stats=False, dtype=torch.float64).eval()
    x = np.random.default_rng(9).standard_normal((6, 2))
    want = (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5)
    np.testing.assert_allclose(bn(torch.tensor(x)).detach().numpy(), want, atol=1e-12)


def test_batchnorm_errors_and_empty_batch() -> None:
    with pytest.raises(ValueError, match=r"^expected 4D input \(got 3D input\)$"):
        nn.BatchNorm2d(3)(torch.zeros(3, 4, 4))
    with pytest.raises(ValueError, match=r"^expected 2D or 3D input \(got 4D input\)$"):
        nn.BatchNorm1d(3)(torch.zeros(2, 3, 4, 4))
    with pytest.raises(ValueError) as info:
        nn.BatchNorm1d(3)(torch.zeros(1, 3))
    assert str(info.value) == (
        "Expected more than 1 value per channel when training, got input size torch.Size([1, 3])"
    )
    with pytest.raises(RuntimeError, match="running_mean should contain 3 elements not 4"):
        F.batch_norm(torch.zeros(2, 3), torch.zeros(4), torch.ones(4))
    bn = nn.BatchNorm2d(2)
    y = bn(torch.zeros(0, 2, 3, 3))
    assert y.shape == (0, 2, 3, 3)
    assert bn.running_mean.tolist() == [0.0, 0.0] and bn.running_var.tolist() == [1.0, 1.0]
