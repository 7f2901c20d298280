"""conv1d/conv2d/unfold/fold and Conv1d/Conv2d against a nested-loop float64 reference."""

from __future__ import annotations

import math

import numpy as np
import pytest

import jitgrad as torch
import jitgrad.nn as nn
import jitgrad.nn.functional as F
from jitgrad.autograd import gradcheck, gradgradcheck


def ref_conv2d(x, w, b=None, stride=(1, 1), pad=(0, 0), dil=(1, 1), groups=1):
    """Direct cross-correlation, written out loop by loop (float64)."""
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    xp = np.zeros((n, c, h + 2 * pad[0], wd + 2 * pad[1]))
    xp[:, :, pad[0] : pad[0] + h, pad[1] : pad[1] + wd] = x
    oh = (h + 2 * pad[0] - dil[0] * (kh - 1) - 1) // stride[0] + 1
    ow = (wd + 2 * pad[1] - dil[1] * (kw - 1) - 1) // stride[1] + 1
    out = np.zeros((n, o, oh, ow))
    og = o // groups
    for i in range(n):
        for f in range(o):
            c0 = (f // og) * cg
            for y in range(oh):
                for z in range(ow):
                    acc = 0.0 if b is None else float(b[f])
                    for ch in range(cg):
                        for a in range(kh):
                            for e in range(kw):
                                yy, zz = y * stride[0] + a * dil[0], z * stride[1] + e * dil[1]
                                acc += w[f, ch, a, e] * xp[i, c0 + ch, yy, zz]
                    out[i, f, y, z] = acc
    return out


CASES = [  # (x shape, w shape, stride, padding, dilation, groups, bias)
    ((2, 3, 7, 6), (4, 3, 3, 3), (1, 1), (0, 0), (1, 1), 1, True),
    ((2, 4, 7, 8), (6, 2, 3, 2), (2, 1), (1, 2), (1, 2), 2, True),
    ((1, 3, 9, 9), (3, 1, 3, 3), (2, 2), (1, 1), (2, 2), 3, False),
    ((3, 2, 5, 5), (2, 2, 1, 1), (1, 1), (0, 0), (1, 1), 1, False),
]


@pytest.mark.parametrize(("xs", "ws", "s", "p", "d", "g", "bias"), CASES)
def test_conv2d_matches_loop_reference_and_gradcheck(xs, ws, s, p, d, g, bias) -> None:
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal(xs), rng.standard_normal(ws), rng.standard_normal(ws[0])
    b = b if bias else None
    got = F.conv2d(
        torch.tensor(x), torch.tensor(w), None if b is None else torch.tensor(b), s, p, d, g
    )
    np.testing.assert_allclose(got.numpy(), ref_conv2d(x, w, b, s, p, d, g), atol=1e-12)
    args = [torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)]
    if bias:
        args.append(torch.tensor(b, requires_grad=True))

    def fn(*a):
        return F.conv2d(a[0], a[1], a[2] if bias else None, s, p, d, g)

    assert gradcheck(fn, tuple(args))


def test_conv2d_double_backward() -> None:
    rng = np.random.default_rng(1)
    x = torch.tensor(rng.standard_normal((2, 2, 5, 5)), requires_grad=True)
    w = torch.tensor(rng.standard_normal((4, 1, 2, 3)), requires_grad=True)
    b = torch.tensor(rng.standard_normal(4), requires_grad=True)
    assert gradgradcheck(lambda *a: F.conv2d(*a, stride=2, padding=1, groups=2), (x, w, b))


def test_conv1d_reference_gradcheck_and_unbatched() -> None:
    rng = np.random.default_rng(2)
    x, w, b = (
        rng.standard_normal((2, 4, 11)),
        rng.standard_normal((6, 2, 3)),
        rng.standard_normal(6),
    )
    got = F.conv1d(torch.tensor(x), torch.tensor(w), torch.tensor(b), 2, 1, 2, 2)
    want = ref_conv2d(x[:, :, None], w[:, :, None], b, (1, 2), (0, 1), (1, 2), 2)[:, :, 0]
    np.testing.assert_allclose(got.numpy(), want, atol=1e-12)
    xt = torch.tensor(x, requires_grad=True)
    wt = torch.tensor(w, requires_grad=True)
    assert gradcheck(lambda a, c: F.conv1d(a, c, None, 2, 1, 2, 2), (xt, wt))
    single = F.conv1d(torch.tensor(x[0]), torch.tensor(w), torch.tensor(b), 2, 1, 2, 2)
    assert single.shape == (6, want.shape[-1])
    np.testing.assert_allclose(single.numpy(), want[0], atol=1e-12)


