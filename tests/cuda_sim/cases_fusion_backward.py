"""Backward fusion on the device: a group of CUDA elementwise nodes runs as one generated CUDA
kernel (the CPU's group analysis and lowering, the CUDA renderer), with the gradients of the
CPU and of the unfused device path; broadcast operands' gradients are summed on the device."""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad as torch
from jitgrad.backends.cuda import fused_backward, render

RNG = np.random.default_rng(11)
A = RNG.standard_normal((4, 5)).astype(np.float32)
B = RNG.standard_normal(5).astype(np.float32)
W = np.linspace(0.5, 1.5, 20, dtype=np.float32).reshape(4, 5)


def _loss(a, b, w):
    h = a * b - 0.5  # b broadcast: its gradient is summed over the rows
    return (((h.sin() * 2 + b) * h).relu() * w).sum()


def _grads(device: str, fuse: bool):
    a = torch.tensor(A, device=device, requires_grad=True)
    b = torch.tensor(B, device=device, requires_grad=True)
    with torch.fusion(fuse):
        loss = _loss(a, b, torch.tensor(W, device=device))
        before = fused_backward.LAUNCHES[0]
        loss.backward()
        groups = fused_backward.LAUNCHES[0] - before
    return loss.item(), a.grad.cpu().numpy(), b.grad.cpu().numpy(), groups


def test_a_backward_chain_is_one_fused_kernel_with_the_gradients_of_the_cpu():
    *fused, groups = _grads("cuda", True)
    *unfused, no_groups = _grads("cuda", False)
    *cpu, _ = _grads("cpu", True)
    assert groups == 1 and no_groups == 0
    for f, u, c in zip(fused, unfused, cpu, strict=True):
        np.testing.assert_allclose(f, u, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(f, c, rtol=1e-5, atol=1e-6)


def test_eager_device_nodes_fuse_too(monkeypatch):
    """Nodes recorded eagerly (deferral off) form the same group."""
    from jitgrad.backends.cuda import deferred

    monkeypatch.setattr(deferred.LAZY, "enabled", False)
    monkeypatch.setattr(deferred.LAZY, "min_size", __import__("sys").maxsize)
    *eager, groups = _grads("cuda", True)
    *cpu, _ = _grads("cpu", True)
    assert groups == 1
    for e, c in zip(eager, cpu, strict=True):
        np.testing.assert_allclose(e, c, rtol=1e-5, atol=1e-6)


def test_a_one_element_operand_gradient_is_reduced_on_the_device():
    a = torch.tensor(A, device="cuda", requires_grad=True)
    s = torch.tensor([0.7], device="cuda", requires_grad=True)
    ((a * s).exp() * s).sum().backward()
    ca = torch.tensor(A, requires_grad=True)
    cs = torch.tensor([0.7], requires_grad=True)
    ((ca * cs).exp() * cs).sum().backward()
    np.testing.assert_allclose(s.grad.cpu().numpy(), cs.grad.numpy(), rtol=1e-5)
    np.testing.assert_allclose(a.grad.cpu().numpy(), ca.grad.numpy(), rtol=1e-5)


def test_retain_graph_runs_the_group_twice_with_the_same_result():
    a = torch.tensor(A, device="cuda", requires_grad=True)
    loss = ((a * 3).sin() * a).sum()
    loss.backward(retain_graph=True)
    first = a.grad.cpu().numpy().copy()
    loss.backward()
    np.testing.assert_allclose(a.grad.cpu().numpy(), 2 * first, rtol=1e-6)


def test_a_hook_on_a_member_keeps_pytorchs_view_of_its_gradient():
    a = torch.tensor(A, device="cuda", requires_grad=True)
    h = a * 2
    seen = []
    h.register_hook(lambda g: seen.append(g.cpu().numpy()))
    (h.exp() * 3).sum().backward()
    np.testing.assert_allclose(seen[0], 3 * np.exp(A * 2), rtol=1e-5)
    np.testing.assert_allclose(a.grad.cpu().numpy(), 6 * np.exp(A * 2), rtol=1e-5)


def test_explain_shows_the_fused_backward_cuda_kernel(monkeypatch):
    from jitgrad.backends.cuda import deferred

    def loss_of(a, b):
        return ((a * b).sin() * 2 + b).sum()

    b = torch.tensor(B, device="cuda", requires_grad=True)
    a = torch.tensor(A, device="cuda", requires_grad=True)
    report = torch.explain(loss_of(a, b))  # a deferred loss: the joint kernel, nothing run
    assert report.groups[0].kernel.endswith("_cuda") and "_joint_" in report.groups[0].kernel
    assert report.groups[0].ops[0] == "SumBackward0" and "not run yet" in report.groups[0].status
    loss = loss_of(a, b)
    loss.item()  # its forward ran (the loss read): the backward group's kernel, not built yet
    report = torch.explain(loss)
    assert report.groups[0].kernel == "(none)" and "not built yet" in report.groups[0].status
    with monkeypatch.context() as m:  # eager nodes: explain builds the kernel, runs nothing
        m.setattr(deferred.LAZY, "enabled", False)
        m.setattr(deferred.LAZY, "min_size", __import__("sys").maxsize)
        report = torch.explain(loss_of(a, b), source=True)
    group = report.groups[0]
    assert len(report.groups) == 1 and group.kernel.endswith("_cuda")
    assert group.ops == ["AddBackward0", "MulBackward0", "SinBackward0", "MulBackward0"]
    assert "@cuda.jit" in group.source and "backward of 4 fused ops" in group.source
    assert "not run yet" in group.status and "@cuda.jit" in str(report)
    loss = loss_of(a, b)
    loss.item()  # (else the joint kernel runs: the test above)
    loss.backward()
    after = torch.explain(loss)
    assert after.groups[0].kernel == group.kernel and "compiled in" in after.groups[0].status
    assert "fusion on, 1 fused group(s)" in str(after)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_fused_backward_in_each_float_dtype(dtype):
    a = torch.tensor(A, device="cuda", dtype=dtype, requires_grad=True)
    ((a * a + 1).log() * 0.5).sum().backward()
    assert a.grad.dtype == dtype
    np.testing.assert_allclose(
        a.grad.cpu().numpy(), A / (A.astype(np.float64) ** 2 + 1), rtol=1e-5, atol=1e-6
    )
    assert render.LAUNCHES[0] > 0


def test_autograd_grad_inputs_and_create_graph_match_the_cpu():
    def run(device):
        a = torch.tensor(A, device=device, requires_grad=True)
        b = torch.tensor(B, device=device, requires_grad=True)
        y = ((a * b).sin() * a + b).sum()
        (ga,) = torch.autograd.grad(y, [a], retain_graph=True)
        (gb,) = torch.autograd.grad(y, b, create_graph=True, retain_graph=True)
        (gg,) = torch.autograd.grad(gb.sum(), a, retain_graph=True)  # through a double backward
        y.backward(inputs=[b])
        assert a.grad is None
        return [t.detach().cpu().numpy() for t in (ga, gb, gg, b.grad)]

    before = fused_backward.LAUNCHES[0]
    dev = run("cuda")
    assert fused_backward.LAUNCHES[0] - before >= 2  # the sweeps without create_graph fuse
    for d, c in zip(dev, run("cpu"), strict=True):
        np.testing.assert_allclose(d, c, rtol=1e-5, atol=1e-6)
