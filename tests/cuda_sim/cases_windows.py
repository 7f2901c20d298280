"""Convolution, pooling and batch_norm on the device (issue 15): they ran through the host
fallback (a Conv2d training step made a dozen device-to-host copies); now device kernels
(:mod:`jitgrad.backends.cuda.nn_conv`, :mod:`jitgrad.backends.cuda.nn_windows`; the other
variants: cases_conv_more.py). Each is checked against the same program on the
CPU: node names, values and gradients (the pools bitwise: their adjoints gather in the
CPU's order; products to float rounding), and with no ``host fallback`` logged.
"""

from __future__ import annotations

import logging

import numpy as np
import pytest

import jitgrad as torch
from jitgrad import helpers

F = torch.nn.functional
RNG = np.random.default_rng(15)


@pytest.fixture
def host_log(monkeypatch, caplog):
    """The ``host fallback: <op>`` messages logged while the test runs."""
    monkeypatch.setattr(helpers, "DEBUG", 1)
    with caplog.at_level(logging.DEBUG, logger="jitgrad"):
        yield lambda: [r.getMessage() for r in caplog.records if "host fallback" in r.getMessage()]


def _run(call, arrays, device, weights_seed=1):
    """``call(*tensors)`` on ``device``, then a weighted sum's backward: (node, out, grads)."""
    xs = [torch.tensor(a, device=device, requires_grad=True) for a in arrays]
    out = call(*xs)
    w = np.random.default_rng(weights_seed).standard_normal(tuple(out.shape))
    (out * torch.tensor(w.astype(arrays[0].dtype), device=device)).sum().backward()
    return out.grad_fn.name(), out.detach().cpu().numpy(), [x.grad.cpu().numpy() for x in xs]


def _compare(call, arrays, exact, rtol=1e-5, atol=1e-6):
    cpu = _run(call, arrays, "cpu")
    dev = _run(call, arrays, "cuda")
    assert dev[0] == cpu[0]
    check = (
        np.testing.assert_array_equal
        if exact
        else (lambda a, b: np.testing.assert_allclose(a, b, rtol=rtol, atol=atol))
    )
    check(dev[1], cpu[1])
    for d, c in zip(dev[2], cpu[2], strict=True):
        check(d, c)


def _a(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


CONVS = [
    ("conv2d", lambda x, w, b: F.conv2d(x, w, b), (_a(2, 3, 6, 5), _a(4, 3, 3, 2), _a(4))),
    (
        "conv2d_stride_pad",
        lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1),
        (_a(2, 3, 7, 6), _a(4, 3, 3, 3), _a(4)),
    ),
    (
        "conv2d_dilation_same",
        lambda x, w: F.conv2d(x, w, padding="same", dilation=(1, 2)),
        (_a(1, 2, 5, 7), _a(3, 2, 2, 3)),
    ),
    (
        "conv2d_unbatched_f64",
        lambda x, w: F.conv2d(x, w, padding=(2, 1)),
        (_a(2, 4, 4, dtype=np.float64), _a(3, 2, 3, 3, dtype=np.float64)),
    ),
    (
        "conv1d",
        lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=1, dilation=2),
        (_a(2, 3, 11), _a(5, 3, 3), _a(5)),
    ),
]


@pytest.mark.parametrize("call,arrays", [c[1:] for c in CONVS], ids=[c[0] for c in CONVS])
def test_convolutions_run_on_the_device(call, arrays, host_log):
    _compare(call, arrays, exact=False, rtol=1e-9 if arrays[0].dtype == np.float64 else 1e-5)
    assert host_log() == []


def test_convolution_double_backward_on_the_device(host_log):
    """The backward is recorded device ops (im2col/col2im nodes): a gradient of a gradient."""
    got = []
    for device in ("cpu", "cuda"):
        x = torch.tensor(np.linspace(-1, 1, 50).reshape(1, 2, 5, 5), device=device,
                         requires_grad=True)  # fmt: skip
        w = torch.tensor(np.linspace(-1, 1, 36).reshape(2, 2, 3, 3), device=device,
                         requires_grad=True)  # fmt: skip
        out = F.conv2d(x, w, padding=1, stride=2)
        (gx,) = torch.autograd.grad((out * out).sum(), x, create_graph=True)
        (gx * gx).sum().backward()
        got.append((gx.detach().cpu().numpy(), x.grad.cpu().numpy(), w.grad.cpu().numpy()))
    assert host_log() == []
    for d, c in zip(got[1], got[0], strict=True):
        np.testing.assert_allclose(d, c, rtol=1e-10, atol=1e-12)


