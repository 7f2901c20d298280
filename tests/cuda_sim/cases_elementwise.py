"""Every declared elementwise op on the device vs the CPU: forward values and gradients.

Rows come from ``tests/op_cases.py`` (the CPU suite's table); the CPU result is the
reference, so each row checks the CUDA kernels rendered from the same kernel descriptions.
"""

from __future__ import annotations

import numpy as np
import pytest
from op_cases import CASES

import jitgrad as torch


def _shape_sets(case):
    sets = [case.shapes]
    sets += [s for s in case.extra_shape_sets if all(0 not in shape for shape in s)][:1]
    return sets


ROWS = [(case, shapes) for case in CASES for shapes in _shape_sets(case)]
#: Rows whose public function runs through the host fallback (values and gradients are the
#: CPU's; the result's node is the copy back, ToCopyBackward0).
FALLBACK: set[str] = set()


def _run(case, arrays, device):
    needs = case.grad_inputs()  # the inputs the row differentiates (igamma's a: none)
    xs = [torch.tensor(a, device=device, requires_grad=n) for a, n in zip(arrays, needs)]
    out = case.call(torch, *xs)
    grads = None
    if out.requires_grad:
        w = torch.tensor(np.linspace(0.5, 1.5, out.numel(), dtype=np.float32).reshape(out.shape))
        (out * w.to(device)).sum().backward()
        grads = [None if x.grad is None else x.grad.cpu().numpy() for x in xs]
    return out, grads


@pytest.mark.parametrize(
    "case,shapes", ROWS, ids=[f"{c.op}-{'x'.join(map(str, s))}" for c, s in ROWS]
)
def test_elementwise_op_on_device_matches_cpu(case, shapes):
    rng = np.random.default_rng(0)
    arrays = case.sample(rng, shapes, np.float32)
    cpu, cpu_grads = _run(case, arrays, "cpu")
    dev, dev_grads = _run(case, arrays, "cuda")
    assert dev.device == torch.device("cuda", 0)
    assert dev.dtype == cpu.dtype and dev.shape == cpu.shape
    np.testing.assert_allclose(
        dev.cpu().detach().numpy(), cpu.detach().numpy(), case.rtol, case.atol
    )
    if cpu_grads is not None:
        if case.op not in FALLBACK:
            assert dev.grad_fn.name() == cpu.grad_fn.name()
        for g_dev, g_cpu in zip(dev_grads, cpu_grads, strict=True):
            assert (g_dev is None) == (g_cpu is None)
            if g_cpu is not None:
                np.testing.assert_allclose(g_dev, g_cpu, case.rtol, case.atol)


def test_fused_and_unfused_chains_agree_on_device():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((2, 4, 8)).astype(np.float32)
    results = []
    for fused in (True, False):
        with torch.fusion(fused):
            x = torch.tensor(a, device="cuda", requires_grad=True)
            y = torch.tensor(b[0], device="cuda", requires_grad=True)
            loss = (torch.tanh(x * y + 1.0) * torch.exp(-x)).mean()
            loss.backward()
            results.append((loss.item(), x.grad.cpu().numpy(), y.grad.cpu().numpy()))
    x = torch.tensor(a, requires_grad=True)
    y = torch.tensor(b[0], requires_grad=True)
    loss = (torch.tanh(x * y + 1.0) * torch.exp(-x)).mean()
    loss.backward()
    for value, gx, gy in results:
        assert value == pytest.approx(loss.item(), rel=1e-6)
        np.testing.assert_allclose(gx, x.grad.numpy(), rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(gy, y.grad.numpy(), rtol=1e-5, atol=1e-7)


def test_in_place_elementwise_ops_write_the_device_buffer():
    x = torch.tensor([1.0, -2.0, 3.0], device="cuda")
    x.mul_(2).add_(1)
    x.clamp_(min=0.0)
    assert x.device.type == "cuda"
    assert x.tolist() == [3.0, 0.0, 7.0]
    assert x._version == 3


ACTIVATIONS = {
    "relu6": lambda F, x: F.relu6(x),
    "softsign": lambda F, x: F.softsign(x),
    "tanhshrink": lambda F, x: F.tanhshrink(x),
    "threshold": lambda F, x: F.threshold(x, 0.5, -1.0),
    "mish": lambda F, x: F.mish(x),
    "logsigmoid": lambda F, x: F.logsigmoid(x),
    "hardswish": lambda F, x: F.hardswish(x),
    "hardsigmoid": lambda F, x: F.hardsigmoid(x),
    "celu": lambda F, x: F.celu(x),
    "selu": lambda F, x: F.selu(x),
    "hardtanh": lambda F, x: F.hardtanh(x),
    "elu": lambda F, x: F.elu(x),
    "leaky_relu": lambda F, x: F.leaky_relu(x, 0.1),
    "softplus": lambda F, x: F.softplus(x),
    "silu": lambda F, x: F.silu(x),
    "gelu_tanh": lambda F, x: F.gelu(x, approximate="tanh"),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_functional_activations_run_as_device_kernels(name):
    """``nn.functional`` activations are elementwise ops: device kernels, the CPU's nodes."""
    a = np.linspace(-3, 3, 8).astype(np.float32)
    results = []
    for device in ("cpu", "cuda"):
        x = torch.tensor(a, device=device, requires_grad=True)
        y = ACTIVATIONS[name](torch.nn.functional, x)
        y.sum().backward()
        results.append((y.detach().cpu().numpy(), x.grad.cpu().numpy(), y.grad_fn.name()))
    (v0, g0, n0), (v1, g1, n1) = results
    assert n1 == n0
    np.testing.assert_allclose(v1, v0, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(g1, g0, rtol=1e-5, atol=1e-6)
