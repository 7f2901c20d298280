"""``out=`` on the device: the elementwise functions, reductions and matmul write into a
device ``out`` as on the CPU (values, the resize rules and warning, the cast and autograd
refusals), and an ``out`` on the other device is PyTorch's same-device error. Each case runs
the same call on both devices and compares."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pytest

import jitgrad as torch

CALLS: dict[str, tuple[Callable, tuple[int, ...]]] = {
    "exp": (lambda x, y, out: torch.exp(x, out=out), (2, 3)),
    "mul": (lambda x, y, out: torch.mul(x, y, out=out), (2, 3)),
    "add_alpha": (lambda x, y, out: torch.add(x, y, alpha=2, out=out), (2, 3)),
    "sum_dim": (lambda x, y, out: torch.sum(x, 1, out=out), (2,)),
    "mean_dim": (lambda x, y, out: torch.mean(x, 0, out=out), (3,)),
    "amax": (lambda x, y, out: torch.amax(x, 1, out=out), (2,)),
    "mm": (lambda x, y, out: torch.mm(x, y.t(), out=out), (2, 2)),
    "matmul": (lambda x, y, out: torch.matmul(x, y.t(), out=out), (2, 2)),
}


def _operands(device: str) -> tuple[torch.Tensor, torch.Tensor]:
    x = torch.tensor(np.arange(6, dtype=np.float32).reshape(2, 3) / 4 - 0.5)
    y = torch.tensor(np.arange(6, 0, -1, dtype=np.float32).reshape(2, 3) / 3)
    return x.to(device), y.to(device)


def _run(name: str, device: str, out_shape: tuple[int, ...]) -> tuple[torch.Tensor, list]:
    fn, _ = CALLS[name]
    x, y = _operands(device)
    out = torch.full(out_shape, 7.0).to(device)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        r = fn(x, y, out)
    assert r is out
    return out, [str(w.message) for w in caught]


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize("resize", ["same", "empty", "other"])
def test_out_matches_cpu(name: str, resize: str) -> None:
    shape = CALLS[name][1]
    out_shape = {"same": shape, "empty": (0,), "other": (5,)}[resize]
    cpu, cpu_warnings = _run(name, "cpu", out_shape)
    dev, dev_warnings = _run(name, "cuda", out_shape)
    assert dev.device.type == "cuda"
    assert tuple(dev.shape) == tuple(cpu.shape) == shape
    np.testing.assert_allclose(dev.cpu().numpy(), cpu.numpy(), rtol=1e-5, atol=1e-6)
    assert dev_warnings == cpu_warnings
    assert (len(cpu_warnings) == 1) == (resize == "other")


def test_out_is_a_view_writes_through() -> None:
    results = []
    for device in ("cpu", "cuda"):
        x, y = _operands(device)
        base = torch.zeros(3, 2).to(device)
        torch.mul(x, y, out=base.t())
        torch.sum(x, 1, out=base[:2, 0])
        results.append(base.cpu().numpy())
    np.testing.assert_allclose(results[1], results[0], rtol=1e-6)


@pytest.mark.parametrize("device", ["cpu", "cuda"])
def test_out_refusals_match(device: str) -> None:
    x, y = _operands(device)
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired "):
        torch.exp(x, out=torch.zeros(2, 3, dtype=torch.int64).to(device))
    with pytest.raises(RuntimeError, match="result type Float can't be cast"):
        torch.sum(x, 1, out=torch.zeros(2, dtype=torch.int64).to(device))
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        torch.mul(x.requires_grad_(), y, out=torch.zeros(2, 3).to(device))
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        torch.sum(x, 1, out=torch.zeros(2).to(device))


@pytest.mark.parametrize("name", ["exp", "mul", "sum_dim", "mm"])
def test_out_on_the_other_device_is_refused(name: str) -> None:
    fn, shape = CALLS[name]
    x, y = _operands("cuda")
    host_out = torch.zeros(shape)
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
        fn(x, y, host_out)
    assert host_out.numpy().tolist() == np.zeros(shape).tolist()
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
        fn(*_operands("cpu"), torch.zeros(shape).cuda())


@pytest.mark.parametrize(
    "make",
    [
        lambda out: torch.zeros(3, out=out),
        lambda out: torch.arange(4.0, out=out),
        lambda out: torch.full((2,), 3.0, out=out),
        lambda out: torch.eye(2, out=out),
        lambda out: torch.linspace(0, 1, 5, out=out),
    ],
)
def test_factory_out_on_the_device(make: Callable) -> None:
    cpu, dev = torch.full((1,), 9.0), torch.full((1,), 9.0).cuda()
    assert make(cpu) is cpu and make(dev) is dev
    assert dev.device.type == "cuda"
    np.testing.assert_allclose(dev.cpu().numpy(), cpu.numpy())
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
        torch.zeros(2, device="cpu", out=dev)


def test_out_view_resized_leaves_its_base_and_out_may_be_an_input() -> None:
    results = []
    for device in ("cpu", "cuda"):
        x, _ = _operands(device)
        a = x.clone()
        torch.mul(a, a, out=a)
        base = torch.zeros(3, 4).to(device)
        o = base[:, :2]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the resize warning (checked above)
            torch.exp(x, out=o)  # (3, 2) -> (2, 3): a new storage, the base keeps its zeros
        o.add_(1)
        results.append((a.cpu().numpy(), o.cpu().numpy(), base.cpu().numpy(), o.stride()))
    for dev, cpu in zip(results[1], results[0], strict=True):
        np.testing.assert_allclose(dev, cpu, rtol=1e-6)
    assert not results[1][2].any()


def _pair(device: str) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.empty(0).to(device), torch.empty(0, dtype=torch.int64).to(device)


MORE: dict[str, Callable] = {
    "max_dim": lambda x, d: torch.max(x, 1, out=_pair(d)),
    "sort": lambda x, d: torch.sort(x, 1, descending=True, out=_pair(d)),
    "topk": lambda x, d: torch.topk(x, 2, out=_pair(d)),
    "cat": lambda x, d: torch.cat([x, x], out=torch.empty(0).to(d)),
    "cumsum": lambda x, d: torch.cumsum(x, 1, out=torch.empty(0).to(d)),
    "std": lambda x, d: torch.std(x, 1, out=torch.empty(0).to(d)),
    "addmm": lambda x, d: torch.addmm(torch.ones(2, 2).to(d), x, x.t(), out=torch.empty(0).to(d)),
    "argmax": lambda x, d: torch.argmax(x, 1, out=_pair(d)[1]),
    "where": lambda x, d: torch.where(x > 0, x, -x, out=torch.empty(0).to(d)),
}


@pytest.mark.parametrize("name", sorted(MORE))
def test_more_out_functions_match_cpu(name: str) -> None:
    results = []
    for device in ("cpu", "cuda"):
        r = MORE[name](_operands(device)[0], device)
        outs = r if isinstance(r, tuple) else (r,)
        assert all(o.device.type == device for o in outs)
        results.append([o.cpu().numpy() for o in outs])
    for dev, cpu in zip(results[1], results[0], strict=True):
        np.testing.assert_allclose(dev, cpu, rtol=1e-5)
