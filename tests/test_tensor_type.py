"""``Tensor.type()``: the legacy type name string and the cast forms.

Expected values are what PyTorch 2.13 prints for the same calls (run by hand under
/tmp/torchenv: ``torch.ones(2).type()`` is ``'torch.FloatTensor'`` and so on); programs compare
the string, so it keeps PyTorch's ``torch.`` prefix.
"""

import pytest

import jitgrad as torch

NAMES = [
    (torch.float32, "torch.FloatTensor"),
    (torch.float64, "torch.DoubleTensor"),
    (torch.int64, "torch.LongTensor"),
    (torch.int32, "torch.IntTensor"),
    (torch.bool, "torch.BoolTensor"),
]


@pytest.mark.parametrize(("dtype", "name"), NAMES)
def test_type_names_the_legacy_type(dtype, name):
    x = torch.ones(2, dtype=dtype)
    assert x.type() == name
    assert torch.typename(x) == name


@pytest.mark.parametrize(
    "target", ["torch.DoubleTensor", torch.float64, torch.DoubleTensor, "jitgrad.DoubleTensor"]
)
def test_type_casts(target):
    x = torch.tensor([1.5, 2.0], requires_grad=True)
    y = x.type(target)
    assert y.dtype is torch.float64
    assert y.tolist() == [1.5, 2.0]
    y.sum().backward()  # the cast is differentiable, as .to(dtype) is
    assert x.grad.dtype is torch.float32 and x.grad.tolist() == [1.0, 1.0]


def test_type_of_the_same_type_is_the_tensor_itself():
    x = torch.ones(2)
    assert x.type("torch.FloatTensor") is x
    assert x.type(dtype="torch.IntTensor").dtype is torch.int32


def test_type_errors_are_pytorchs():
    x = torch.ones(2)
    with pytest.raises(ValueError, match=r"^invalid type: 'foo'$"):
        x.type("foo")
    with pytest.raises(TypeError, match=r"^dtype must be a type, str, or dtype object$"):
        x.type(3)
