"""The declared nn ops on the device at second and third order: softmax, cross_entropy and
layer_norm (device row kernels under the CPU's declarations, ``backends/cuda/rows.py`` and
``nn_rows.py``),
nll_loss and batch_norm (the host fallback's differentiable copies around the CPU's declared
ops), linear (device matrix products, and the fallback for 3-D input).

Each case is gradgradcheck-style against the CPU: in float64, the first gradients with
``create_graph``, then the gradient of a fixed weighted sum of them, each compared with the
same computation on CPU tensors (whose double backward tests/test_nn_declared.py checks with
finite differences).
"""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad as torch
import jitgrad.nn.functional as F
from jitgrad.backends.cuda import fallback

RNG = np.random.default_rng(15)


def _arr(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape)


def _orders(fn, arrays, device, order=2):
    """The inputs' gradients at orders 1..``order`` of ``sum(fn(*inputs) * W)``, each order
    differentiating a fixed weighted sum of the last (zeros where an input got none), plus
    the node names of the first gradients."""
    xs = [torch.tensor(a, device=device, requires_grad=True) for a in arrays]
    out = fn(*xs)
    loss = (out * torch.tensor(np.linspace(0.5, 1.5, out.numel()).reshape(out.shape),
                               device=device)).sum()  # fmt: skip
    grads = torch.autograd.grad(loss, xs, create_graph=True, allow_unused=True)
    names = [None if g is None or g.grad_fn is None else g.grad_fn.name() for g in grads]
    results = [grads]
    for k in range(1, order):
        total = sum(
            (
                g * torch.tensor(np.cos(np.arange(g.numel()) + k).reshape(g.shape), device=device)
            ).sum()
            for g in results[-1]
            if g is not None and g.requires_grad
        )
        results.append(torch.autograd.grad(total, xs, create_graph=k + 1 < order,
                                           allow_unused=True))  # fmt: skip
    values = [
        [np.zeros(a.shape) if g is None else g.detach().cpu().numpy() for g, a in
         zip(gs, arrays, strict=True)]
        for gs in results
    ]  # fmt: skip
    return values, names, out


def _same_as_cpu(fn, arrays, order=2, rtol=1e-9, atol=1e-10):
    dev, dev_names, out = _orders(fn, arrays, "cuda", order)
    cpu, cpu_names, _ = _orders(fn, arrays, "cpu", order)
    assert out.device.type == "cuda"
    for k, (d, c) in enumerate(zip(dev, cpu, strict=True)):
        for a, b in zip(d, c, strict=True):
            np.testing.assert_allclose(a, b, rtol, atol, err_msg=f"order {k + 1}")
        assert any(np.abs(b).max() > 0 for b in c), f"order {k + 1} is all zeros"
    return out, dev_names, cpu_names


T4 = np.array([0, 2, 1, 2])
T4_IGNORED = np.array([0, -100, 1, 2])
W3 = np.array([0.5, 2.0, 1.25])


@pytest.mark.parametrize("log", [False, True])
def test_softmax_double_backward_matches_the_cpu(log):
    """softmax/log_softmax along the last dim: the device kernels under the CPU's declared
    ``softmax_backward_data``; its derivative at the third order."""

    def fn(x, log=log):
        return x.log_softmax(-1) if log else F.softmax(x, dim=1)

    out, dev_names, cpu_names = _same_as_cpu(fn, [_arr(3, 4)], order=3)
    assert not isinstance(out.grad_fn, fallback.HostNode)
    shown = [fn(torch.tensor(_arr(2, 3), device=d, requires_grad=True)).grad_fn._saved_dim
             for d in ("cuda", "cpu")]  # fmt: skip
    assert shown[0] == shown[1]  # (PyTorch shows dim=-1 as 2**64 - 1)
    node = "LogSoftmaxBackwardDataBackward0" if log else "SoftmaxBackwardDataBackward0"
    assert dev_names == cpu_names == [node]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_double_backward_matches_the_cpu(reduction):
    def fn(x, reduction=reduction):
        return F.cross_entropy(x, torch.tensor(T4_IGNORED, device=x.device), reduction=reduction)

    out, dev_names, cpu_names = _same_as_cpu(fn, [_arr(4, 3)], order=3)
    assert not isinstance(out.grad_fn, fallback.HostNode)  # the device kernel ran
    assert dev_names == cpu_names == ["LogSoftmaxBackwardDataBackward0"]


