"""float16 and bfloat16 elementwise work on the device, bitwise the CPU's (issue 15).

jitgrad holds both types as float32 values the type can represent (:mod:`jitgrad.lowp`); the
CPU computes each op in float32 and rounds its result once. The device's rendered kernels
(one op, a fused chain, a backward) must round at the same places: these compare the bit
patterns with the CPU's, and the device rounding itself with hand-worked values.
"""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad as torch
from jitgrad.backends.cuda import deferred, devmath, render, runtime

LOWP = [torch.bfloat16, torch.float16]
RNG = np.random.default_rng(15)
A = RNG.standard_normal((3, 4)).astype(np.float32)
B = RNG.standard_normal((3, 4)).astype(np.float32) + 1.5
ROW = RNG.standard_normal(4).astype(np.float32)  # broadcast: its gradient is accumulated

OPS = {
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "sub_scalar": lambda a, b: a - 0.3,
    "exp": lambda a, b: a.exp(),
    "sin": lambda a, b: a.sin(),
    "sigmoid": lambda a, b: a.sigmoid(),
    "pow": lambda a, b: a.abs() ** 1.7,
    "gt": lambda a, b: a > b - 1,  # computed in the reduced type, a bool result
    "to_float32": lambda a, b: a.float() * 1.1,  # promoted: float32 result
    "from_float32": lambda a, b: (a.float() * 1.1).to(b.dtype),  # float32 rounded to the type
    "chain": lambda a, b: ((a * b + a).exp() * b - 1).tanh(),
}


def _bits(t) -> np.ndarray:
    """The bit patterns of a tensor's values (float32-held: the values are the type's)."""
    v = t.detach().cpu()
    if v.dtype is torch.bool:
        return v.numpy()
    return v.float().numpy().view(np.uint32)


def _raw_bits(t) -> np.ndarray:
    """The bit patterns of the values a tensor holds where it is: ``.cpu()`` rounds a host
    copy itself, which hid a device kernel's unrounded float32 result."""
    v = t.detach()
    if v.device.type == "cuda":
        v.sum()  # (a deferred value computed)
        return np.ascontiguousarray(runtime.to_host(v._value), np.float32).view(np.uint32)
    return np.ascontiguousarray(v._value, np.float32).view(np.uint32)


def _tensors(device: str, dt, grad: bool = False):
    return [
        torch.tensor(x, device=device).to(dt).detach().requires_grad_(grad) for x in (A, B, ROW)
    ]


@pytest.mark.parametrize("dt", LOWP, ids=str)
@pytest.mark.parametrize("name", list(OPS))
def test_forward_is_bitwise_the_cpus(name, dt):
    f = OPS[name]
    cpu = f(*_tensors("cpu", dt)[:2])
    dev = f(*_tensors("cuda", dt)[:2])
    assert dev.dtype is cpu.dtype and dev.device.type == "cuda"
    np.testing.assert_array_equal(_bits(dev), _bits(cpu))


@pytest.mark.parametrize("dt", LOWP, ids=str)
def test_a_chain_is_one_kernel_rounding_after_each_op(dt):
    a, b, _ = _tensors("cuda", dt)
    before = deferred.LAUNCHES[0]
    y = OPS["chain"](a, b)
    _bits(y)
    assert deferred.LAUNCHES[0] - before == 1
    sources = "".join(render._SOURCES.values())
    assert "np.bfloat16" not in sources and "np.float16" not in sources
    assert f"_k.round_{str(dt).split('.')[-1]}(" in sources
    np.testing.assert_array_equal(_bits(y), _bits(OPS["chain"](*_tensors("cpu", dt)[:2])))


@pytest.mark.parametrize("lazy", [True, False], ids=["deferred", "eager"])
@pytest.mark.parametrize("dt", LOWP, ids=str)
def test_backward_is_bitwise_the_cpus(dt, lazy, monkeypatch):
    """A chain's gradients (a two-use operand, a broadcast one, a mean loss); the float16
    device backward used to round inside the gradient expression (1 ulp off the CPU)."""
    if not lazy:
        monkeypatch.setattr(deferred.LAZY, "enabled", False)
        monkeypatch.setattr(deferred.LAZY, "min_size", __import__("sys").maxsize)
    grads = []
    for device in ("cpu", "cuda"):
        a, b, r = _tensors(device, dt, grad=True)
        loss = (((a * b + a).exp() * r - b).sigmoid() * 3).mean()
        loss.backward()
        # (eager: the mean is a reduction kernel, rounded by _make as the CPU's; deferred:
        # the chain kernel's epilogue)
        grads.append([_raw_bits(loss), *(_bits(x.grad) for x in (a, b, r))])
    for c, d in zip(*grads, strict=True):
        np.testing.assert_array_equal(d, c)


