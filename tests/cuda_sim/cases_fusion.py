"""Forward fusion on the device: a deferred elementwise chain runs as one generated CUDA kernel
rendered from the CPU's kernel description, with the same values and gradients as the CPU and
as the unfused device path; a full sum/mean is its epilogue; explain and JITGRAD_DEBUG=2 show
the kernel's source."""

from __future__ import annotations

import logging

import numpy as np
import pytest

import jitgrad as torch
from jitgrad import helpers
from jitgrad.backends.cuda import deferred, render

RNG = np.random.default_rng(7)
A = RNG.standard_normal((5, 6)).astype(np.float32)
B = RNG.standard_normal(6).astype(np.float32)


def _chain(a, b):
    """Five elementwise ops, a broadcast operand, Python scalars and a 0-d tensor."""
    h = a * b + 1.5
    return ((h.tanh() * torch.tensor(2.0, device=a.device) - b).exp() / (h * h + 1)).sigmoid()


def _launches(fn):
    """(result, generated kernels launched, fused chain kernels launched) while ``fn`` runs."""
    before, chains = render.LAUNCHES[0], deferred.LAUNCHES[0]
    out = fn()
    return out, render.LAUNCHES[0] - before, deferred.LAUNCHES[0] - chains


def _dev(x: np.ndarray, grad: bool = False):
    return torch.tensor(x, device="cuda", requires_grad=grad)


