"""The last ops that went through the host fallback, now device kernels (session 13, issue
15): ``F.interpolate`` in every mode (forward, backward, double backward), complex128
``**``, the float64 bit helpers (``nextafter``, ``ldexp``), integer and complex
convolutions. Each case runs the same call on the
CPU and on device copies with the host fallback refused (``no_fallback``) and compares
values, dtypes, node names and gradients."""

from __future__ import annotations

import cmath
import math

import numpy as np
import pytest
from complex_conv_cases import CASES as COMPLEX_CONVS
from complex_conv_cases import run as run_complex

import jitgrad as torch
from jitgrad.backends.cuda import render

F = torch.nn.functional
RNG = np.random.default_rng(13)
TOL = {np.float32: dict(rtol=1e-5, atol=1e-6), np.float64: dict(rtol=1e-12, atol=1e-13)}


def _pair(a: np.ndarray, dtype=None):
    """A CPU leaf and a device leaf holding ``a`` (in ``dtype`` when given)."""
    c = torch.tensor(a, dtype=dtype, requires_grad=True)
    d = torch.tensor(a, dtype=dtype).cuda().requires_grad_()
    return c, d


def _same(fn, a: np.ndarray, dtype=None, tol=None):
    """``fn`` on the CPU and on the device: dtype, node, value and gradient compared."""
    xc, xd = _pair(a, dtype)
    oc, od = fn(xc), fn(xd)
    assert od.is_cuda and od.dtype == oc.dtype and tuple(od.shape) == tuple(oc.shape)
    assert od.grad_fn.name() == oc.grad_fn.name()
    tol = tol or TOL[a.dtype.type]
    np.testing.assert_allclose(od.detach().cpu().float().numpy(), oc.detach().float().numpy(),
                               **tol)  # fmt: skip
    w = RNG.standard_normal(tuple(oc.shape)).astype(a.dtype)
    wc, wd = torch.tensor(w, dtype=oc.dtype), torch.tensor(w, dtype=oc.dtype).cuda()
    (oc * wc).sum().backward()
    (od * wd).sum().backward()
    assert xd.grad.is_cuda
    np.testing.assert_allclose(xd.grad.cpu().float().numpy(), xc.grad.float().numpy(), **tol)
    return od


# ---- F.interpolate ----------------------------------------------------------------------------
INTERPOLATE = {
    "nearest_1d": ((2, 3, 5), dict(scale_factor=2)),
    "nearest_2d_size": ((1, 2, 4, 5), dict(size=(7, 3))),
    "nearest_3d": ((1, 1, 2, 3, 2), dict(scale_factor=(2, 1.5, 2))),
    "nearest_exact": ((1, 2, 5, 4), dict(size=(3, 7), mode="nearest-exact")),
    "linear": ((2, 2, 5), dict(scale_factor=1.6, mode="linear")),
    "linear_align": ((1, 3, 4), dict(size=7, mode="linear", align_corners=True)),
    "bilinear": ((1, 2, 4, 5), dict(size=(7, 3), mode="bilinear")),
    "bilinear_align": ((2, 1, 3, 4), dict(scale_factor=2, mode="bilinear", align_corners=True)),
    "bilinear_recompute": (
        (1, 1, 5, 4),
        dict(scale_factor=1.3, mode="bilinear", recompute_scale_factor=True),
    ),
    "bicubic": ((1, 1, 4, 5), dict(scale_factor=1.7, mode="bicubic")),
    "bicubic_align_down": ((1, 2, 6, 5), dict(size=(3, 4), mode="bicubic", align_corners=True)),
    "trilinear": ((1, 2, 3, 4, 2), dict(scale_factor=2, mode="trilinear")),
    "trilinear_align": (
        (1, 1, 2, 3, 3),
        dict(size=(3, 2, 5), mode="trilinear", align_corners=True),
    ),  # fmt: skip
    "area": ((1, 2, 6, 6), dict(size=(4, 3), mode="area")),
}


@pytest.mark.parametrize("name", INTERPOLATE)
@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_interpolate_on_the_device(name, dt, no_fallback):
    shape, kw = INTERPOLATE[name]
    _same(lambda x: F.interpolate(x, **kw), RNG.standard_normal(shape).astype(dt))


