"""The device ops issue 15 left on the host fallback after conv1d/2d and the 2-d pools:
grouped and depthwise convolutions, conv3d, conv_transpose1d/2d/3d, max/avg/adaptive-avg
pool3d, adaptive max pools, cumprod's gradient (and flip, which it uses). Each is checked
against the same program on the CPU (node names, values, gradients; the pools and cumprod
bitwise, their orders being the CPU's; products to float rounding) with the host fallback
refused, and three small training steps (a depthwise-separable CNN, a ConvTranspose2d
decoder, a 3-d CNN) make no device-to-host copy.
"""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad as torch

F = torch.nn.functional
RNG = np.random.default_rng(151)


def _a(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


def _run(call, arrays, device, dtype=None):
    """``call(*tensors)`` on ``device``, then a weighted sum's backward: (node, out, grads)."""
    xs = [torch.tensor(a, device=device) for a in arrays]
    if dtype is not None:
        xs = [x.to(dtype) for x in xs]
    for x in xs:
        x.requires_grad_(True)
    out = call(*xs)
    w = np.random.default_rng(1).standard_normal(tuple(out.shape)).astype(np.float32)
    (out * torch.tensor(w, device=device).to(out.dtype)).sum().backward()
    return (out.grad_fn.name(), out.detach().float().cpu().numpy(),
            [x.grad.float().cpu().numpy() for x in xs])  # fmt: skip


def _compare(call, arrays, exact, rtol=1e-5, atol=1e-6, dtype=None):
    cpu = _run(call, arrays, "cpu", dtype)
    dev = _run(call, arrays, "cuda", dtype)
    assert dev[0] == cpu[0]
    for d, c in zip([dev[1], *dev[2]], [cpu[1], *cpu[2]], strict=True):
        if exact:
            np.testing.assert_array_equal(d, c)
        else:
            np.testing.assert_allclose(d, c, rtol=rtol, atol=atol)


CONVS = [
    ("grouped2d", lambda x, w, b: F.conv2d(x, w, b, padding=1, groups=2),
     (_a(2, 4, 5, 5), _a(6, 2, 3, 3), _a(6))),
    ("depthwise2d_stride_dilation", lambda x, w: F.conv2d(x, w, stride=2, dilation=2, groups=3),
     (_a(2, 3, 7, 8), _a(6, 1, 2, 3))),
    ("depthwise1d_same", lambda x, w, b: F.conv1d(x, w, b, padding="same", groups=3),
     (_a(2, 3, 9), _a(3, 1, 4), _a(3))),
    ("conv3d", lambda x, w, b: F.conv3d(x, w, b, stride=(1, 2, 1), padding=1),
     (_a(2, 2, 4, 5, 4), _a(3, 2, 2, 3, 2), _a(3))),
    ("conv3d_grouped_dilated_unbatched", lambda x, w: F.conv3d(x, w, dilation=(2, 1, 1), groups=2),
     (_a(4, 5, 3, 4), _a(2, 2, 2, 2, 2))),
    ("conv_transpose2d", lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1,
                                                             output_padding=1),
     (_a(2, 3, 4, 3), _a(3, 2, 3, 3), _a(2))),
    ("conv_transpose2d_grouped_dilated", lambda x, w: F.conv_transpose2d(x, w, groups=2,
                                                                         dilation=(1, 2)),
     (_a(1, 4, 3, 3), _a(4, 1, 2, 2))),
    ("conv_transpose1d_grouped", lambda x, w: F.conv_transpose1d(x, w, groups=2, stride=2),
     (_a(2, 4, 5), _a(4, 3, 3))),
    ("conv_transpose3d_unbatched", lambda x, w, b: F.conv_transpose3d(x, w, b, stride=(2, 1, 1)),
     (_a(2, 3, 3, 2), _a(2, 2, 2, 2, 2), _a(2))),
    ("conv3d_f64", lambda x, w: F.conv3d(x, w, padding=(0, 1, 1), groups=2),
     (_a(1, 2, 3, 3, 3, dtype=np.float64), _a(4, 1, 2, 2, 2, dtype=np.float64))),
]  # fmt: skip


