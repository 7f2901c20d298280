"""Random tensors and the seed: ``manual_seed``, ``rand``, ``randn``, ``randint``, ``randperm``.

Random numbers come from one numpy ``Generator`` seeded by :func:`manual_seed`, so a seeded
program is reproducible run to run (it does not reproduce PyTorch's own random stream).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import argcheck as A
from . import dtypes as D
from .creation import _dtype_arg, _finish, _shape
from .tensor import Tensor, _make

_rng = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Seed jitgrad's random number generator."""
    global _rng
    _rng = np.random.default_rng(int(seed))
    return _rng


def seed() -> int:
    s = int(np.random.SeedSequence().entropy % (1 << 63))
    manual_seed(s)
    return s


def generator() -> np.random.Generator:
    return _rng


def _sampled(fn: str, draw: Any, size: Sequence[Any], dtype: Any, kernel: str) -> Tensor:
    """``draw(shape)`` (float64 samples) cast to ``dtype``; random floats need a float dtype."""
    shape = _shape(fn, size)
    dt = _dtype_arg(fn, dtype, tuple(size)) if dtype is not None else D.get_default_dtype()
    if not dt.is_floating_point:
        raise RuntimeError(f"\"{kernel}\" not implemented for '{_WORDS[dt.name]}'")
    A.storage_nbytes(shape, dt.itemsize)
    try:
        return _make(draw(shape).astype(dt.np, copy=False), dt)
    except (MemoryError, ValueError):  # the float64 draw may pass numpy's limit first
        raise A.alloc_failed(shape, dt.itemsize) from None


_WORDS = {"int64": "Long", "int32": "Int", "bool": "Bool", "float32": "Float", "float64": "Double"}


def rand(
    *size: Any,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    generator: Any = None,
) -> Tensor:
    """Uniform samples on [0, 1)."""
    draw = lambda shape: _rng.random(shape, dtype=np.float64)  # noqa: E731
    t = _sampled("rand", draw, size, dtype, "check_uniform_bounds")
    return _finish(t, requires_grad, device)


def randn(
    *size: Any,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    generator: Any = None,
) -> Tensor:
    """Standard normal samples."""
    draw = lambda shape: _rng.standard_normal(shape, dtype=np.float64)  # noqa: E731
    t = _sampled("randn", draw, size, dtype, "normal_kernel_cpu")
    return _finish(t, requires_grad, device)


def randint(
    low: int,
    high: Any = None,
    size: Sequence[int] = (),
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Integers uniform on [low, high); ``randint(high, size)`` as in PyTorch."""
    if isinstance(high, tuple | list) and size == ():
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    if A.as_int(low) is None or A.as_int(high) is None or not isinstance(size, tuple | list):
        raise A.invalid_args("randint", (low, high, size))
    shape = _shape("randint", (size,))
    if low >= high:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    dt = _dtype_arg("randint", dtype, (low, high, size)) if dtype is not None else D.int64
    A.storage_nbytes(shape, dt.itemsize)
    try:
        value = _rng.integers(low, high, size=shape).astype(dt.np)
    except (MemoryError, ValueError):
        raise A.alloc_failed(shape, dt.itemsize) from None
    return _finish(_make(value, dt), requires_grad, device)


def randperm(n: int, dtype: Any = None, device: Any = None) -> Tensor:
    if A.as_int(n) is None:
        raise A.invalid_args("randperm", (n,))
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got{n}")
    dt = _dtype_arg("randperm", dtype, (n,)) if dtype is not None else D.int64
    A.storage_nbytes((n,), 8)
    return _make(_rng.permutation(n).astype(dt.np), dt)