def test_interpolate_float16(no_fallback):
    a = RNG.standard_normal((1, 2, 3, 4)).astype(np.float32)
    tol = dict(rtol=2e-3, atol=2e-3)
    _same(lambda x: F.interpolate(x, scale_factor=2, mode="bilinear"), a, torch.float16, tol)


@pytest.mark.parametrize("mode", ["nearest", "bilinear", "bicubic"])
def test_interpolate_empty_batch(mode, no_fallback):
    a = np.zeros((0, 2, 3, 4), np.float32)
    out = _same(lambda x: F.interpolate(x, size=(5, 2), mode=mode), a)
    assert tuple(out.shape) == (0, 2, 5, 2)


def test_interpolate_of_a_view_and_a_broadcast_operand(no_fallback):
    """A transposed (strided) input, and an output that meets a broadcast operand."""
    a = RNG.standard_normal((2, 3, 4, 5)).astype(np.float32)
    bias = torch.tensor(RNG.standard_normal((3, 1, 1)).astype(np.float32))
    bias_d = bias.cuda()

    def fn(x):
        b = bias_d if x.is_cuda else bias
        return F.interpolate(x.transpose(2, 3), size=(6, 3), mode="bilinear") * b

    _same(fn, a)


@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
def test_interpolate_double_backward(mode, no_fallback):
    """``create_graph``: the gradient is recorded (the CPU's node) and differentiable again."""
    a = RNG.standard_normal((1, 2, 3, 4))
    xs, grads = _pair(a), []
    for x in xs:
        out = F.interpolate(x, scale_factor=2, mode=mode)
        (g,) = torch.autograd.grad((out * out).sum(), x, create_graph=True)
        (g * g.sin()).sum().backward()
        grads.append((g, x.grad))
    (gc, xgc), (gd, xgd) = grads
    assert gd.grad_fn.name() == gc.grad_fn.name() == INTERPOLATE_NODE[mode]
    np.testing.assert_allclose(gd.detach().cpu().numpy(), gc.detach().numpy(), **TOL[np.float64])
    np.testing.assert_allclose(xgd.cpu().numpy(), xgc.numpy(), **TOL[np.float64])


INTERPOLATE_NODE = {
    "bilinear": "UpsampleBilinear2DBackward0",
    "nearest": "UpsampleNearest2DBackward0",
}


def test_interpolate_backward_is_deterministic(no_fallback):
    """The gather form adds in a fixed order: the same bits every run."""
    a = RNG.standard_normal((1, 1, 5, 6)).astype(np.float32)
    w = torch.tensor(RNG.standard_normal((1, 1, 13, 9)).astype(np.float32)).cuda()
    grads = []
    for _ in range(2):
        x = torch.tensor(a).cuda().requires_grad_()
        (F.interpolate(x, size=(13, 9), mode="bicubic") * w).sum().backward()
        grads.append(x.grad.cpu().numpy().tobytes())
    assert grads[0] == grads[1]


def test_upsample_alias_and_module(no_fallback):
    a = RNG.standard_normal((1, 2, 3, 3)).astype(np.float32)
    _same(lambda x: F.upsample(x, scale_factor=2, mode="nearest"), a)
    up = torch.nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)
    _same(up, a)


def test_upsampling_step_stays_on_the_device(no_fallback, host_copies):
    """Two SGD steps through a conv-upsample decoder: no host fallback and no device-to-host
    copy before the parameters are read; parameters are the CPU's to float rounding."""

    def step(device, before_readback=None):
        torch.manual_seed(0)
        nn = torch.nn
        model = nn.Sequential(
            nn.Conv2d(1, 2, 3, padding=1), nn.Upsample(scale_factor=2, mode="bilinear"),
            nn.ReLU(), nn.Conv2d(2, 1, 3, padding=1),
        ).to(device)  # fmt: skip
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        x = torch.tensor(np.linspace(-1, 1, 16, dtype=np.float32).reshape(1, 1, 4, 4),
                         device=device)  # fmt: skip
        target = torch.tensor(np.linspace(1, -1, 64, dtype=np.float32).reshape(1, 1, 8, 8),
                              device=device)  # fmt: skip
        for _ in range(2):
            opt.zero_grad()
            F.mse_loss(model(x), target).backward()
            opt.step()
        if before_readback is not None:
            before_readback()
        return [p.detach().cpu().numpy() for p in model.parameters()]

    cpu = step("cpu")
    start, copies = host_copies[0], []
    dev = step("cuda", lambda: copies.append(host_copies[0] - start))
    assert copies == [0]
    for d, c in zip(dev, cpu, strict=True):
        np.testing.assert_allclose(d, c, rtol=1e-5, atol=1e-6)


