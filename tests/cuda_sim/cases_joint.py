"""The joint forward+backward kernel on the device: ``loss.backward()`` from a deferred
sum/mean of a device chain runs the chain's forward and backward as ONE generated CUDA kernel
(the CPU's joint group layout and lowering, :mod:`jitgrad.backends.cuda.joint`), with the
CPU's loss and gradients."""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad as torch
from jitgrad.backends.cuda import deferred, fused_backward, joint, render

RNG = np.random.default_rng(17)
A = RNG.standard_normal((4, 5)).astype(np.float32)
B = RNG.standard_normal(5).astype(np.float32)


def _chain(a, b):
    h = a * b - 0.5  # b broadcast: its gradient is summed over the rows
    return (h.sin() * 2 + b) * h


def _step(device: str, reduce: str = "mean", read_first: bool = False, launched=None):
    """(loss, grads, fused forward launches, fused backward launches); ``launched`` collects
    the labels of the CUDA kernels the backward launched."""
    a = torch.tensor(A, device=device, requires_grad=True)
    b = torch.tensor(B, device=device, requires_grad=True)
    loss = getattr(_chain(a, b), reduce)()
    if read_first:
        loss.item()
    counts = (deferred.LAUNCHES[0], fused_backward.LAUNCHES[0])
    loss.backward()
    after = (deferred.LAUNCHES[0], fused_backward.LAUNCHES[0])
    value = loss.item()
    grads = (a.grad.cpu().numpy(), b.grad.cpu().numpy())
    return value, grads, tuple(y - x for x, y in zip(counts, after, strict=True))


def _labels(monkeypatch) -> list:
    launched: list = []
    run = render.run

    def counting(spec, shape, operands, *rest):
        launched.append(spec.label)
        return run(spec, shape, operands, *rest)

    monkeypatch.setattr(render, "run", counting)
    return launched


@pytest.mark.parametrize("reduce", ["mean", "sum"])
def test_a_summed_chain_runs_forward_and_backward_as_one_kernel(reduce, monkeypatch):
    launched = _labels(monkeypatch)
    value, grads, (fwd, bwd) = _step("cuda", reduce)
    cpu_value, cpu_grads, _ = _step("cpu", reduce)
    assert (fwd, bwd) == (0, 1)  # no forward kernel: the joint one did it all
    # one generated kernel computes everything; the rest add its per-block partial sums
    # (the loss, the broadcast b's gradient; a mean's loss divided as it is added)
    chain_kernels = [x for x in launched if x != "accumulate"]
    assert len(chain_kernels) == 1 and chain_kernels[0].endswith("_joint"), launched
    assert launched.count("accumulate") == 2, launched
    np.testing.assert_allclose(value, cpu_value, rtol=1e-5)
    for g, c in zip(grads, cpu_grads, strict=True):
        np.testing.assert_allclose(g, c, rtol=1e-5, atol=1e-6)


def test_the_joint_kernel_is_the_cpu_lowering_rendered_for_cuda():
    a = torch.tensor(A, device="cuda", requires_grad=True)
    b = torch.tensor(B, device="cuda", requires_grad=True)
    loss = _chain(a, b).sum()
    assert joint.pending_reduction(loss) is not None  # not computed by the sum
    loss.backward()
    spec = fused_backward._specs
    joints = [s for k, s in spec.items() if k[-1] is True]
    assert joints, "no joint spec was rendered"
    source = render.source(joints[-1])
    assert "summing the loss" in source and "cuda.grid" in source


def test_a_loss_read_before_backward_runs_the_chain_then_the_backward_group(monkeypatch):
    launched = _labels(monkeypatch)
    value, grads, (_, bwd) = _step("cuda", read_first=True)
    cpu_value, cpu_grads, _ = _step("cpu", read_first=True)
    assert bwd == 1 and not any(x.endswith("_joint") for x in launched), launched
    assert any(x.endswith("_fbwd") for x in launched), launched
    np.testing.assert_allclose(value, cpu_value, rtol=1e-5)
    for g, c in zip(grads, cpu_grads, strict=True):
        np.testing.assert_allclose(g, c, rtol=1e-5, atol=1e-6)