def test_weighted_cross_entropy_double_backward_matches_the_cpu():
    """Class weights: the device's fused kernel; the CPU composes log_softmax and nll_loss."""

    def fn(x):
        dev = x.device
        w = torch.tensor(W3, device=dev)
        return F.cross_entropy(x, torch.tensor(T4, device=dev), weight=w, ignore_index=1)

    out, _, _ = _same_as_cpu(fn, [_arr(4, 3)])
    assert not isinstance(out.grad_fn, fallback.HostNode)


@pytest.mark.parametrize("reduction", ["mean", "none"])
def test_nll_loss_double_backward_matches_the_cpu(reduction):
    def fn(x, reduction=reduction):
        dev = x.device
        w = torch.tensor(W3, device=dev)
        return F.nll_loss(x.log_softmax(1), torch.tensor(T4, device=dev), w, reduction=reduction)

    _same_as_cpu(fn, [_arr(4, 3)])


@pytest.mark.parametrize(
    "shape, params",
    [((3, 4), "wb"), ((2, 2, 3), "w"), ((2, 5), ""), ((3, 4), "b")],
)
def test_layer_norm_double_backward_matches_the_cpu(shape, params):
    ns = shape[-1:]
    arrays = [_arr(*shape)] + [_arr(*ns) for _ in params]

    def fn(x, *ps):
        named = dict(zip(params, ps, strict=True))
        return F.layer_norm(x, ns, named.get("w"), named.get("b"), eps=1e-3)

    out, dev_names, cpu_names = _same_as_cpu(fn, arrays, order=3, rtol=1e-8, atol=1e-9)
    assert not isinstance(out.grad_fn, fallback.HostNode)
    assert out.grad_fn.name() == "NativeLayerNormBackward0"
    assert dev_names == cpu_names
    assert dev_names[0] == "NativeLayerNormBackwardBackward0"


def test_layer_norm_weight_gradient_alone_differentiates_on_the_device():
    """Only the weight's gradient differentiated: the input's own gradient is not used."""
    results = {}
    for dev in ("cpu", "cuda"):
        x = torch.tensor(_arr(3, 4) if dev == "cpu" else results["x"], device=dev,
                         requires_grad=True)  # fmt: skip
        results.setdefault("x", x.detach().cpu().numpy())
        w = torch.tensor(np.linspace(0.5, 2, 4), device=dev, requires_grad=True)
        y = F.layer_norm(x, (4,), w)
        (gw,) = torch.autograd.grad((y * y).sum(), w, create_graph=True)
        gx, gw2 = torch.autograd.grad((gw * gw).sum(), (x, w))
        results[dev] = (gx.cpu().numpy(), gw2.cpu().numpy())
    for a, b in zip(results["cuda"], results["cpu"], strict=True):
        np.testing.assert_allclose(a, b, 1e-9, 1e-10)


@pytest.mark.parametrize("shape, bias", [((3, 4), True), ((3, 4), False), ((2, 2, 4), True)])
def test_linear_double_backward_matches_the_cpu(shape, bias):
    arrays = [_arr(*shape), _arr(2, 4)] + ([_arr(2)] if bias else [])
    _same_as_cpu(lambda x, w, *b: F.linear(x, w, *b) ** 2, arrays, order=3)


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_double_backward_matches_the_cpu(training):
    def fn(x, w, b, training=training):
        dev = x.device
        rm = torch.tensor(np.array([0.1, -0.2, 0.3]), device=dev)
        rv = torch.tensor(np.array([1.5, 0.5, 2.0]), device=dev)
        return F.batch_norm(x, rm, rv, w, b, training=training, eps=1e-3)

    _same_as_cpu(fn, [_arr(4, 3, 2), _arr(3), _arr(3)], rtol=1e-8, atol=1e-9)