# ---- complex128 ** -----------------------------------------------------------------------------
def test_complex128_pow_renders_the_device_helper(no_fallback):
    """Numba's CUDA ``**`` returns 0 when both real parts are 0; the device kernel calls
    ``_k.pow_complex128`` (CPython's algorithm) instead."""
    z = torch.tensor([1j, 2 + 1j, 0j], dtype=torch.complex128).cuda()
    w = torch.tensor([0.5j, 0.5j, 0.5j], dtype=torch.complex128).cuda()
    got = (z**w).cpu().numpy()
    assert abs(got[0] - math.exp(-math.pi / 4)) < 1e-15  # 1j ** 0.5j = exp(0.5j * log(1j))
    assert abs(got[1] - cmath.exp(0.5j * cmath.log(2 + 1j))) < 1e-15
    assert np.isnan(got[2].real)  # 0 ** (complex): NaN, as the CPU's numba_cpow
    sources = [s for s in render._SOURCES.values() if "pow_complex128" in s]
    assert sources, "no rendered kernel calls _k.pow_complex128"


def test_complex128_pow_values_and_gradients(no_fallback):
    z = np.array([1j, -2 + 0.5j, 0.3 - 1j], np.complex128)
    w = np.array([0.5j, 2 + 0j, -0.5 + 0.25j], np.complex128)
    zc, zd = _pair(z)
    wc, wd = torch.tensor(w), torch.tensor(w).cuda()
    oc, od = zc**wc, zd**wd
    np.testing.assert_allclose(od.detach().cpu().numpy(), oc.detach().numpy(), rtol=1e-13)
    assert od.grad_fn.name() == oc.grad_fn.name()
    oc.abs().sum().backward()
    od.abs().sum().backward()
    np.testing.assert_allclose(zd.grad.cpu().numpy(), zc.grad.numpy(), rtol=1e-12)


# ---- nextafter / ldexp in float64 -------------------------------------------------------------
def test_nextafter_and_ldexp_float64(no_fallback):
    a = np.array([1.0, -0.0, 2.5e-308, np.inf, -3.0], np.float64)
    b = np.array([2.0, -1.0, 0.0, 0.0, -np.inf], np.float64)
    e = np.array([3, -1070, 5, -2, 1020], np.int64)  # (no overflow: Python's ldexp raises)
    nc = torch.nextafter(torch.tensor(a), torch.tensor(b))
    nd = torch.nextafter(torch.tensor(a).cuda(), torch.tensor(b).cuda())
    np.testing.assert_array_equal(nd.cpu().numpy(), nc.numpy())
    assert nd.cpu().numpy()[0] == np.nextafter(1.0, 2.0)
    lc = torch.ldexp(torch.tensor(a), torch.tensor(e))
    ld = torch.ldexp(torch.tensor(a).cuda(), torch.tensor(e).cuda())
    np.testing.assert_array_equal(ld.cpu().numpy(), lc.numpy())
    assert ld.cpu().numpy()[0] == 8.0


# ---- integer and complex convolutions ---------------------------------------------------------
def _ints(shape, dtype, seed):
    return np.random.default_rng(seed).integers(-9, 10, shape).astype(dtype)