# (a tie in the first max pool's windows: the argmax is the CPU's, the first one)
TIED = np.repeat(_a(2, 3, 4, 3), 2, axis=3)
WITH_NAN = _a(1, 2, 4, 4)
WITH_NAN[0, 0, 1, 0] = WITH_NAN[0, 1, 2, 3] = np.nan  # (the window's NaN wins, as on the CPU)
POOLS = [
    ("max_pool2d", lambda x: F.max_pool2d(x, 2), (TIED,)),
    (
        "max_pool2d_overlap",
        lambda x: F.max_pool2d(x, 3, stride=1, padding=1, dilation=1),
        (_a(2, 2, 5, 6),),
    ),
    (
        "max_pool2d_dilation_ceil",
        lambda x: F.max_pool2d(x, (2, 3), stride=2, dilation=(2, 1), ceil_mode=True),
        (_a(1, 2, 7, 8),),
    ),
    (
        "max_pool2d_indices",
        lambda x: F.max_pool2d(x, 2, return_indices=True)[0] * 2,
        (_a(2, 5, 5),),
    ),
    ("max_pool2d_nan", lambda x: F.max_pool2d(x, 2, stride=1), (WITH_NAN,)),
    ("avg_pool2d", lambda x: F.avg_pool2d(x, 2), (_a(2, 3, 6, 4),)),
    (
        "avg_pool2d_pad_exclude",
        lambda x: F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False),
        (_a(2, 2, 7, 5),),
    ),
    (
        "avg_pool2d_ceil_divisor",
        lambda x: F.avg_pool2d(x, 2, ceil_mode=True, divisor_override=3),
        (_a(1, 3, 5, 5),),
    ),
    ("adaptive_avg_pool2d", lambda x: F.adaptive_avg_pool2d(x, (3, 2)), (_a(2, 3, 7, 5),)),
    ("max_pool1d", lambda x: F.max_pool1d(x, 3, stride=2, padding=1), (_a(2, 3, 9),)),
    ("avg_pool1d", lambda x: F.avg_pool1d(x, 2, ceil_mode=True), (_a(3, 7),)),
    ("adaptive_avg_pool1d", lambda x: F.adaptive_avg_pool1d(x, 4), (_a(2, 2, 7),)),
    (
        "adaptive_avg_pool2d_f64",
        lambda x: F.adaptive_avg_pool2d(x, (2, 1)),
        (_a(2, 3, 4, 4, dtype=np.float64),),
    ),
]


def test_adaptive_avg_pool_to_one_is_the_devices_mean(host_log):
    """A 1x1 output is ``mean`` over the spatial dims on both devices (``MeanBackward1``, as in
    PyTorch): the device's summation order, so equal to a rounding, not bitwise."""
    _compare(
        lambda x: F.adaptive_avg_pool2d(x, 1),
        (_a(2, 3, 4, 4, dtype=np.float64),),
        False,
        1e-12,
        1e-14,
    )
    assert host_log() == []


@pytest.mark.parametrize("call,arrays", [c[1:] for c in POOLS], ids=[c[0] for c in POOLS])
def test_pools_are_bitwise_the_cpus(call, arrays, host_log):
    _compare(call, arrays, exact=True)
    assert host_log() == []


def test_max_pool_indices_are_the_cpus():
    x = TIED[:1]
    cpu = F.max_pool2d(torch.tensor(x), 2, stride=1, return_indices=True)[1]
    dev = F.max_pool2d(torch.tensor(x, device="cuda"), 2, stride=1, return_indices=True)[1]
    assert dev.device.type == "cuda" and dev.dtype is torch.int64
    np.testing.assert_array_equal(dev.cpu().numpy(), cpu.numpy())