@pytest.mark.parametrize("call,arrays", [c[1:] for c in CONVS], ids=[c[0] for c in CONVS])
def test_convolutions_run_on_the_device(call, arrays, no_fallback):
    _compare(call, arrays, exact=False, rtol=1e-9 if arrays[0].dtype == np.float64 else 1e-5)


@pytest.mark.parametrize(
    "conv",
    [
        lambda x, w: F.conv2d(x, w, padding=1, stride=2, groups=4),
        lambda x, w: F.conv_transpose2d(x, w, stride=2, groups=2),
        lambda x, w: F.conv3d(x.unsqueeze(2), w.unsqueeze(2), padding=1, groups=4),
    ],
    ids=["depthwise", "transposed_grouped", "conv3d_depthwise"],
)
def test_convolution_double_backward_on_the_device(conv, no_fallback):
    """The backwards are recorded device ops: a gradient of a gradient, as on the CPU."""
    got = []
    for device in ("cpu", "cuda"):
        x = torch.tensor(np.linspace(-1, 1, 100).reshape(1, 4, 5, 5), device=device,
                         requires_grad=True)  # fmt: skip
        w = torch.tensor(np.linspace(-1, 1, 36).reshape(4, 1, 3, 3), device=device,
                         requires_grad=True)  # fmt: skip
        out = conv(x, w)
        gx, gw = torch.autograd.grad((out * out).sum(), (x, w), create_graph=True)
        ((gx * gx).sum() + (gw * gw).sum()).backward()
        got.append([t.detach().cpu().numpy() for t in (gx, gw, x.grad, w.grad)])
    for d, c in zip(got[1], got[0], strict=True):
        np.testing.assert_allclose(d, c, rtol=1e-10, atol=1e-12)