INT_CONVS = {
    "conv2d_int64_groups": (lambda x, w, b: F.conv2d(x, w, b, padding=1, groups=2),
                            (2, 4, 4, 5), (4, 2, 3, 3), (4,), np.int64),
    "conv2d_int8_wraps": (lambda x, w, b: F.conv2d(x, w * 13, b), (1, 3, 5, 5), (2, 3, 3, 3),
                          (2,), np.int8),
    "conv2d_uint8_unbatched": (lambda x, w, b: F.conv2d(x.abs(), w.abs(), stride=2),
                               (3, 5, 5), (2, 3, 2, 2), None, np.uint8),
    "conv1d_int32_dilated": (lambda x, w, b: F.conv1d(x, w, b, dilation=2),
                             (2, 2, 7), (3, 2, 2), (3,), np.int32),
    "conv3d_int16": (lambda x, w, b: F.conv3d(x, w), (1, 1, 3, 3, 3), (2, 1, 2, 2, 2), None,
                     np.int16),
    "conv_transpose2d_int64": (lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2),
                               (1, 2, 3, 3), (2, 3, 2, 2), (3,), np.int64),
    "conv_transpose1d_int64": (lambda x, w, b: F.conv_transpose1d(x, w, b, padding=1),
                               (1, 2, 4), (2, 1, 3), None, np.int64),
    "conv2d_int64_empty_batch": (lambda x, w, b: F.conv2d(x, w, b), (0, 2, 4, 4), (3, 2, 2, 2),
                                 (3,), np.int64),
}  # fmt: skip


@pytest.mark.parametrize("name", INT_CONVS)
def test_integer_convolution_on_the_device(name, no_fallback):
    fn, *shapes, dt = INT_CONVS[name]
    arrays = [None if s is None else _ints(s, dt, i) for i, s in enumerate(shapes)]
    cpu = fn(*[None if a is None else torch.tensor(a) for a in arrays])
    dev = fn(*[None if a is None else torch.tensor(a).cuda() for a in arrays])
    assert dev.is_cuda and dev.dtype == cpu.dtype and tuple(dev.shape) == tuple(cpu.shape)
    np.testing.assert_array_equal(dev.cpu().numpy(), cpu.numpy())


#: every case in complex64, two in complex128 (the simulator's time: three convolutions each)
COMPLEX_ROWS = [(n, "complex64") for n in COMPLEX_CONVS] + [
    ("conv1d_padded", "complex128"),
    ("conv_transpose2d", "complex128"),
]


@pytest.mark.parametrize("name,dtype", COMPLEX_ROWS)
def test_complex_convolution_on_the_device(name, dtype, no_fallback):
    """The CPU's three real convolutions (PyTorch's ``AddBackward0``), each on the device."""
    dt = getattr(torch, dtype)
    cpu, dev = run_complex(torch, name, dt), run_complex(torch, name, dt, "cuda")
    tol = TOL[np.float32 if dtype == "complex64" else np.float64]
    assert dev["node"] == cpu["node"] and dev["out"].is_cuda and dev["out"].dtype == dt
    np.testing.assert_allclose(dev["out"].detach().cpu().numpy(), cpu["out"].detach().numpy(),
                               **tol)  # fmt: skip
    for d, c in zip(dev["grads"], cpu["grads"], strict=True):
        assert (d is None) == (c is None)
        if c is not None:
            np.testing.assert_allclose(d.cpu().numpy(), c.numpy(), **tol)


def test_float_convolution_of_an_empty_batch(no_fallback):
    """An empty batch (numba's device reshape refuses some empty reshapes: now views)."""
    w = RNG.standard_normal((3, 2, 2, 2)).astype(np.float32)
    out = _same(lambda x: F.conv2d(x, torch.tensor(w, device=x.device)), np.zeros((0, 2, 4, 4),
                np.float32))  # fmt: skip
    assert tuple(out.shape) == (0, 3, 3, 3)