def test_conv2d_unbatched_gradcheck() -> None:
    rng = np.random.default_rng(3)
    x = torch.tensor(rng.standard_normal((2, 5, 4)), requires_grad=True)
    w = torch.tensor(rng.standard_normal((3, 2, 2, 2)), requires_grad=True)
    out = F.conv2d(x, w)
    assert out.shape == (3, 4, 3)
    assert gradcheck(lambda a, c: F.conv2d(a, c, padding=1), (x, w))


def test_padding_same_and_valid() -> None:
    rng = np.random.default_rng(4)
    x, w = rng.standard_normal((1, 2, 6, 7)), rng.standard_normal((3, 2, 4, 3))
    same = F.conv2d(torch.tensor(x), torch.tensor(w), padding="same", dilation=(1, 2))
    assert same.shape == (1, 3, 6, 7)
    # total padding d*(k-1) = (3, 4): PyTorch puts the odd extra row at the end
    xp = np.pad(x, ((0, 0), (0, 0), (1, 2), (2, 2)))
    np.testing.assert_allclose(same.numpy(), ref_conv2d(xp, w, dil=(1, 2)), atol=1e-12)
    xt = torch.tensor(x, requires_grad=True)
    assert gradcheck(lambda a: F.conv2d(a, torch.tensor(w), padding="same"), (xt,))
    valid = F.conv2d(torch.tensor(x), torch.tensor(w), padding="valid")
    np.testing.assert_allclose(valid.numpy(), ref_conv2d(x, w), atol=1e-12)


def test_float32_forward_close_to_float64_reference() -> None:
    rng = np.random.default_rng(5)
    x, w, b = rng.standard_normal((4, 3, 10, 10)), rng.standard_normal((8, 3, 3, 3)), np.ones(8)
    got = F.conv2d(
        torch.tensor(x.astype(np.float32)),
        torch.tensor(w.astype(np.float32)),
        torch.tensor(b.astype(np.float32)),
        padding=1,
    )
    assert got.dtype == torch.float32
    np.testing.assert_allclose(got.numpy(), ref_conv2d(x, w, b, pad=(1, 1)), rtol=1e-5, atol=1e-5)


def test_empty_batch() -> None:
    conv = nn.Conv2d(3, 4, 3)
    x = torch.zeros(0, 3, 5, 5, requires_grad=True)
    y = conv(x)
    assert y.shape == (0, 4, 3, 3)
    y.sum().backward()
    assert x.grad.shape == (0, 3, 5, 5)
    assert np.all(conv.weight.grad.numpy() == 0)


def test_node_names() -> None:
    x = torch.randn(1, 1, 4, 4, requires_grad=True)
    y = F.conv2d(x, torch.randn(2, 1, 3, 3))
    assert y.grad_fn.name() == "ConvolutionBackward0"
    assert F.unfold(x, 2).grad_fn.name() == "Im2ColBackward0"
    assert F.fold(torch.randn(1, 4, 9, requires_grad=True), 4, 2).grad_fn.name() == (
        "Col2ImBackward0"
    )


def test_unfold_fold_values_and_adjoint() -> None:
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 3, 5, 4))
    cols = F.unfold(torch.tensor(x), (2, 3), dilation=1, padding=1, stride=(2, 1)).numpy()
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    oh, ow = (7 - 2) // 2 + 1, (6 - 3) // 1 + 1
    assert cols.shape == (2, 3 * 6, oh * ow)
    for ch in range(3):
        for a in range(2):
            for e in range(3):
                patch = xp[:, ch, a : a + 2 * oh : 2, e : e + ow]
                np.testing.assert_array_equal(cols[:, ch * 6 + a * 3 + e], patch.reshape(2, -1))
    c = rng.standard_normal(cols.shape)
    folded = F.fold(torch.tensor(c), (5, 4), (2, 3), padding=1, stride=(2, 1)).numpy()
    # <unfold(x), c> == <x, fold(c)>: fold is unfold's adjoint
    assert math.isclose(float((cols * c).sum()), float((x * folded).sum()), rel_tol=1e-12)