def test_an_input_changed_in_place_after_the_forward_raises_pytorchs_error():
    a = torch.tensor(A, device="cuda", requires_grad=True)
    b = torch.tensor(B, device="cuda", requires_grad=True)
    x = a * 1.0
    loss = (x * b).sin().sum()
    with torch.no_grad():
        x.mul_(2.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_a_second_backward_through_a_retained_graph_matches_the_cpu():
    """The first backward runs the joint kernel and stores the loss; the second (the loss no
    longer deferred) runs the chain's backward group: the gradients add up as on the CPU."""
    got = {}
    for dev in ("cpu", "cuda"):
        a = torch.tensor(A.astype(np.float64), device=dev, requires_grad=True)
        b = torch.tensor(B.astype(np.float64), device=dev, requires_grad=True)
        loss = (_chain(a, b) * 3.0).sum()
        loss.backward(retain_graph=True)
        first = a.grad.cpu().numpy().copy()
        loss.backward()
        got[dev] = (loss.item(), first, a.grad.cpu().numpy(), b.grad.cpu().numpy())
    for d, c in zip(got["cuda"], got["cpu"], strict=True):
        np.testing.assert_allclose(d, c, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(got["cuda"][2], 2 * got["cuda"][1], rtol=1e-12)


def test_a_mean_loss_launches_no_kernel_of_its_own_for_the_division(monkeypatch):
    """The mean's 1/n is the joint kernel's (on the loss's gradient) and the loss's last add
    (on its sum): a mean backward launches exactly the kernels a sum backward does."""
    launched = _labels(monkeypatch)
    _step("cuda", "sum")
    summed = list(launched)
    launched.clear()
    value, _, _ = _step("cuda", "mean")
    assert launched == summed, (launched, summed)
    a = torch.tensor(A)
    b = torch.tensor(B)
    assert value == _chain(a, b).mean().item()  # the CPU's sum / n, to the bit


@pytest.mark.parametrize("keepdim", [False, True])
def test_a_mean_over_dims_backward_is_one_broadcast_kernel(keepdim, monkeypatch):
    x = torch.tensor(A, device="cuda", requires_grad=True)
    y = x.mean(0, keepdim=keepdim)
    gy = torch.full(y.shape, 3.0, device="cuda")
    launched = _labels(monkeypatch)
    y.backward(gy)
    assert launched == ["expand"], launched  # g / 4 broadcast to (4, 5): one kernel
    np.testing.assert_array_equal(x.grad.cpu().numpy(), np.full((4, 5), 0.75, np.float32))


def test_a_mean_backward_with_create_graph_records_the_division():
    got = {}
    for dev in ("cpu", "cuda"):
        x = torch.tensor(A.astype(np.float64), device=dev, requires_grad=True)
        v = torch.tensor([1.0, 2.0, 3.0, 4.0], device=dev, dtype=torch.float64, requires_grad=True)
        (g,) = torch.autograd.grad(x.mean(1), x, v, create_graph=True)
        assert g.requires_grad
        (g * g).sum().backward()  # through the recorded v / 5, broadcast
        got[dev] = (g.detach().cpu().numpy(), v.grad.cpu().numpy())
    for d, c in zip(got["cuda"], got["cpu"], strict=True):
        np.testing.assert_allclose(d, c, rtol=1e-15)


@pytest.mark.parametrize("keepdim", [False, True])
def test_a_read_mean_is_the_chain_kernels_epilogue_divided_as_it_is_added(keepdim, monkeypatch):
    """Read without a backward, a mean of a chain is its kernel's epilogue: the chain kernel
    and the add of its partial sums (which divides), as for a sum; the CPU's bits."""
    got = {}
    for reduce in ("sum", "mean"):
        a = torch.tensor(A, device="cuda")
        b = torch.tensor(B, device="cuda")
        launched = _labels(monkeypatch)
        x = _chain(a, b)
        value = x.mean((0, 1), keepdim=keepdim) if reduce == "mean" else x.sum()
        got[reduce] = value.cpu().numpy()
        assert len(launched) == 2 and launched[1] == "accumulate", launched
    cpu = _chain(torch.tensor(A), torch.tensor(B)).mean().item()
    assert got["mean"].reshape(()) == np.float32(cpu)
    loss = _chain(torch.tensor(A, device="cuda"), torch.tensor(B, device="cuda")).mean()
    assert loss.item() == cpu  # a deferred loss read before any backward
