"""int16, int8 and uint8 as real dtypes, checked against PyTorch 2.13.

Every expected value, dtype and message below was read from PyTorch 2.13 (``/tmp/torchenv``)
on the same expressions: creation, casts (wrapping as C casts do), PyTorch's promotion table
(unsigned with signed of the same width widens: uint8 + int8 is int16), arithmetic through the
generated kernels, reductions that widen to int64, reprs, and the deprecated uint8 masks.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import jitgrad as torch


def _u8():
    return torch.tensor([1, 2, 250], dtype=torch.uint8)


def _i8():
    return torch.tensor([1, -2, 3], dtype=torch.int8)


def _i16():
    return torch.tensor([1, 2, 3], dtype=torch.int16)


def test_names_and_properties() -> None:
    assert torch.short is torch.int16
    assert (torch.uint8.is_signed, torch.int8.is_signed, torch.int16.is_signed) == (
        False,
        True,
        True,
    )
    assert not torch.uint8.is_floating_point and torch.uint8.itemsize == 1
    assert torch.int16.itemsize == 2
    assert (torch.iinfo(torch.uint8).max, torch.iinfo(torch.int16).min) == (255, -32768)


@pytest.mark.parametrize(
    "expr, values, dtype",
    [
        (lambda u, i, s: u + i, [2, 0, 253], "int16"),
        (lambda u, i, s: u + s, [2, 4, 253], "int16"),
        (lambda u, i, s: i + s, [2, 0, 6], "int16"),
        (lambda u, i, s: u + 1, [2, 3, 251], "uint8"),
        (lambda u, i, s: u - 3, [254, 255, 247], "uint8"),
        (lambda u, i, s: u * 2.5, [2.5, 5.0, 625.0], "float32"),
        (lambda u, i, s: u + torch.tensor([1, 2, 3]), [2, 4, 253], "int64"),
        (lambda u, i, s: torch.tensor([1, 2, 3], dtype=torch.int32) + u, [2, 4, 253], "int32"),
        (lambda u, i, s: torch.tensor([True]) + u, [2, 3, 251], "uint8"),
        (lambda u, i, s: i * 100, [100, 56, 44], "int8"),
        (lambda u, i, s: s * s, [1, 4, 9], "int16"),
        (lambda u, i, s: -i, [-1, 2, -3], "int8"),
        (lambda u, i, s: i.abs(), [1, 2, 3], "int8"),
        (lambda u, i, s: u // 2, [0, 1, 125], "uint8"),
        (lambda u, i, s: u / 2, [0.5, 1.0, 125.0], "float32"),
        (lambda u, i, s: u > 1, [False, True, True], "bool"),
        (lambda u, i, s: u.short(), [1, 2, 250], "int16"),
        (lambda u, i, s: i.byte(), [1, 254, 3], "uint8"),
        (lambda u, i, s: s.char(), [1, 2, 3], "int8"),
        (lambda u, i, s: u.to(torch.int8), [1, 2, -6], "int8"),
        (lambda u, i, s: s.long(), [1, 2, 3], "int64"),
        (lambda u, i, s: s.to(torch.float32), [1.0, 2.0, 3.0], "float32"),
        (lambda u, i, s: torch.tensor([1.5, -2.7]).to(torch.uint8), [1, 254], "uint8"),
        (lambda u, i, s: torch.ones(2, dtype=torch.uint8).cumsum(0), [1, 2], "int64"),
        (lambda u, i, s: u[u > 1], [2, 250], "uint8"),
        (lambda u, i, s: torch.arange(3, dtype=torch.int8), [0, 1, 2], "int8"),
    ],
)
def test_values_and_dtypes(expr, values, dtype) -> None:
    res = expr(_u8(), _i8(), _i16())
    assert res.dtype is getattr(torch, dtype if dtype != "bool" else "bool")
    assert res.tolist() == values


def test_reductions_widen_like_pytorch() -> None:
    assert _u8().sum().dtype is torch.int64 and _u8().sum().item() == 253
    assert _i8().sum().item() == 2 and _i16().sum().dtype is torch.int64
    assert _u8().prod().item() == 500
    assert _u8().max().dtype is torch.uint8 and _u8().max().item() == 250
    assert _u8().argmax().item() == 2
    assert torch.tensor(300).to(torch.uint8).item() == 44
    with pytest.raises(RuntimeError) as info:
        _i8().mean()
    assert str(info.value) == (
        "mean(): could not infer output dtype. Input dtype must be either a floating point or "
        "complex dtype. Got: Char"
    )


def test_matmul_and_numpy_round_trip() -> None:
    x = torch.ones(2, 2, dtype=torch.int16)
    assert torch.matmul(x, x).dtype is torch.int16 and torch.matmul(x, x).tolist() == [[2, 2]] * 2
    arr = _u8().numpy()
    assert arr.dtype == np.uint8
    assert torch.from_numpy(arr).dtype is torch.uint8


def test_reprs() -> None:
    assert repr(torch.tensor([1, 2], dtype=torch.uint8)).replace("jitgrad", "torch") == (
        "tensor([1, 2], dtype=torch.uint8)"
    )
    assert repr(torch.tensor([1, 2], dtype=torch.int8)).replace("jitgrad", "torch") == (
        "tensor([1, 2], dtype=torch.int8)"
    )
    assert repr(torch.zeros(2, dtype=torch.int16)).replace("jitgrad", "torch") == (
        "tensor([0, 0], dtype=torch.int16)"
    )


def test_uint8_masks_are_deprecated_but_work() -> None:
    x = torch.tensor([10.0, 20.0, 30.0])
    m = torch.tensor([1, 0, 1], dtype=torch.uint8)
    with pytest.warns(UserWarning, match="indexing with dtype torch.uint8 is now deprecated"):
        assert x[m].tolist() == [10.0, 30.0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # warned once per process, as PyTorch's TORCH_WARN_ONCE
        assert torch.where(m, x, 0.0).tolist() == [10.0, 0.0, 30.0]
    with pytest.raises(RuntimeError) as info:
        x.masked_fill(m, 0)
    assert str(info.value) == (
        "masked_fill_ only supports boolean masks, but got mask with dtype unsigned char"
    )
    with pytest.raises(RuntimeError) as info:
        torch.where(torch.tensor([1, 0, 1], dtype=torch.int8), x, 0.0)
    assert str(info.value) == (
        "where expected condition to be a boolean tensor, but got a tensor with dtype Char"
    )


@pytest.mark.parametrize(
    "expr, values",
    [
        (lambda b, c: b ^ c, [3, 2, 1]),
        (lambda b, c: b & c, [0, 5, 10]),
        (lambda b, c: b | c, [3, 7, 11]),
        (lambda b, c: ~b, [-2, -6, -12]),
        (lambda b, c: 3 ^ b, [2, 6, 8]),
        (lambda b, c: torch.bitwise_xor(b, c), [3, 2, 1]),
        (lambda b, c: b.bitwise_and(c), [0, 5, 10]),
        (lambda b, c: (b > 2) & (b < 10), [False, True, False]),
        (lambda b, c: ~torch.tensor([True, False]), [False, True]),
        (lambda b, c: torch.tensor([True, False]) ^ torch.tensor([True, True]), [False, True]),
    ],
)
def test_bitwise_ops(expr, values) -> None:
    res = expr(torch.tensor([1, 5, 11]), torch.tensor([2, 7, 10]))
    assert res.tolist() == values
    assert res.dtype is (torch.bool if isinstance(values[0], bool) else torch.int64)


def test_bitwise_dtype_errors_and_promotion() -> None:
    res = torch.tensor([1, 2], dtype=torch.uint8) ^ torch.tensor([3, 3], dtype=torch.int8)
    assert res.dtype is torch.int16 and res.tolist() == [2, 1]
    with pytest.raises(NotImplementedError) as info:
        torch.ones(2) & torch.ones(2)
    assert str(info.value) == "\"bitwise_and_cpu\" not implemented for 'Float'"
    with pytest.raises(TypeError) as info:
        ~torch.ones(2)
    assert str(info.value) == (
        "~ (operator.invert) is only implemented on integer and Boolean-type tensors"
    )
    assert str(type(torch.ones(1))).replace("jitgrad", "torch") == "<class 'torch.Tensor'>"