TIED = np.repeat(_a(2, 2, 3, 4, 3), 2, axis=4)  # ties: the first maximum is the CPU's
WITH_NAN = _a(1, 2, 4, 4, 4)
WITH_NAN[0, 0, 1, 2, 0] = WITH_NAN[0, 1, 3, 3, 3] = np.nan
POOLS = [
    ("max_pool3d_tied", lambda x: F.max_pool3d(x, 2, stride=1), (TIED,)),
    ("max_pool3d_pad_dilation_ceil",
     lambda x: F.max_pool3d(x, (2, 3, 2), stride=2, padding=1, dilation=(2, 1, 1), ceil_mode=True),
     (_a(2, 2, 6, 5, 6),)),
    ("max_pool3d_indices", lambda x: F.max_pool3d(x, 2, return_indices=True)[0] * 2,
     (_a(2, 4, 4, 5),)),
    ("max_pool3d_nan", lambda x: F.max_pool3d(x, 2, stride=1), (WITH_NAN,)),
    ("avg_pool3d", lambda x: F.avg_pool3d(x, 2), (_a(2, 2, 4, 4, 6),)),
    ("avg_pool3d_pad_exclude_ceil",
     lambda x: F.avg_pool3d(x, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
     (_a(2, 2, 5, 4, 5),)),
    ("adaptive_max_pool3d_tied", lambda x: F.adaptive_max_pool3d(x, (2, 3, 4)), (TIED,)),
    ("adaptive_max_pool3d_nan_indices",
     lambda x: F.adaptive_max_pool3d(x, (3, None, 2), return_indices=True)[0], (WITH_NAN,)),
    ("adaptive_max_pool2d", lambda x: F.adaptive_max_pool2d(x, (2, 3)), (TIED[0],)),
    ("adaptive_max_pool2d_indices", lambda x: F.adaptive_max_pool2d(x, 3, True)[0] * 2,
     (_a(2, 5, 7),)),
    ("adaptive_max_pool1d", lambda x: F.adaptive_max_pool1d(x, 4), (_a(2, 3, 9),)),
    ("avg_pool3d_divisor_unbatched",
     lambda x: F.avg_pool3d(x, (2, 1, 2), stride=1, padding=(1, 0, 1), divisor_override=3),
     (_a(2, 3, 4, 3),)),
]  # fmt: skip


@pytest.mark.parametrize("call,arrays", [c[1:] for c in POOLS], ids=[c[0] for c in POOLS])
def test_pools3d_are_bitwise_the_cpus(call, arrays, no_fallback):
    _compare(call, arrays, exact=True)


def test_adaptive_max_pool_indices_are_the_cpus(no_fallback):
    got = []
    for device in ("cpu", "cuda"):
        x = torch.tensor(TIED, device=device)
        i3 = F.adaptive_max_pool3d(x, (2, 2, 3), return_indices=True)[1]
        i2 = F.adaptive_max_pool2d(x[0], (3, 2), return_indices=True)[1]
        got.append([(i.device.type, i.dtype, i.cpu().tolist()) for i in (i3, i2)])
    assert [g[1:] for g in got[1]] == [g[1:] for g in got[0]]


def test_max_pool3d_indices_are_the_cpus(no_fallback):
    cpu = F.max_pool3d(torch.tensor(TIED), 2, stride=1, padding=1, return_indices=True)[1]
    dev = F.max_pool3d(torch.tensor(TIED, device="cuda"), 2, stride=1, padding=1,
                       return_indices=True)[1]  # fmt: skip
    assert dev.device.type == "cuda" and dev.dtype is torch.int64
    np.testing.assert_array_equal(dev.cpu().numpy(), cpu.numpy())


@pytest.mark.parametrize("size", [(2, 3, 2), 1, (None, 2, 4)], ids=str)
def test_adaptive_avg_pool3d_on_the_device(size, no_fallback):
    """The CPU averages by three matmuls, the device by window sums: equal to float
    rounding."""
    _compare(lambda x: F.adaptive_avg_pool3d(x, size), (_a(2, 2, 5, 4, 5),), exact=False)


def test_pool3d_double_backward_on_the_device(no_fallback):
    got = []
    for device in ("cpu", "cuda"):
        x = torch.tensor(np.linspace(-1, 1, 128).reshape(2, 4, 4, 4), device=device,
                         requires_grad=True)  # fmt: skip
        a, m = F.avg_pool3d(x, 2, stride=1, padding=1), F.max_pool3d(x, 2, stride=1)
        am = F.adaptive_max_pool3d(x, (2, 3, 3))
        loss = (a * a).sum() + (m * m).sum() + (am * am).sum()
        (gx,) = torch.autograd.grad(loss, x, create_graph=True)
        (gx * gx).sum().backward()
        got.append([gx.detach().cpu().numpy(), x.grad.cpu().numpy()])
    for d, c in zip(got[1], got[0], strict=True):
        np.testing.assert_array_equal(d, c)


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_low_precision_conv_and_pools_round_as_the_cpu(dtype, no_fallback):
    """float16/bfloat16: computed in float32 and rounded at each recorded result, as on the
    CPU (pools bitwise; the convolution's products to the type's rounding)."""
    dt = getattr(torch, dtype)
    x, w = _a(2, 4, 3, 4, 4), _a(4, 2, 2, 2, 2)
    _compare(lambda x: F.avg_pool3d(x, 2, stride=1), (x,), exact=True, dtype=dt)
    _compare(lambda x: F.max_pool3d(x, 2, stride=1), (x,), exact=True, dtype=dt)
    _compare(lambda x, w: F.conv3d(x, w, groups=2), (x, w), exact=False, rtol=2e-2, atol=4e-2,
             dtype=dt)  # fmt: skip


X = (RNG.standard_normal((3, 5, 4)) * 2).astype(np.float32)
X_ZEROS = X.copy()
X_ZEROS[0, 1, 0] = X_ZEROS[0, 3, 0] = X_ZEROS[2, 4, 1] = X_ZEROS[1, 0, 3] = 0.0


def _bytes(t):
    a = t.detach().cpu().numpy()
    return a.dtype.str, a.shape, a.tobytes()


@pytest.mark.parametrize("x", [X, X_ZEROS], ids=["plain", "zeros"])
@pytest.mark.parametrize("dim", [1, -1, 0])
def test_cumprod_gradient_on_the_device(x, dim, no_fallback):
    """The CPU's gradient with no copy to the host (the device takes the CPU's first-zero
    form, which is the division's values where there are none): bitwise, but at a slice's
    first zero, whose gradient holds a sum (the device's reduction order): there to float
    rounding."""
    got = []
    for device in ("cpu", "cuda"):
        t = torch.tensor(x, device=device, requires_grad=True)
        y = t.cumprod(dim)
        g = torch.tensor(np.linspace(-1, 1, x.size, dtype=np.float32).reshape(x.shape),
                         device=device)  # fmt: skip
        (y * g).sum().backward()
        got.append([y.grad_fn.name(), _bytes(y), _bytes(t.grad)])
    first = (x == 0) & (np.cumsum(x == 0, axis=dim) == 1)
    dev, cpu = (np.frombuffer(r[2][2], np.float32).reshape(x.shape) for r in got)
    np.testing.assert_allclose(dev[first], cpu[first], rtol=1e-6)
    assert got[1][:2] == got[0][:2]
    np.testing.assert_array_equal(dev[~first], cpu[~first])


def test_cumprod_double_backward_on_the_device(no_fallback):
    """create_graph: the CPU's division form (no zeros), bitwise."""
    got = []
    for device in ("cpu", "cuda"):
        t = torch.tensor(X, device=device, requires_grad=True)
        (g,) = torch.autograd.grad((t.cumprod(1) ** 2).sum(), t, create_graph=True)
        (g * g).sum().backward()
        got.append([_bytes(g), _bytes(t.grad)])
    assert got[1] == got[0]


@pytest.mark.parametrize(
    "make", [lambda t: t.flip(1), lambda t: torch.flip(t, (0, 2)), lambda t: t.flip([-1, 0])]
)
def test_flip_on_the_device(make, no_fallback):
    got = []
    for device in ("cpu", "cuda"):
        t = torch.tensor(X, device=device, requires_grad=True)
        y = make(t)
        (y * torch.arange(60.0, device=device).reshape(y.shape)).sum().backward()
        got.append([y.grad_fn.name(), _bytes(y), _bytes(t.grad)])
    assert got[1] == got[0]


def _depthwise_separable(nn):
    return nn.Sequential(
        nn.Conv2d(2, 2, 3, padding=1, groups=2), nn.Conv2d(2, 4, 1), nn.ReLU(),
        nn.Conv2d(4, 4, 3, stride=2, groups=4, bias=False), nn.Flatten(), nn.Linear(36, 3),
    )  # fmt: skip


def _decoder(nn):
    return nn.Sequential(
        nn.Conv2d(2, 4, 3, stride=2, padding=1), nn.ReLU(),
        nn.ConvTranspose2d(4, 3, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
        nn.ConvTranspose2d(3, 2, 2, groups=1), nn.AvgPool2d(3), nn.Flatten(), nn.Linear(8, 3),
    )  # fmt: skip


def _cnn3d(nn):
    return nn.Sequential(
        nn.Conv3d(2, 3, 3, padding=1), nn.ReLU(), nn.MaxPool3d(2), nn.Conv3d(3, 4, 1, groups=1),
        nn.AvgPool3d(1), nn.AdaptiveAvgPool3d(1), nn.Flatten(), nn.Linear(4, 3),
    )  # fmt: skip


def _step(make, shape, device, before_readback=None):
    torch.manual_seed(0)
    model = make(torch.nn).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    n = int(np.prod(shape))
    x = torch.tensor(np.linspace(-1, 1, n, dtype=np.float32).reshape(shape), device=device)
    y = torch.tensor([0, 2], device=device)
    for _ in range(2):
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
    if before_readback is not None:
        before_readback()
    return [p.detach().cpu().numpy() for p in model.parameters()]


@pytest.mark.parametrize(
    "make,shape",
    [(_depthwise_separable, (2, 2, 8, 8)), (_decoder, (2, 2, 6, 6)), (_cnn3d, (2, 2, 4, 4, 4))],
    ids=["depthwise_separable", "conv_transpose_decoder", "cnn3d"],
)
def test_training_steps_stay_on_the_device(make, shape, no_fallback, host_copies):
    """Two SGD steps: no host fallback, no device-to-host copy; the parameters are the CPU's
    to float rounding."""
    cpu = _step(make, shape, "cpu")
    start, copies = host_copies[0], []
    dev = _step(make, shape, "cuda", lambda: copies.append(host_copies[0] - start))
    assert copies == [0]
    for d, c in zip(dev, cpu, strict=True):
        np.testing.assert_allclose(d, c, rtol=1e-5, atol=1e-6)
