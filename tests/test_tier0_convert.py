"""Tier 0's conversions (jitgrad/fusion/tier0_convert.py): a ``cast`` kernel between dtypes
whose conversion is defined runs on NumPy and gives the compiled kernel's bytes.

Each checked pair compiles its kernel once here (the reference: ~0.1 CPU s each), so the
pairs are one per rule and source kind; ``perf/tier0_convert_check.py`` checks every pair the
module takes."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import jitgrad as torch
from jitgrad.fusion import diskcache, tier0_convert


def _quietly(f, *args):  # noqa: ANN001, ANN202
    with np.errstate(all="ignore"):
        return f(*args)


_BITS64 = np.array([0x7FF8000000000123, 0x7FF0000000000001, 0xFFF8000000000000], np.uint64)
FLOATS = np.concatenate([
    np.array([0.0, -0.0, 1.5, -2.5, 0.1, 1e300, -1e300, 3.4028235e38 * 1.0000001, 1e-40,
              5e-324, np.inf, -np.inf, np.nan, 16777217.0, 2.0**24 + 3, -(2.0**31) - 0.5]),
    _BITS64.view(np.float64),  # NaN payloads, a signalling NaN, a negative NaN
])  # fmt: skip
INTS = np.array([0, 1, -1, 2**63 - 1, -(2**63), 2**53 + 1, 2**24 + 1, 2**60 + 2**36 + 1,
                 255, 256, -129, 40000, -40000, 2**31, -(2**31) - 1], np.int64)  # fmt: skip
VALUES = {
    "float64": FLOATS,
    "float32": _quietly(FLOATS.astype, np.float32),
    "int64": INTS,
    "int32": INTS.astype(np.int32),
    "int16": INTS.astype(np.int16),
    "uint8": INTS.astype(np.uint8),
    "bool": np.array([True, False, True]),
}
#: (source, destination): each rule of tier0_convert, each source kind
PAIRS = [
    ("float64", "float32"), ("float32", "float64"), ("int64", "float32"), ("int32", "float64"),
    ("uint8", "float32"), ("bool", "float64"), ("int64", "int8"), ("int16", "uint8"),
    ("float32", "bool"), ("int64", "bool"),
]  # fmt: skip


def _kernels(dst: str, label: str = "cast") -> list[diskcache.Kernel]:
    """This process's 1-D conversion kernels into ``dst`` (other tests on the same worker may
    have made more than one: another layout or expression of the same pair)."""
    return [k for s, k in diskcache.MEMORY.items() if tier0_convert.takes(s)
            and s.label == label and s.outputs[0][3] == dst and s.ndim == 1]  # fmt: skip


def _used(dst: str, label: str, run: Any) -> tuple[Any, diskcache.Kernel]:
    """``run()``'s result and the one conversion kernel into ``dst`` that NumPy ran for it."""
    before = {id(k): getattr(k.fn, "calls", 0) for k in _kernels(dst, label)}
    result = run()
    [kernel] = [k for k in _kernels(dst, label) if getattr(k.fn, "calls", 0) > before.get(id(k), 0)]
    return result, kernel


@pytest.mark.parametrize(("src", "dst"), PAIRS)
def test_conversions_are_bitwise_the_compiled_kernels(src: str, dst: str) -> None:
    a = VALUES[src]
    got, kernel = _used(dst, "cast", lambda: torch.from_numpy(a.copy()).to(getattr(torch, dst)))
    got = got.numpy()
    assert isinstance(kernel.fn, tier0_convert.Conversion)  # (NumPy converted it)
    want = np.empty_like(got)
    kernel.dispatcher(a, want)  # the compiled kernel, as it ran before tier 0 took casts
    assert got.tobytes() == want.tobytes(), (src, dst, got, want)


def test_a_conversion_compiles_nothing_and_float_to_int_still_compiles() -> None:
    x = torch.tensor([[1.5, -2.5], [np.nan, 3e9]], dtype=torch.float64)
    assert x.to(torch.int16)[0].tolist() == [1, -2]  # (NaN, 3e9: undefined, not compared)
    y = torch.from_numpy(VALUES["int32"][:4].reshape(2, 2).copy()).to(torch.float32)
    assert y.tolist() == [[0.0, 1.0], [-1.0, -1.0]]
    f32 = _kernels("float32")
    assert f32 and not [s for k in f32 for s in k.dispatcher.overloads if "int32" in str(s[0])]
    assert any(k.dispatcher.overloads for k in _kernels("int16"))  # (float to int: compiled)


def test_only_pure_conversions_with_memory_of_their_own_are_taken() -> None:
    f64, i64 = np.dtype(np.float64), np.dtype(np.int64)
    assert tier0_convert.exact(i64, np.dtype(np.float32))
    assert not tier0_convert.exact(f64, i64)  # undefined out of range
    assert not tier0_convert.exact(np.dtype(np.uint64), f64)
    assert not tier0_convert.exact(np.dtype(np.complex64), f64)
    out = np.zeros(4, np.float32)
    assert not tier0_convert.run(np.arange(4), np.broadcast_to(out[:1], (4,)))
    buf = np.zeros(4, np.int64)
    assert not tier0_convert.run(buf, buf.view(np.float64))


@pytest.mark.parametrize(("src", "dst"), [("float64", "float64"), ("int64", "float32")])
def test_copies_into_a_strided_tensor_are_bitwise_the_compiled_kernel(src: str, dst: str) -> None:
    a = VALUES[src]
    n = len(a)
    got = torch.zeros(2 * n, dtype=getattr(torch, dst))
    # (x.copy_(y): the copy kernel, strided out)
    _, kernel = _used(dst, "copy", lambda: got[::2].copy_(torch.from_numpy(a.copy())))
    assert isinstance(kernel.fn, tier0_convert.Conversion) and kernel.fn.calls
    want = np.zeros(2 * n, dst)
    kernel.dispatcher(want[::2], a, want[::2])
    assert got.numpy().tobytes() == want.tobytes()


def test_a_hot_conversion_compiles(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tier0_convert, "CALL_S", 1.0)  # (one call spends the budget)
    x = torch.tensor([1, -2, 3], dtype=torch.int16)
    assert x.to(torch.float64).tolist() == [1.0, -2.0, 3.0]
    assert x.to(torch.float64).tolist() == [1.0, -2.0, 3.0]
    [kernel] = [  # (the one compiled for int16: handed over to its dispatcher)
        k
        for k in _kernels("float64")
        if [s for s in k.dispatcher.overloads if "int16" in str(s[0])]
    ]
    assert kernel.fn is kernel.dispatcher