def test_a_chain_is_one_kernel_with_the_values_of_the_cpu_and_of_the_unfused_device_path():
    a, b = _dev(A), _dev(B)
    y, launched, _ = _launches(lambda: _chain(a, b))
    assert launched == 0 and y.shape == (5, 6) and y.is_cuda and y.device.type == "cuda"
    value, launched, chains = _launches(lambda: y.cpu().numpy())
    assert launched == 1 and chains == 1
    with torch.fusion(False):
        unfused, eager_launches, chains = _launches(lambda: _chain(a, b).cpu().numpy())
    assert eager_launches >= 7 and chains == 0
    cpu = _chain(torch.tensor(A), torch.tensor(B)).numpy()
    np.testing.assert_allclose(value, unfused, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(value, cpu, rtol=1e-6, atol=1e-7)


def test_jitgrad_lazy_0_style_switch_off_runs_each_op(monkeypatch):
    monkeypatch.setattr(deferred.LAZY, "enabled", False)
    monkeypatch.setattr(deferred.LAZY, "min_size", __import__("sys").maxsize)
    a, b = _dev(A), _dev(B)
    _, launched, _ = _launches(lambda: (a * b + 1).exp())
    assert launched == 3


def test_gradients_through_a_fused_chain_match_the_cpu_and_the_unfused_device_path():
    def grads(device, fuse):
        a = torch.tensor(A, device=device, requires_grad=True)
        b = torch.tensor(B, device=device, requires_grad=True)
        with torch.fusion(fuse):
            y = _chain(a, b)
            (y * torch.linspace(0.5, 1.5, 30).reshape(5, 6).to(device)).sum().backward()
        return y.detach().cpu().numpy(), a.grad.cpu().numpy(), b.grad.cpu().numpy()

    fused, unfused, cpu = grads("cuda", True), grads("cuda", False), grads("cpu", True)
    for f, u, c in zip(fused, unfused, cpu, strict=True):
        np.testing.assert_allclose(f, u, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(f, c, rtol=1e-5, atol=1e-6)


def test_a_value_still_referenced_is_stored_by_the_same_kernel():
    a, b = _dev(A), _dev(B)
    h = a * b  # kept: the user holds it
    y = (h + 1).exp() * h
    out, launched, chains = _launches(lambda: (y.cpu().numpy(), h.cpu().numpy()))
    assert launched == 1 and chains == 1
    np.testing.assert_allclose(out[1], A * B, rtol=1e-6)
    np.testing.assert_allclose(out[0], np.exp(A * B + 1) * (A * B), rtol=1e-5)


@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_a_full_reduction_is_the_chains_epilogue(reduction):
    def loss(a, b):
        return getattr((a - b) ** 2, reduction)()

    a, b = _dev(A, grad=True), _dev(B)
    out, _, chains = _launches(lambda: loss(a, b))
    # a loss a backward may follow stays deferred (cases_joint.py); read, it is the epilogue
    assert chains == 0 and out.shape == () and out.grad_fn.name().startswith(reduction.title())
    value, _, chains = _launches(out.item)
    assert chains == 1
    ca = torch.tensor(A, requires_grad=True)
    expected = loss(ca, torch.tensor(B))
    np.testing.assert_allclose(value, expected.item(), rtol=1e-5)
    with torch.no_grad():
        _, _, chains = _launches(lambda: loss(a, b))
    assert chains == 1  # no backward can follow: the epilogue at once
    out.backward()
    expected.backward()
    np.testing.assert_allclose(a.grad.cpu().numpy(), ca.grad.numpy(), rtol=1e-5, atol=1e-6)
    kept = loss(a, b)  # keepdim on a full reduction keeps every dim at 1
    assert getattr((a - b) ** 2, reduction)((0, 1), keepdim=True).shape == (1, 1)
    np.testing.assert_allclose(kept.item(), expected.item(), rtol=1e-5)


def test_an_inplace_write_to_an_input_runs_the_pending_chain_first():
    x = _dev(A.copy())
    y = x * 2 + 1
    x.add_(10)
    np.testing.assert_allclose(y.cpu().numpy(), A * 2 + 1, rtol=1e-6)
    np.testing.assert_allclose(x.cpu().numpy(), A + 10, rtol=1e-6)


def test_dtype_promotion_matches_the_cpu():
    i = torch.arange(6, device="cuda")  # int64
    f = _dev(B)
    d = torch.tensor(2.5, dtype=torch.float64, device="cuda")  # 0-d: promotes like a scalar
    y = (i * 2 + f) * d
    cpu = (torch.arange(6) * 2 + torch.tensor(B)) * torch.tensor(2.5, dtype=torch.float64)
    assert y.dtype == cpu.dtype == torch.float32
    np.testing.assert_allclose(y.cpu().numpy(), cpu.numpy(), rtol=1e-6)
    assert ((i + 1) * 3).cpu().tolist() == [3, 6, 9, 12, 15, 18]


def test_a_chain_is_capped_at_max_chain_ops():
    def run():
        y = _dev(A)
        for _ in range(deferred.MAX_CHAIN + 5):
            y = y * 1.0 + 0.0
        return y.cpu().numpy()

    value, launched, chains = _launches(run)
    assert chains == launched and 2 <= chains <= 4
    np.testing.assert_allclose(value, A, rtol=1e-6)


def test_explain_and_debug_show_the_fused_cuda_kernel(monkeypatch, caplog):
    monkeypatch.setattr(helpers, "DEBUG", 2)
    render._KERNELS.clear()  # the source is logged when a kernel is built
    render._PREPARED.clear()
    a = _dev(A, grad=True)
    b = _dev(B)
    with caplog.at_level(logging.DEBUG, logger="jitgrad"):
        y = ((a * b).sin() + 1).cos()
        y.cpu()
    logs = "\n".join(r.getMessage() for r in caplog.records)
    assert "@cuda.jit" in logs and "forward of 4 fused ops" in logs
    assert "cuda.grid(1)" in logs and "i += step" in logs  # a grid-stride loop
    report = torch.explain(y, source=True)
    text = str(report)
    assert report.on_device and report.forward[0].kind == "deferred"
    assert report.forward[0].ops == ["mul", "sin", "add", "cos"]
    assert "forward of 4 fused ops" in text and "@cuda.jit" in text and "_cuda(" in text
    assert "np.int64(cuda.grid(1))" in report.forward[0].source  # 64-bit indexing
