"""``Tensor.view(dtype)``: the bytes reinterpreted as PyTorch 2.13 does (shapes, strides,
errors), not differentiable, sharing memory and the version counter with the input.

Expected values: the bit patterns follow from IEEE-754 (numpy's ``ndarray.view`` computes
them independently of jitgrad); shapes, strides and messages are what PyTorch 2.13 printed
for the same calls.
"""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad as torch

VALUES = [1.0, -2.0, 0.5, 3.0]


def test_same_size_keeps_shape_and_reads_the_bits():
    x = torch.tensor(VALUES)
    v = x.view(torch.int32)
    assert v.dtype is torch.int32 and v.shape == (4,) and v.stride() == (1,)
    assert v.tolist() == [1065353216, -1073741824, 1056964608, 1077936128]
    assert v.tolist() == np.array(VALUES, np.float32).view(np.int32).tolist()
    assert x.view(dtype=torch.int32).tolist() == v.tolist()


@pytest.mark.parametrize(
    ("dtype", "shape"),
    [("int16", (8,)), ("uint8", (16,)), ("bool", (16,)), ("float64", (2,)), ("complex64", (2,))],
)
def test_other_sizes_scale_the_last_dim(dtype, shape):
    x = torch.tensor(VALUES)
    v = x.view(getattr(torch, dtype))
    assert v.shape == shape and v.stride() == (1,)
    assert v.tolist() == np.array(VALUES, np.float32).view(np.dtype(dtype)).tolist()


def test_two_dims_and_a_transpose():
    m = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    d = m.view(torch.float64)
    assert d.shape == (3, 2) and d.stride() == (2, 1)
    assert d[0, 0].item() == 0.0078125  # float32 0.0 and 1.0 read as one double
    assert m.view(torch.int8).shape == (3, 16)
    t = m.t().view(torch.int32)  # same element size: any strides
    assert t.shape == (4, 3) and t.stride() == (1, 4)
    assert t[1, 0].item() == 1065353216
    assert torch.tensor([1, 2]).view(torch.int32).tolist() == [1, 0, 2, 0]
    assert torch.tensor([1 + 2j]).view(torch.float32).tolist() == [1.0, 2.0]
    s = torch.tensor(3.0).view(torch.int32)
    assert s.shape == () and s.item() == 1077936128
    assert torch.arange(6.0)[2:].view(torch.float64).shape == (2,)  # offset 2: divisible


ERRORS = [
    (lambda: torch.tensor(VALUES)[:3].view(torch.float64),
     "self.size(-1) must be divisible by 2 to view Float as Double (different element sizes), "
     "but got 3"),
    (lambda: torch.tensor(VALUES)[::2].view(torch.int16),
     "self.stride(-1) must be 1 to view Float as Short (different element sizes), but got 2"),
    (lambda: torch.tensor(3.0).view(torch.int16),
     "self.dim() cannot be 0 to view Float as Short (different element sizes)"),
    (lambda: torch.arange(12.0).reshape(3, 4).t().view(torch.int16),
     "self.stride(-1) must be 1 to view Float as Short (different element sizes), but got 4"),
    (lambda: torch.arange(12.0).reshape(3, 4).t().view(torch.float64),
     "self.size(-1) must be divisible by 2 to view Float as Double (different element sizes), "
     "but got 3"),
    (lambda: torch.empty(3, 0).view(torch.float64),
     "self.stride(0) must be divisible by 2 to view Float as Double (different element "
     "sizes), but got 1"),
    (lambda: torch.arange(6.0)[1:3].view(torch.float64),
     "self.storage_offset() must be divisible by 2 to view Float as Double (different element "
     "sizes), but got 1"),
]  # fmt: skip


@pytest.mark.parametrize(("call", "message"), ERRORS)
def test_pytorch_errors(call, message):
    with pytest.raises(RuntimeError) as info:
        call()
    assert str(info.value) == message


def test_a_size_with_the_dtype_is_refused_in_pytorch_words():
    with pytest.raises(TypeError) as info:
        torch.tensor(VALUES).view(torch.int32, 2)
    assert str(info.value).startswith(
        "view() received an invalid combination of arguments - got (torch.dtype, int), but "
        "expected one of:"
    )


def test_not_differentiable_and_no_autograd_view():
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    for v in (a.view(torch.int32), a.view(torch.float32), (a * 2).view(torch.float64)):
        assert not v.requires_grad and v.grad_fn is None and v._base is None
    with pytest.raises(RuntimeError, match="does not require grad and does not have a grad_fn"):
        (a * 1).view(torch.float32).sum().backward()


def test_shares_memory_and_version_counter():
    x = torch.tensor(VALUES)
    y = x.view(torch.int32)
    y[0] = 0
    assert x.tolist() == [0.0, -2.0, 0.5, 3.0]
    assert x._version == 1 and y._version == 1
    a = torch.ones(3, requires_grad=True)
    e = a.exp()
    e.view(torch.int32).zero_()
    with pytest.raises(RuntimeError) as info:
        e.sum().backward()
    assert str(info.value).startswith(
        "one of the variables needed for gradient computation has been modified by an inplace "
        "operation: [torch.FloatTensor [3]], which is output 0 of Exp, is at version 1; "
        "expected version 0 instead."
    )


def test_half_types_are_refused_not_copied():
    with pytest.raises(NotImplementedError, match="float16 and bfloat16"):
        torch.tensor(VALUES).view(torch.float16)
    with pytest.raises(NotImplementedError, match="float16 and bfloat16"):
        torch.tensor(VALUES, dtype=torch.float16).view(torch.int16)
    h = torch.tensor(VALUES, dtype=torch.float16)
    assert h.view(torch.float16).tolist() == VALUES
