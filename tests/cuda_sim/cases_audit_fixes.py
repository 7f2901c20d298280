"""Rows of ``tools/cuda_audit.py`` whose device result differed from the CPU's, fixed at the
root (issue 15, run devdiffer): each case compares the device's result with the CPU's and
with PyTorch's rule where the value is a fixed fact of the API (strides PyTorch keeps).

- ``new_empty_strided`` / ``empty_strided`` on the device: the copy to the device was
  contiguous, so the strides asked for were lost (api_extra ``VALUE_CASES.new_empty_strided``:
  ``(3, 1)`` instead of ``(1, 2)``); ``new_empty_strided`` also went through the host
  fallback with a device-to-host copy of ``self``.
"""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad as torch

STRIDED = [((2, 3), (1, 2)), ((3, 2), (2, 3)), ((2, 2, 2), (1, 4, 2)), ((4,), (2,))]


@pytest.mark.parametrize(("size", "stride"), STRIDED)
def test_empty_strided_keeps_strides_on_device(size, stride) -> None:
    cpu = torch.empty_strided(size, stride)
    dev = torch.empty_strided(size, stride, device="cuda", dtype=torch.float64)
    assert dev.is_cuda and dev.dtype == torch.float64
    assert dev.stride() == cpu.stride() == stride
    assert tuple(dev.shape) == tuple(cpu.shape) == size
    assert dev.storage_offset() == 0 and dev.is_leaf and dev.grad_fn is None


@pytest.mark.parametrize(("size", "stride"), STRIDED)
def test_new_empty_strided_keeps_strides_on_device(size, stride) -> None:
    """``t.new_empty_strided`` of a device tensor: on ``t``'s device (PyTorch's rule, even
    with the CPU the default device), ``t``'s dtype, the strides asked for."""
    cpu = torch.ones(2, dtype=torch.float16).new_empty_strided(size, stride)
    dev = torch.ones(2, dtype=torch.float16, device="cuda").new_empty_strided(size, stride)
    assert dev.is_cuda and dev.dtype == cpu.dtype == torch.float16
    assert dev.stride() == cpu.stride() == stride


def test_empty_strided_requires_grad_on_device() -> None:
    t = torch.empty_strided((2, 3), (1, 2), device="cuda", requires_grad=True)
    assert t.is_cuda and t.requires_grad and t.is_leaf and t.stride() == (1, 2)
    t.detach().fill_(2.0)
    (t * 3).sum().backward()
    assert t.grad.is_cuda and t.grad.cpu().tolist() == [[3.0] * 3] * 2


def test_new_empty_strided_no_host_copy(monkeypatch) -> None:
    """No host fallback: ``self`` is not copied to the host to build an empty tensor."""
    from jitgrad.backends.cuda import fallback

    calls: list[str] = []
    original = fallback.host_call
    monkeypatch.setattr(
        fallback, "host_call", lambda fn, name, *a: calls.append(name) or original(fn, name, *a)
    )
    t = torch.ones(3, device="cuda").new_empty_strided((3, 2), (1, 3))
    assert t.stride() == (1, 3) and calls == []


@pytest.mark.parametrize(
    "make",
    [
        lambda d: torch.ones(2, 3, device=d).repeat(2**40, 2**40),
        lambda d: torch.zeros(2**40, 2**40, device=d),
        lambda d: torch.empty(2**62, device=d),
    ],
    ids=["repeat", "zeros", "empty"],
)
def test_oversized_is_the_cpus_error(make) -> None:
    """hostile ``repeat(2**40, 2**40)``: the device raised numpy's ``ValueError: Maximum
    allowed dimension exceeded`` from its allocator; now the CPU's (PyTorch's) error."""
    with pytest.raises(RuntimeError, match="Storage size calculation overflowed") as cpu:
        make("cpu")
    with pytest.raises(RuntimeError) as dev:
        make("cuda")
    assert type(dev.value) is type(cpu.value) and str(dev.value) == str(cpu.value)


def test_top_level_adaptive_max_pool1d_returns_indices_on_device() -> None:
    """api_extra ``torch.adaptive_max_pool1d``: ``torch.adaptive_max_pool1d`` returns
    ``(values, indices)`` (the CPU's and PyTorch's); the device ran F's op, values only."""
    x = np.arange(36.0).reshape(2, 3, 6) % 7
    cpu = torch.adaptive_max_pool1d(torch.tensor(x), 2)
    dev = torch.adaptive_max_pool1d(torch.tensor(x, device="cuda", requires_grad=True), 2)
    assert isinstance(cpu, tuple) and isinstance(dev, tuple) and len(dev) == 2
    for c, d in zip(cpu, dev, strict=True):
        assert d.is_cuda and d.dtype == c.dtype and tuple(d.shape) == tuple(c.shape) == (2, 3, 2)
        np.testing.assert_array_equal(d.detach().cpu().numpy(), c.numpy())
    assert dev[1].dtype == torch.int64