@pytest.mark.parametrize(
    ("fn", "x", "want"),
    [
        ("round_bfloat16", 1.0 + 2.0**-8, 1.0),  # a tie: to the even neighbour (down)
        ("round_bfloat16", 1.0 + 3 * 2.0**-8, 1.0 + 2.0**-6),  # a tie: to the even one (up)
        ("round_bfloat16", 1.0 + 2.0**-8 + 2.0**-20, 1.0 + 2.0**-7),  # past the tie: up
        ("round_bfloat16", -3.4e38, -np.inf),  # past the largest bfloat16 (3.3895e38)
        ("round_float16", 1.0 + 2.0**-11, 1.0),  # a tie: to the even neighbour
        ("round_float16", 65520.0, np.inf),  # the tie above 65504: to the even one, inf
    ],
)
def test_device_rounding_by_hand(fn, x, want):
    got = getattr(devmath, fn)(np.float32(x))
    assert np.asarray(got).dtype == np.float32 and float(got) == want


def test_device_bfloat16_rounding_keeps_nan_quiet():
    got = devmath.round_bfloat16(np.float32("nan"))
    assert np.asarray(got, np.float32).view(np.uint32) == 0x7FC00000


F = torch.nn.functional
M = RNG.standard_normal((4, 3)).astype(np.float32)
W = RNG.standard_normal((2, 4)).astype(np.float32)
#: ops whose device kernels compute in float32 (reductions, products, row kernels): the
#: result must be rounded to the type as the CPU rounds it, before the next op reads it
KERNEL_OPS = {
    "sum": lambda a, m, w: a.sum(),
    "sum_dim": lambda a, m, w: a.sum(1),
    "sum_keepdim": lambda a, m, w: a.sum(0, keepdim=True),
    "mean": lambda a, m, w: a.mean(),
    "mean_dim": lambda a, m, w: a.mean(1),
    "norm": lambda a, m, w: a.norm(),
    "mm": lambda a, m, w: a @ m,
    "bmm": lambda a, m, w: torch.bmm(a[None], m[None]),
    "linear": lambda a, m, w: F.linear(a, w),
    "softmax": lambda a, m, w: a.softmax(1),
    "log_softmax": lambda a, m, w: a.log_softmax(-1),
    "layer_norm": lambda a, m, w: F.layer_norm(a, (4,)),
    "cross_entropy": lambda a, m, w: F.cross_entropy(a, torch.tensor([0, 3, 1], device=a.device)),
}


@pytest.mark.parametrize("dt", LOWP, ids=str)
@pytest.mark.parametrize("name", list(KERNEL_OPS))
def test_kernel_ops_round_as_the_cpu(name, dt):
    """Their device results were float32 values in the buffer (``.cpu()`` rounded the copy,
    so only the next op on the device saw the difference); a float16 sum was even typed
    float32. Values and gradients, bitwise the CPU's."""
    results = []
    for device in ("cpu", "cuda"):
        a, m, w = (torch.tensor(x, device=device).to(dt).requires_grad_() for x in (A, M, W))
        out = KERNEL_OPS[name](a, m, w)
        weights = torch.linspace(0.5, 1.5, out.numel(), device=device).reshape(out.shape)
        (out.float() * weights).sum().backward()
        grads = [_raw_bits(x.grad) for x in (a, m, w) if x.grad is not None]
        results.append((out.dtype, _raw_bits(out), grads))
    assert results[1][0] is results[0][0] is dt
    np.testing.assert_array_equal(results[1][1], results[0][1])
    assert len(results[1][2]) == len(results[0][2])
    for d, c in zip(results[1][2], results[0][2], strict=True):
        np.testing.assert_array_equal(d, c)
