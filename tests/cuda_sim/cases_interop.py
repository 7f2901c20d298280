"""Interop on the device: ``__cuda_array_interface__`` both ways, DLPack, copies from device
memory, the default device and the launch log."""

from __future__ import annotations

import logging

import numpy as np
import pytest

import jitgrad as torch
from jitgrad import helpers


def test_cuda_array_interface_both_ways():
    from numba import cuda

    x = torch.tensor([1.0, 2.0, 3.0], device="cuda")
    iface = x.__cuda_array_interface__
    assert iface["shape"] == (3,) and iface["typestr"] == "<f4" and iface["version"] == 3
    with pytest.raises(AttributeError, match="non-CUDA tensor"):
        torch.ones(2).__cuda_array_interface__  # noqa: B018
    with pytest.raises(RuntimeError, match="requires grad"):
        x.clone().requires_grad_().__cuda_array_interface__  # noqa: B018
    dev = cuda.to_device(np.arange(4, dtype=np.float64))
    shared = torch.as_tensor(dev)
    copied = torch.tensor(dev)
    dev[0] = 9.0
    assert shared.dtype == torch.float64 and shared.tolist() == [9.0, 1.0, 2.0, 3.0]
    assert copied.tolist() == [0.0, 1.0, 2.0, 3.0]

    class Foreign:  # any producer of the interface (CuPy, PyTorch, numba)
        __cuda_array_interface__ = iface

    view = torch.as_tensor(Foreign())
    view.mul_(2)
    assert x.tolist() == [2.0, 4.0, 6.0]


def test_dlpack_round_trip_shares_device_memory():
    import gc

    from jitgrad.backends import dlpack

    x = torch.arange(6.0, device="cuda").reshape(2, 3)
    assert x.__dlpack_device__() == (2, 0)
    y = torch.from_dlpack(x)
    assert y.is_cuda and y.shape == (2, 3) and y.dtype == torch.float32
    y.mul_(2)
    assert x.tolist() == [[0.0, 2.0, 4.0], [6.0, 8.0, 10.0]]
    unused = x.__dlpack__()
    assert len(dlpack._exported) == 2
    del unused  # an unconsumed capsule releases its export
    gc.collect()
    assert len(dlpack._exported) == 1
    del y  # the consumer's tensor going away calls the producer's deleter
    gc.collect()
    assert len(dlpack._exported) == 0
    with pytest.raises(RuntimeError, match="require gradient"):
        torch.ones(2, device="cuda", requires_grad=True).__dlpack__()


def test_tensor_of_a_device_tensor_copies_and_default_device(monkeypatch, caplog):
    x = torch.ones(3, device="cuda", requires_grad=True)
    y = torch.tensor(x)
    assert y.is_cuda and not y.requires_grad and y.tolist() == [1.0, 1.0, 1.0]
    with torch.no_grad():
        y.add_(1)
    assert x.tolist() == [1.0, 1.0, 1.0]
    torch.set_default_device("cuda")
    try:
        assert torch.zeros(2).is_cuda
    finally:
        torch.set_default_device(None)
    assert not torch.zeros(2).is_cuda
    monkeypatch.setattr(helpers, "DEBUG", 1)
    with caplog.at_level(logging.DEBUG, logger="jitgrad"):
        (torch.ones(4, device="cuda") * 3.0).cpu()  # (deferred until read)
    assert any("cuda launch _gen_mul_" in r.getMessage() for r in caplog.records)
    assert isinstance(torch.cuda.get_device_name(), str)
