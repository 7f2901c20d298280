"""cumsum (forward, gradient, second derivative, ``dtype=``, integer inputs) and cumprod
(forward and gradient) on the device: sequential line scans in the CPU's order, so bitwise
the CPU's results, with no host fallback; logcumsumexp composed of device ops. cumprod's
gradient with zeros: tests/cuda_sim/cases_conv_more.py."""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad as torch

RNG = np.random.default_rng(16)
X = (RNG.standard_normal((3, 5, 4)) * 3).astype(np.float32)


def _bytes(t: torch.Tensor) -> tuple:
    a = t.detach().cpu().numpy()
    return a.dtype.str, a.shape, a.tobytes()


def _cumsum_run(device: str, dim: int) -> list:
    x = torch.tensor(X, device=device, requires_grad=True)
    c = x.cumsum(dim)
    (g,) = torch.autograd.grad((c * c).sum(), x, create_graph=True)
    (gg,) = torch.autograd.grad((g * g * 0.5).sum(), x)
    return [c.grad_fn.name(), _bytes(c), _bytes(g), _bytes(gg)]


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cumsum_bitwise_with_gradients(no_fallback, dim: int) -> None:
    assert _cumsum_run("cuda", dim) == _cumsum_run("cpu", dim)


@pytest.mark.parametrize(
    "make",
    [
        lambda d: torch.cumsum(torch.tensor(X, device=d), 1, dtype=torch.float64),
        lambda d: torch.arange(12, device=d).reshape(3, 4).cumsum(0),
        lambda d: torch.tensor([[True, False, True]], device=d).cumsum(1),
        lambda d: torch.tensor([3, -1, 4], dtype=torch.int32, device=d).cumsum(0),
        lambda d: torch.tensor(X, device=d)[:, 1:, ::2].cumsum(1),  # a strided view
        lambda d: torch.tensor(X, device=d).cumprod(1),
        lambda d: torch.tensor(X[0], device=d).cumprod(-1, dtype=torch.float64),
    ],
)
def test_scan_forward_bitwise(no_fallback, make) -> None:
    assert _bytes(make("cuda")) == _bytes(make("cpu"))


def test_cumsum_dtype_gradient_is_in_the_input_dtype(no_fallback) -> None:
    """PyTorch's CumsumBackward0 casts ``g`` to the input's dtype before its reverse sum."""
    x = torch.tensor(X, device="cuda", requires_grad=True)
    y = torch.cumsum(x, 2, dtype=torch.float64)
    (g,) = torch.autograd.grad((y * y).sum(), x)
    assert g.dtype == torch.float32
    gy = (2 * y.detach().cpu().numpy()).astype(np.float32)
    want = np.flip(np.cumsum(np.flip(gy, 2), 2, dtype=np.float32), 2)
    np.testing.assert_allclose(g.cpu().numpy(), want, rtol=1e-6, atol=1e-5)


def test_cumprod_gradient_on_the_device_as_on_the_cpu(no_fallback) -> None:
    grads = []
    for device in ("cpu", "cuda"):
        x = torch.tensor(X[:, :3], device=device, requires_grad=True)
        x.cumprod(1).sum().backward()
        grads.append(_bytes(x.grad))
    assert grads[1] == grads[0]


@pytest.mark.parametrize("dim", [0, -1])
def test_logcumsumexp_on_the_device(no_fallback, dim: int) -> None:
    """Composed of device ops (amax, exp, cumsum, log), as on the CPU: its node's name, and
    values and derivatives to float rounding (libdevice's exp/log against the CPU's)."""
    out = []
    for device in ("cpu", "cuda"):
        x = torch.tensor(X, device=device, requires_grad=True)
        y = x.logcumsumexp(dim) if dim else torch.logcumsumexp(x, dim)
        (g,) = torch.autograd.grad((y * y).sum(), x, create_graph=True)
        (gg,) = torch.autograd.grad((g * g).sum(), x)
        out.append([y.grad_fn.name(), *(t.detach().cpu().numpy() for t in (y, g, gg))])
    assert out[1][0] == out[0][0] == "LogcumsumexpBackward0"
    for d, c in zip(out[1][1:], out[0][1:], strict=True):
        np.testing.assert_allclose(d, c, rtol=1e-5, atol=1e-4)
