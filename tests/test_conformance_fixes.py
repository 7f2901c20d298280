"""Conformance fixes checked against PyTorch 2.13: ``copy_`` casts across dtype categories.

The expected values are literals printed by PyTorch 2.13.0 (CPU) for
``torch.zeros(4, dtype=dst).copy_(torch.tensor(SOURCES[src], dtype=src))``; float -> uint8 of
a negative value is PyTorch's (through int64, wrapping) and numpy's on x86 alike.
"""

import pytest

import jitgrad as torch

SOURCES = {
    "bool": [True, False, True, False],
    "uint8": [0, 1, 200, 100],
    "int8": [0, 1, -2, 100],
    "int16": [0, 1, -2, 100],
    "int32": [0, 1, -2, 100],
    "int64": [0, 1, -2, 100],
    "float32": [1.7, -2.2, 3.0, 0.0],
    "float64": [1.7, -2.2, 3.0, 0.0],
}

EXPECTED = {
    ("bool", "bool"): [True, False, True, False],
    ("bool", "uint8"): [1, 0, 1, 0],
    ("bool", "int8"): [1, 0, 1, 0],
    ("bool", "int16"): [1, 0, 1, 0],
    ("bool", "int32"): [1, 0, 1, 0],
    ("bool", "int64"): [1, 0, 1, 0],
    ("bool", "float32"): [1.0, 0.0, 1.0, 0.0],
    ("bool", "float64"): [1.0, 0.0, 1.0, 0.0],
    ("uint8", "bool"): [False, True, True, True],
    ("uint8", "uint8"): [0, 1, 200, 100],
    ("uint8", "int8"): [0, 1, -56, 100],
    ("uint8", "int16"): [0, 1, 200, 100],
    ("uint8", "int32"): [0, 1, 200, 100],
    ("uint8", "int64"): [0, 1, 200, 100],
    ("uint8", "float32"): [0.0, 1.0, 200.0, 100.0],
    ("uint8", "float64"): [0.0, 1.0, 200.0, 100.0],
    ("int8", "bool"): [False, True, True, True],
    ("int8", "uint8"): [0, 1, 254, 100],
    ("int8", "int8"): [0, 1, -2, 100],
    ("int8", "int16"): [0, 1, -2, 100],
    ("int8", "int32"): [0, 1, -2, 100],
    ("int8", "int64"): [0, 1, -2, 100],
    ("int8", "float32"): [0.0, 1.0, -2.0, 100.0],
    ("int8", "float64"): [0.0, 1.0, -2.0, 100.0],
    ("int16", "bool"): [False, True, True, True],
    ("int16", "uint8"): [0, 1, 254, 100],
    ("int16", "int8"): [0, 1, -2, 100],
    ("int16", "int16"): [0, 1, -2, 100],
    ("int16", "int32"): [0, 1, -2, 100],
    ("int16", "int64"): [0, 1, -2, 100],
    ("int16", "float32"): [0.0, 1.0, -2.0, 100.0],
    ("int16", "float64"): [0.0, 1.0, -2.0, 100.0],
    ("int32", "bool"): [False, True, True, True],
    ("int32", "uint8"): [0, 1, 254, 100],
    ("int32", "int8"): [0, 1, -2, 100],
    ("int32", "int16"): [0, 1, -2, 100],
    ("int32", "int32"): [0, 1, -2, 100],
    ("int32", "int64"): [0, 1, -2, 100],
    ("int32", "float32"): [0.0, 1.0, -2.0, 100.0],
    ("int32", "float64"): [0.0, 1.0, -2.0, 100.0],
    ("int64", "bool"): [False, True, True, True],
    ("int64", "uint8"): [0, 1, 254, 100],
    ("int64", "int8"): [0, 1, -2, 100],
    ("int64", "int16"): [0, 1, -2, 100],
    ("int64", "int32"): [0, 1, -2, 100],
    ("int64", "int64"): [0, 1, -2, 100],
    ("int64", "float32"): [0.0, 1.0, -2.0, 100.0],
    ("int64", "float64"): [0.0, 1.0, -2.0, 100.0],
    ("float32", "bool"): [True, True, True, False],
    ("float32", "uint8"): [1, 254, 3, 0],
    ("float32", "int8"): [1, -2, 3, 0],
    ("float32", "int16"): [1, -2, 3, 0],
    ("float32", "int32"): [1, -2, 3, 0],
    ("float32", "int64"): [1, -2, 3, 0],
    ("float32", "float32"): [1.7000000476837158, -2.200000047683716, 3.0, 0.0],
    ("float32", "float64"): [1.7000000476837158, -2.200000047683716, 3.0, 0.0],
    ("float64", "bool"): [True, True, True, False],
    ("float64", "uint8"): [1, 254, 3, 0],
    ("float64", "int8"): [1, -2, 3, 0],
    ("float64", "int16"): [1, -2, 3, 0],
    ("float64", "int32"): [1, -2, 3, 0],
    ("float64", "int64"): [1, -2, 3, 0],
    ("float64", "float32"): [1.7000000476837158, -2.200000047683716, 3.0, 0.0],
    ("float64", "float64"): [1.7, -2.2, 3.0, 0.0],
}


@pytest.mark.parametrize("pair", sorted(EXPECTED))
def test_copy_casts_every_dtype_pair(pair):
    src, dst = pair
    t = torch.zeros(4, dtype=getattr(torch, dst))
    out = t.copy_(torch.tensor(SOURCES[src], dtype=getattr(torch, src)))
    assert out is t and t.dtype == getattr(torch, dst)
    expected = EXPECTED[pair]
    if dst.startswith("float"):
        expected = pytest.approx(expected)
    assert t.tolist() == expected


def test_copy_float_into_long_truncates():
    t = torch.zeros(3, dtype=torch.long).copy_(torch.tensor([1.7, -2.2, 3.0]))
    assert t.tolist() == [1, -2, 3]


def test_copy_float_requiring_grad_into_long_gives_no_graph():
    # PyTorch: tensor([1, 2]) requires_grad=False grad_fn=None
    x = torch.tensor([1.7, 2.0], requires_grad=True)
    t = torch.zeros(2, dtype=torch.long).copy_(x)
    assert t.tolist() == [1, 2] and not t.requires_grad and t.grad_fn is None


def test_copy_long_into_float_with_history_keeps_copy_node():
    # PyTorch: tensor([1., 2.], grad_fn=<CopyBackwards>)
    z = torch.zeros(2).requires_grad_() * 1
    z.copy_(torch.tensor([1, 2]))
    assert z.tolist() == [1.0, 2.0] and type(z.grad_fn).__name__ == "CopyBackwards"
