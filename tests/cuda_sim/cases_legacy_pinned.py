"""``torch.cuda.FloatTensor`` and the other device legacy types, ``t.type(...)`` moving
between the CPU and the device as the named type says, and ``pin_memory`` / ``is_pinned``
with a device (page-locked host copies), each as PyTorch 2.13 behaves with CUDA."""

from __future__ import annotations

import pytest

import jitgrad as torch


def test_cuda_legacy_types_build_on_the_device():
    assert repr(torch.cuda.FloatTensor) == "<class 'torch.cuda.FloatTensor'>"
    assert torch.cuda.DoubleTensor.is_cuda and not torch.DoubleTensor.is_cuda
    assert torch.cuda.LongTensor.dtype == torch.int64
    x = torch.cuda.FloatTensor(2, 3)
    assert x.is_cuda and x.dtype == torch.float32 and x.shape == (2, 3)
    y = torch.cuda.LongTensor([1, 2])
    assert y.is_cuda and y.dtype == torch.int64 and y.tolist() == [1, 2]
    assert isinstance(y, torch.cuda.LongTensor) and not isinstance(y, torch.LongTensor)
    assert isinstance(y.cpu(), torch.LongTensor) and not isinstance(y.cpu(), torch.cuda.LongTensor)
    assert torch.cuda.LongTensor(y).data_ptr() == y.data_ptr()  # an alias, as on the CPU
    with pytest.raises(RuntimeError, match="expects device type: cuda but device type: cpu"):
        torch.cuda.FloatTensor(2, device="cpu")
    with pytest.raises(TypeError, match=r"expected TensorOptions\(dtype=long int, device=cuda,"):
        torch.cuda.LongTensor(y.cpu())


def test_type_names_the_device():
    x = torch.tensor([1.5, -2.0])
    d = x.type("torch.cuda.DoubleTensor")
    assert d.is_cuda and d.dtype == torch.float64 and d.type() == "torch.cuda.DoubleTensor"
    assert x.cuda().type() == "torch.cuda.FloatTensor"
    back = d.type("torch.FloatTensor")  # a CPU type: back to the host
    assert not back.is_cuda and back.dtype == torch.float32 and back.tolist() == [1.5, -2.0]
    assert not d.type(torch.LongTensor).is_cuda and d.type(torch.cuda.LongTensor).is_cuda
    assert d.type(torch.float32).is_cuda  # a dtype keeps the device
    same = d.type(torch.cuda.DoubleTensor)
    assert same is d


def test_pin_memory_makes_a_pinned_copy():
    x = torch.arange(6.0).reshape(2, 3)
    assert not x.is_pinned()
    p = x.pin_memory()
    assert p.is_pinned() and p is not x and p.tolist() == x.tolist()
    assert p.pin_memory() is p and p[1:].is_pinned()  # views share the pinned buffer
    x.add_(1)
    assert p[0, 0].item() == 0.0  # a copy
    assert p.cuda(non_blocking=True).tolist() == p.tolist()
    w = torch.ones(2, requires_grad=True)
    q = w.pin_memory()
    assert q.grad_fn.name() == "PinMemoryBackward0" and q.is_pinned()
    (q * 3).sum().backward()
    assert w.grad.tolist() == [3.0, 3.0]
    d = torch.ones(2, device="cuda")
    assert not d.is_pinned()
    with pytest.raises(RuntimeError) as info:
        d.pin_memory()
    assert str(info.value) == (
        "cannot pin 'torch.cuda.FloatTensor' only dense CPU tensors can be pinned"
    )