# ---- in-place storage and geometry ops, in-place ops through views -------------------------------
def test_resize_keeps_shares_and_grows_on_the_device(no_fallback):
    for dev in ("cpu", "cuda"):
        y = torch.arange(6.0, device=dev)
        ptr = y.data_ptr()
        small = y.resize_(2, 2)
        assert small is y and y.is_cuda == (dev == "cuda") and y.data_ptr() == ptr
        np.testing.assert_array_equal(y.cpu().numpy(), [[0.0, 1.0], [2.0, 3.0]])
        y.resize_(size=(3, 3))  # grown: the first elements kept, zeros after (the CPU's)
        assert tuple(y.shape) == (3, 3)
        np.testing.assert_array_equal(y.cpu().numpy().ravel()[:4], [0.0, 1.0, 2.0, 3.0])
        np.testing.assert_array_equal(y.cpu().numpy().ravel()[4:], 0.0)
        assert tuple(y.resize_as_(torch.ones(2)).shape) == (2,)
        assert tuple(torch.zeros(0, device=dev).resize_(2, 0).shape) == (2, 0)
        leaf = torch.ones(2, device=dev, requires_grad=True)
        with pytest.raises(RuntimeError, match="^cannot resize variables that require grad$"):
            leaf.resize_(3)


def test_set_shares_the_source_buffer(no_fallback):
    a = torch.zeros(2, device="cuda")
    b = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64, device="cuda")
    assert a.set_(b) is a
    assert a.data_ptr() == b.data_ptr() and a.dtype == torch.float64 and tuple(a.shape) == (3,)
    b.mul_(2)  # one buffer: the write shows through a
    np.testing.assert_array_equal(a.cpu().numpy(), [2.0, 4.0, 6.0])
    assert tuple(a.set_().shape) == (0,) and a.is_cuda


def test_as_strided_in_place(no_fallback):
    outs = []
    for dev in ("cpu", "cuda"):
        x = torch.arange(6.0, device=dev)
        assert x.as_strided_((2, 2), (1, 2)) is x
        leaf = torch.ones(4, device=dev, requires_grad=True)
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
            leaf.as_strided_((2,), (1,))
        w = torch.arange(1.0, 7.0, device=dev, requires_grad=True)
        y = w * 1
        y.as_strided_((2, 2), (2, 1), 1)
        (y * torch.tensor([[1.0, 2.0], [3.0, 4.0]], device=dev)).sum().backward()
        outs.append((x.cpu().numpy(), y.detach().cpu().numpy(), y.grad_fn.name(), w.grad.cpu()))
    (xc, yc, nc, gc), (xd, yd, nd, gd) = outs
    np.testing.assert_array_equal(xd, xc)
    np.testing.assert_array_equal(yd, yc)
    assert nd == nc == "AsStridedBackward0"
    np.testing.assert_array_equal(gd.numpy(), gc.numpy())


@pytest.mark.parametrize(
    "fn",
    [lambda y: y[1:].cumsum_(0), lambda y: y[:, 1].cumprod_(0), lambda y: y.t()[0].cumsum_(0)],
    ids=["slice_cumsum_", "column_cumprod_", "transposed_row_cumsum_"],
)
def test_inplace_op_through_a_view_rebases_the_root(fn, no_fallback):
    """``y[1:].cumsum_(0)`` with ``y`` from a graph: the CPU rebases ``y`` through the view
    (``CopySlices``); the device does the same with device ops (it refused before)."""
    a = RNG.standard_normal((4, 3)).astype(np.float64)
    w = RNG.standard_normal((4, 3))
    got = []
    for dev in ("cpu", "cuda"):
        x = torch.tensor(a, device=dev, requires_grad=True)
        y = x * 1
        fn(y)
        (y * torch.tensor(w, device=dev)).sum().backward()
        got.append((y.detach().cpu().numpy(), y.grad_fn.name(), y._version, x.grad.cpu().numpy()))
    (yc, nc, vc, gc), (yd, nd, vd, gd) = got
    assert nd == nc and vd == vc
    np.testing.assert_allclose(yd, yc, **TOL[np.float64])
    np.testing.assert_allclose(gd, gc, **TOL[np.float64])


def test_as_subclass_keeps_its_class(no_fallback):
    p = torch.ones(2, device="cuda", requires_grad=True)
    q = (p * 2).as_subclass(torch.nn.Parameter)
    assert type(q).__name__ == "Parameter" and q.is_cuda and q.grad_fn.name() == "AliasBackward0"
    q.sum().backward()
    np.testing.assert_array_equal(p.grad.cpu().numpy(), [2.0, 2.0])