def test_conv_module_init_and_repr() -> None:
    torch.manual_seed(0)
    conv = nn.Conv2d(4, 8, 3)
    bound = 1 / math.sqrt(4 * 9)  # kaiming_uniform(a=sqrt(5)) on fan_in = 36 gives 1/sqrt(36)
    w, b = conv.weight.detach().numpy(), conv.bias.detach().numpy()
    assert w.shape == (8, 4, 3, 3) and np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound
    assert np.abs(b).max() <= bound and w.std() > 0.4 * bound
    assert repr(conv) == "Conv2d(4, 8, kernel_size=(3, 3), stride=(1, 1))"
    assert repr(nn.Conv2d(1, 32, 3)) == "Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1))"
    assert repr(nn.Conv2d(4, 4, (1, 3), 2, 1, 2, 2, False)) == (
        "Conv2d(4, 4, kernel_size=(1, 3), stride=(2, 2), padding=(1, 1), dilation=(2, 2), "
        "groups=2, bias=False)"
    )
    assert repr(nn.Conv1d(2, 3, 5, padding="same")) == (
        "Conv1d(2, 3, kernel_size=(5,), stride=(1,), padding=same)"
    )
    assert [n for n, _ in conv.named_parameters()] == ["weight", "bias"]


def test_module_errors() -> None:
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="padding='same' is not supported for strided"):
        nn.Conv2d(3, 4, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match="^padding_mode must be one of"):
        nn.Conv2d(3, 4, 3, padding_mode="reflection")


@pytest.mark.parametrize(
    ("x", "w", "kw", "msg"),
    [
        (
            (2, 3),
            (4, 3, 3, 3),
            {},
            "Expected 3D (unbatched) or 4D (batched) input to conv2d, "
            "but got input of size: [2, 3]",
        ),
        (
            (1, 1, 8, 8),
            (10, 3, 3, 3),
            {},
            "Given groups=1, weight of size [10, 3, 3, 3], "
            "expected input[1, 1, 8, 8] to have 3 channels, but got 1 channels instead",
        ),
        (
            (1, 8, 8),
            (10, 3, 3, 3),
            {},
            "Given groups=1, weight of size [10, 3, 3, 3], "
            "expected input[1, 1, 8, 8] to have 3 channels, but got 1 channels instead",
        ),
        (
            (1, 4, 8, 8),
            (3, 2, 3, 3),
            {"groups": 2},
            "Given groups=2, expected weight to be "  # PyTorch 2.13's double brackets
            "divisible by 2 at dimension 0, but got weight of size [[3, 2, 3, 3]] instead",
        ),
        (
            (1, 3, 2, 2),
            (4, 3, 3, 3),
            {},
            "Calculated padded input size per channel: (2 x 2). "
            "Kernel size: (3 x 3). Kernel size can't be greater than actual input size",
        ),
        ((1, 3, 8, 8), (4, 3, 3, 3), {"stride": 0}, "non-positive stride is not supported"),
        ((1, 3, 8, 8), (4, 3, 3, 3), {"padding": -1}, "negative padding is not supported"),
        ((1, 3, 8, 8), (4, 3, 3, 3), {"padding": "full"}, "Invalid padding string: 'full'"),
    ],
)
def test_conv2d_errors(x, w, kw, msg) -> None:
    with pytest.raises(RuntimeError) as info:
        F.conv2d(torch.zeros(*x), torch.zeros(*w), **kw)
    assert str(info.value) == msg


def test_conv_bias_and_dtype_errors() -> None:
    with pytest.raises(RuntimeError, match=r"expected bias to be 1-dimensional with 4 elements"):
        F.conv2d(torch.zeros(1, 3, 5, 5), torch.zeros(4, 3, 3, 3), torch.zeros(3))
    with pytest.raises(RuntimeError, match="expected scalar type Double but found Float"):
        F.conv2d(torch.zeros(1, 3, 5, 5, dtype=torch.float64), torch.zeros(4, 3, 3, 3))
    with pytest.raises(
        RuntimeError,
        match="Expected 2D .unbatched. or 3D .batched. input to "
        r"conv1d, but got input of size: \[1, 2, 3, 4\]",
    ):
        F.conv1d(torch.zeros(1, 2, 3, 4), torch.zeros(1, 2, 3))