@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize("affine", [True, False], ids=["affine", "plain"])
def test_batch_norm_on_the_device(training, affine, host_log):
    x0 = _a(4, 3, 2, 3)
    results = []
    for device in ("cpu", "cuda"):
        bn = torch.nn.BatchNorm2d(3, affine=affine).to(device)
        bn.train(training)
        with torch.no_grad():
            bn.running_mean.copy_(torch.tensor([0.1, -0.2, 0.3], device=device))
            bn.running_var.copy_(torch.tensor([1.5, 0.5, 2.0], device=device))
        x = torch.tensor(x0, device=device, requires_grad=True)
        out = bn(x)
        (out * torch.arange(72.0, device=device).reshape(x0.shape)).sum().backward()
        grads = [p.grad.cpu().numpy() for p in bn.parameters()]
        stats = [bn.running_mean.cpu().numpy(), bn.running_var.cpu().numpy()]
        results.append((out.grad_fn.name(), out.detach().cpu().numpy(), x.grad.cpu().numpy(),
                        grads, stats))  # fmt: skip
    assert host_log() == []
    assert results[1][0] == results[0][0] == "NativeBatchNormBackward0"
    for d, c in zip(results[1][1:3], results[0][1:3], strict=True):
        np.testing.assert_allclose(d, c, rtol=1e-4, atol=1e-5)
    for d, c in zip(results[1][3] + results[1][4], results[0][3] + results[0][4], strict=True):
        np.testing.assert_allclose(d, c, rtol=1e-5, atol=1e-5)


def test_torch_batch_norm_keeps_its_argument_order(host_log):
    """``torch.batch_norm(input, weight, bias, running_mean, running_var, ...)`` reached the
    device op (functional order) by name, with its weight taken for the running mean."""
    results = []
    for device in ("cpu", "cuda"):
        x = torch.tensor(np.linspace(-1, 2, 15).reshape(5, 3), device=device, requires_grad=True)
        w = torch.tensor([1.0, 2.0, 0.5], dtype=torch.float64, device=device, requires_grad=True)
        b = torch.tensor([0.1, 0.0, -0.3], dtype=torch.float64, device=device)
        rm = torch.zeros(3, dtype=torch.float64, device=device)
        rv = torch.ones(3, dtype=torch.float64, device=device)
        out = torch.batch_norm(x, w, b, rm, rv, True, 0.1, 1e-5, True)
        (
            out * torch.arange(15.0, dtype=torch.float64, device=device).reshape(5, 3)
        ).sum().backward()
        results.append([t.detach().cpu().numpy() for t in (out, rm, rv, x.grad, w.grad)])
    assert host_log() == []
    for d, c in zip(results[1], results[0], strict=True):
        np.testing.assert_allclose(d, c, rtol=1e-12, atol=1e-12)


def _cnn_step(device, before_readback=None):
    torch.manual_seed(0)
    nn = torch.nn
    model = nn.Sequential(
        nn.Conv2d(2, 3, 3, padding=1), nn.BatchNorm2d(3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(3, 4, 3), nn.AvgPool2d(1), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        nn.Linear(4, 3),
    ).to(device)  # fmt: skip
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    x = torch.tensor(np.linspace(-1, 1, 256, dtype=np.float32).reshape(2, 2, 8, 8),
                     device=device)  # fmt: skip
    y = torch.tensor([0, 2], device=device)
    for _ in range(2):
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
    if before_readback is not None:
        before_readback()
    return [p.detach().cpu().numpy() for p in (*model.parameters(), *model.buffers())]


def test_a_cnn_training_step_stays_on_the_device(host_log, host_copies):
    """Conv2d, BatchNorm2d, the three pools, Linear, cross_entropy and SGD: no host fallback
    and no device-to-host copy in two steps; the parameters and running statistics are the
    CPU's to float rounding."""
    cpu = _cnn_step("cpu")
    start, copies = host_copies[0], []
    dev = _cnn_step("cuda", lambda: copies.append(host_copies[0] - start))
    assert host_log() == []
    assert copies == [0]
    for d, c in zip(dev, cpu, strict=True):
        np.testing.assert_allclose(d, c, rtol=1e-5, atol=1e-6)
