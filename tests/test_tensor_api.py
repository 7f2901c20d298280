"""Tensor attributes, creation dtype rules, conversion and repr, against PyTorch's behaviour.

Expected values and messages were read off torch 2.x; ``test_matches_torch_live`` re-checks a
few of them against torch itself when it is installed.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from recorded_parity_cases import recorded, tensor_dtypes_and_repr

import jitgrad as torch

FLOATS = [torch.float32, torch.float64]


def test_default_dtypes_of_python_and_numpy_data() -> None:
    assert torch.tensor([1.5]).dtype is torch.float32
    assert torch.tensor(2.0).dtype is torch.float32
    assert torch.tensor([1, 2]).dtype is torch.int64
    assert torch.tensor([True, False]).dtype is torch.bool
    assert torch.tensor([1, 2.0]).dtype is torch.float32
    assert torch.tensor(np.array([1.0, 2.0])).dtype is torch.float64
    assert torch.tensor(np.array([1, 2], dtype=np.int32)).dtype is torch.int32
    assert torch.tensor(np.float32(2)).dtype is torch.float32
    assert torch.tensor([]).dtype is torch.float32
    assert torch.tensor([[]]).shape == (1, 0)


def test_set_default_dtype_changes_python_floats_only() -> None:
    assert torch.get_default_dtype() is torch.float32
    torch.set_default_dtype(torch.float64)
    try:
        assert torch.tensor([1.0]).dtype is torch.float64
        assert torch.ones(1).dtype is torch.float64
        assert torch.Tensor([1]).dtype is torch.float64
        assert torch.FloatTensor([1.0]).dtype is torch.float32
        assert torch.tensor([1]).dtype is torch.int64
        assert repr(torch.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    finally:
        torch.set_default_dtype(torch.float32)
    assert torch.tensor([1.0]).dtype is torch.float32


def test_legacy_constructors_and_variable() -> None:
    assert repr(torch.FloatTensor([1, 2])) == "tensor([1., 2.])"
    assert repr(torch.DoubleTensor([1, 2])) == "tensor([1., 2.], dtype=jitgrad.float64)"
    assert repr(torch.LongTensor([1, 2])) == "tensor([1, 2])"
    assert repr(torch.Tensor([1, 2])) == "tensor([1., 2.])"
    assert torch.Tensor(2, 3).shape == (2, 3)
    x = torch.tensor([1.0, 2.0])
    v = torch.autograd.Variable(x, requires_grad=True)  # PyTorch: a new leaf sharing x's data
    assert v is not x and v.is_leaf and v.requires_grad and not x.requires_grad
    with torch.no_grad():
        v[0] = 5.0
    assert x.tolist() == [5.0, 2.0]


@pytest.mark.parametrize("dt", FLOATS)
def test_conversions(dt) -> None:
    t = torch.tensor([1.5, -2.0], dtype=dt)
    assert t.tolist() == [1.5, -2.0]
    assert torch.tensor(3.0, dtype=dt).item() == 3.0
    assert float(torch.tensor(2.5, dtype=dt)) == 2.5
    assert int(torch.tensor(2.7, dtype=dt)) == 2
    assert repr(t.long()) == "tensor([ 1, -2])"
    assert t.double().dtype is torch.float64
    assert t.float().dtype is torch.float32
    assert t.to(dt) is t
    assert t.to("cpu") is t
    assert t.cpu() is t
    assert bool(torch.tensor([0.0], dtype=dt)) is False
    assert np.array(t).dtype == dt.np


def test_conversion_errors() -> None:
    with pytest.raises(
        RuntimeError, match="^a Tensor with 2 elements cannot be converted to Scalar$"
    ):
        torch.tensor([1.0, 2.0]).item()
    with pytest.raises(
        RuntimeError, match="^Boolean value of Tensor with more than one value is ambiguous$"
    ):
        bool(torch.tensor([1.0, 2.0]))
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError) as e:
        x.numpy()
    assert str(e.value) == (
        "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
    )
    assert x.detach().numpy().tolist() == [1.0, 2.0]


def test_requires_grad_dtype_messages() -> None:
    # PyTorch spells this error three ways depending on the entry point.
    with pytest.raises(RuntimeError) as e:
        torch.tensor([1, 2], requires_grad=True)
    assert str(e.value) == "Only Tensors of floating point and complex dtype can require gradients"
    with pytest.raises(RuntimeError) as e:
        torch.zeros(2, dtype=torch.int64, requires_grad=True)
    assert str(e.value) == "Only Tensors of floating point and complex dtype can require gradients"
    with pytest.raises(RuntimeError) as e:
        torch.tensor([1, 2]).requires_grad_()
    assert str(e.value) == "only Tensors of floating point dtype can require gradients"
    with pytest.raises(RuntimeError) as e:
        torch.tensor([1, 2]).requires_grad = True
    assert str(e.value) == "only Tensors of floating point and complex dtype can require gradients"
    t = torch.tensor([1, 2]).requires_grad_(False)
    assert not t.requires_grad


def test_requires_grad_only_settable_on_leaves() -> None:
    y = torch.tensor([1.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError) as e:
        y.requires_grad = False
    assert str(e.value) == (
        "you can only change requires_grad flags of leaf variables. If you want to use a "
        "computed variable in a subgraph that doesn't require differentiation use "
        "var_no_grad = var.detach()."
    )


@pytest.mark.parametrize("dt", FLOATS)
def test_repr_suffixes(dt) -> None:
    x = torch.tensor([1.0, 2.0], dtype=dt, requires_grad=True)
    suffix = ", dtype=jitgrad.float64" if dt is torch.float64 else ""
    assert repr(x) == f"tensor([1., 2.]{suffix}, requires_grad=True)"
    assert repr(x * 2) == f"tensor([2., 4.]{suffix}, grad_fn=<MulBackward0>)"
    assert repr((x * 2).sum()) == f"tensor(6.{suffix}, grad_fn=<SumBackward0>)"
    assert repr((x * 2).mean()) == f"tensor(3.{suffix}, grad_fn=<MeanBackward0>)"
    assert repr(x.detach()) == f"tensor([1., 2.]{suffix})"


def test_leaf_and_grad_fn_attributes() -> None:
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    c = torch.tensor([1.0, 2.0, 3.0])
    y = x * 2
    assert x.is_leaf and c.is_leaf and not y.is_leaf
    assert x.grad_fn is None and x.grad is None
    assert y.requires_grad and not (c * 2).requires_grad
    assert (c * 2).is_leaf
    assert y.grad_fn.name() == "MulBackward0"
    acc, nr = y.grad_fn.next_functions[0]
    assert acc.name() == "torch::autograd::AccumulateGrad" and nr == 0
    assert acc.variable is x
    assert y.grad_fn.next_functions[0][0] is y.grad_fn.next_functions[0][0]
    assert (x * 3).grad_fn.next_functions[0][0] is acc  # one AccumulateGrad per leaf
    assert y.grad_fn.next_functions[1] == (None, 0)  # the Python scalar
    assert repr(acc).startswith("<AccumulateGrad object at 0x")
    z = y * y
    assert z.grad_fn.next_functions[0][0] is y.grad_fn


def test_nonleaf_grad_warns_with_pytorch_text() -> None:
    y = torch.tensor([1.0], requires_grad=True) * 2
    with pytest.warns(UserWarning) as rec:
        assert y.grad is None
    assert str(rec[0].message).startswith(
        "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
        "attribute won't be populated during autograd.backward()."
    )
    y.retain_grad()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert y.grad is None


def test_grad_setter_checks() -> None:
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    x.grad = torch.tensor([3.0, 4.0])
    assert x.grad.tolist() == [3.0, 4.0]
    with pytest.raises(RuntimeError, match=r"a gradient of size '\[1\]' to a tensor of size"):
        x.grad = torch.tensor([1.0])
    with pytest.raises(RuntimeError, match="gradient with dtype 'double' to a tensor with grad_dt"):
        x.grad = torch.tensor([1.0, 2.0], dtype=torch.float64)
    x.grad = None
    assert x.grad is None


def test_detach_shares_storage_and_version() -> None:
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    d = a.detach()
    assert not d.requires_grad and d.is_leaf
    b = torch.tensor([1.0, 2.0])
    bd = b.detach()
    bd.add_(1)
    assert b.tolist() == [2.0, 3.0]
    assert b._version == bd._version == 1
    data = a.data
    assert not data.requires_grad
    data.mul_(2)  # .data escapes autograd: allowed on a leaf that requires grad
    assert a.tolist() == [2.0, 4.0]


def test_detach_and_requires_grad_in_place() -> None:
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    assert y.detach_() is y
    assert not y.requires_grad and y.is_leaf and y.grad_fn is None
    z = torch.tensor([1.0])
    assert z.requires_grad_() is z and z.requires_grad and z.is_leaf


def test_size_and_shape_api() -> None:
    t = torch.zeros(2, 3)
    assert t.shape == (2, 3) and t.size() == (2, 3) and t.size(-1) == 3
    assert repr(t.shape) == "jitgrad.Size([2, 3])"
    assert t.dim() == t.ndim == 2 and t.numel() == 6
    assert torch.zeros((2, 3)).shape == (2, 3)
    with pytest.raises(IndexError) as e:
        t.size(2)
    assert str(e.value) == "Dimension out of range (expected to be in range of [-2, 1], but got 2)"


def test_matches_torch_recorded() -> None:
    assert tensor_dtypes_and_repr(torch) == recorded("tensor_dtypes_and_repr")
