"""Tensor constructors: ``tensor``, ``zeros``, ``full``, ``arange``, ``eye`` ...

Random constructors (``rand``, ``randn`` ...): :mod:`jitgrad.frontend.sampling`. Sizes and
arguments are checked before anything is allocated, with PyTorch's errors (argcheck)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import cuda
from .. import dtypes as D
from ..backends import meta_tensor as meta
from ..helpers import warn as warn_user
from ..random import Generator, manual_seed, numpy_generator, seed  # noqa: F401 - re-exported
from ..range_values import float_range, linspace_values, logspace_values
from . import argcheck as A
from ._tensor_data import _dtype_arg, _infer_dtype, _tensor_from_data
from .checks import number_fits
from .host_scope import on_host
from .memory_format import allocated_in
from .tensor import CPU, REQUIRES_GRAD_DTYPE, Tensor, _make
from .tensor import device as Device

#: Where factories place tensors given no device: set_default_device's, the type's, or None
_default_device: Any = None
_set_device: Any = None  # set_default_device's
_type_device: Any = None  # set_default_tensor_type's: cuda for a torch.cuda.*Tensor type


def generator(gen: Generator | None = None) -> np.random.Generator:
    """The numpy generator behind ``gen`` (the default generator when ``None``)."""
    return numpy_generator(gen)


def set_default_device(device: Any) -> None:
    """Where factory functions (``zeros``, ``randn``, ``tensor`` ...) put new tensors."""
    global _default_device, _set_device
    _set_device = None if device is None else Device(device)
    _default_device = _set_device if _set_device is not None else _type_device


def set_type_device(device: Any) -> None:
    """The device of the default tensor type (``set_default_tensor_type``; None: the CPU).

    PyTorch keeps it apart from ``set_default_device``, which overrides it while set and
    which alone ``get_default_device`` reports."""
    global _default_device, _type_device
    _type_device = None if device is None else Device(device)
    _default_device = _set_device if _set_device is not None else _type_device


def get_default_device() -> Any:
    return _set_device or CPU


def _finish(t: Tensor, requires_grad: bool, device: Any = None) -> Tensor:
    """``t`` (built on the host) moved to ``device`` (a leaf there), then requiring grad."""
    if requires_grad and not (t._dtype.is_floating_point or t._dtype.is_complex):
        raise RuntimeError(REQUIRES_GRAD_DTYPE)
    device = device if device is not None else None if on_host() else _default_device
    if device is not None and Device(device).type != "cpu":
        t = t.to(device)
    if requires_grad:
        t._requires_grad = True
    return t


def tensor(
    data: Any,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    pin_memory: bool = False,
) -> Tensor:
    """A new tensor holding a copy of ``data`` (nested lists, scalars, arrays or tensors;
    objects exposing ``__cuda_array_interface__`` are copied on the device)."""
    if cuda.is_cuda_array(data):
        t = cuda.from_cuda_array(data, dtype).clone()
        return _finish(t, requires_grad, device)
    if isinstance(data, Tensor) and data.is_cuda:  # copied on the host, then back
        return _finish(_tensor_from_data(data.cpu(), dtype), requires_grad, device or data.device)
    return _finish(_tensor_from_data(data, dtype), requires_grad, device)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """``data`` as a tensor, sharing memory with a numpy array or tensor when possible."""
    if isinstance(data, Tensor) and (dtype is None or D.to_dtype(dtype) is data._dtype):
        return data
    if isinstance(data, np.ndarray):
        dt = D.to_dtype(dtype) if dtype is not None else D.from_numpy_dtype(data.dtype)
        return _make(np.asarray(data, dtype=dt.np), dt)
    if cuda.is_cuda_array(data):  # device memory: shared, not copied
        return _finish(cuda.from_cuda_array(data, dtype), False, device)
    return tensor(data, dtype=dtype, device=device)


def from_numpy(arr: np.ndarray) -> Tensor:
    """A tensor sharing ``arr``'s memory."""
    if not isinstance(arr, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(arr).__name__})")
    return _make(arr, D.from_numpy_dtype(arr.dtype))


def _filled(
    fn: str,
    fill: Any,
    size: Sequence[Any],
    dtype: Any,
    requires_grad: bool,
    device: Any = None,
    default: D.dtype | None = None,
) -> Tensor:
    shape = A.shape_arg(fn, size)
    if dtype is None:
        dt = default or D.get_default_dtype()
    else:
        dt = _dtype_arg(fn, dtype)
    where = device if device is not None else None if on_host() else _default_device
    fill = number_fits(fill, dt) if fn == "full" else fill  # (zeros/ones: 0 and 1 always fit)
    if where is not None and Device(where).type == "meta":  # no data: nothing to allocate
        return _finish(meta.empty(shape, dt), requires_grad, where)
    return _finish(_make(A.allocate(shape, dt.np, fill), dt), requires_grad, device)


def zeros(
    *size: Any,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    out: Any = None,
    **kwargs: Any,
) -> Tensor:
    return _filled("zeros", 0, A.size_arg(size, kwargs, "zeros"), dtype, requires_grad, device)


def ones(
    *size: Any,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    out: Any = None,
    **kwargs: Any,
) -> Tensor:
    return _filled("ones", 1, A.size_arg(size, kwargs, "ones"), dtype, requires_grad, device)


def empty(
    *size: Any,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    out: Any = None,
    **kwargs: Any,
) -> Tensor:
    t = _filled("empty", None, A.size_arg(size, kwargs, "empty"), dtype, requires_grad, device)
    return allocated_in(t, kwargs.get("memory_format"))


def full(
    size: Sequence[int],
    fill_value: Any,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    if not isinstance(size, tuple | list):
        raise A.must_be("full", "size", 1, "tuple of ints", size)
    if not _is_number(fill_value):
        raise A.must_be("full", "fill_value", 2, "Number", fill_value)
    default = None if dtype is not None else _infer_dtype(fill_value)
    if isinstance(fill_value, complex) and dtype is not None:
        dt = _dtype_arg("full", dtype)
        if not dt.is_complex:
            if fill_value.imag:  # PyTorch's words for a lost imaginary part
                name = D.cpp_name(dt)
                raise RuntimeError(f"value cannot be converted to type {name} without overflow")
            fill_value = fill_value.real
    return _filled("full", fill_value, (tuple(size),), dtype, requires_grad, device, default)


def _is_number(value: Any) -> bool:
    """A Python or numpy number, or a one-element tensor (what PyTorch's ``Scalar`` takes)."""
    if isinstance(value, Tensor):
        return value._value.size == 1
    return isinstance(value, bool | int | float | complex | np.number | np.bool_)


def _like(t: Tensor, fill: Any, dtype: Any, requires_grad: bool, device: Any = None) -> Tensor:
    """A new tensor of ``t``'s shape, on ``device`` (default: ``t``'s device)."""
    dt = _dtype_arg("zeros_like", dtype) if dtype is not None else t._dtype
    device = device if device is not None else t.device
    return _filled("zeros_like", fill, (t.shape,), dt, requires_grad, device)


def zeros_like(
    input: Tensor,
    dtype: Any = None,
    device: Any = None,  # noqa: A002
    requires_grad: bool = False,
) -> Tensor:
    return _like(input, 0, dtype, requires_grad, device)


def ones_like(
    input: Tensor,
    dtype: Any = None,
    device: Any = None,  # noqa: A002
    requires_grad: bool = False,
) -> Tensor:
    return _like(input, 1, dtype, requires_grad, device)


def empty_like(
    input: Tensor,
    dtype: Any = None,
    device: Any = None,  # noqa: A002
    requires_grad: bool = False,
) -> Tensor:
    return _like(input, None, dtype, requires_grad, device)


def full_like(
    input: Tensor,
    fill_value: Any,
    dtype: Any = None,
    device: Any = None,  # noqa: A002
    requires_grad: bool = False,
) -> Tensor:
    if not _is_number(fill_value):  # None would leave the memory unfilled
        raise A.must_be("full_like", "fill_value", 2, "Number", fill_value)
    return _like(input, fill_value, dtype, requires_grad, device)


def arange(
    start: Any,
    end: Any = None,
    step: Any = 1,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    given = (start,) if end is None else (start, end) if step == 1 else (start, end, step)
    if not all(_is_number(v) for v in (start, end if end is not None else 0, step)):
        if len(given) == 1:  # one argument: only the ``arange(end)`` overload takes it
            raise A.must_be("arange", "end", 1, "Number", start)
        raise A.invalid_args("arange", given)
    if end is None:
        start, end = 0, start
    if dtype is None:
        dt = _infer_dtype([start, end, step])
        if dt is D.bool_:
            dt = D.int64
    else:
        dt = _dtype_arg("arange", dtype, given)
    start, end, step = (v.item() if isinstance(v, Tensor) else v for v in (start, end, step))
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if not (math.isfinite(start) and math.isfinite(end)):
        raise RuntimeError(f"unsupported range: {start:g} -> {end:g}")
    if not (step > 0 and end >= start or step < 0 and end <= start):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    n = math.ceil((end - start) / step)
    if dt is D.int64:  # PyTorch counts int64 ranges in the truncated integers
        start, end, step = int(start), int(end), int(step)
        if step == 0:
            raise ValueError("step must be nonzero")
        n = -((start - end) // step)
    if not math.isfinite(n) or n > A.STORAGE_MAX:
        raise RuntimeError("invalid size, possible overflow?")
    A.storage_nbytes((n,), dt.itemsize)
    try:
        if dt.is_floating_point:
            value = float_range(start, step, n, dt)
        else:
            # start + i * step in int64 with both truncated (C++ casts), wrapped to ``dt``
            value = (int(start) + np.arange(n, dtype=np.int64) * int(step)).astype(dt.np)
    except (MemoryError, ValueError):
        raise A.alloc_failed((n,), dt.itemsize) from None
    return _finish(_make(value, dt), requires_grad, device)


def _spaced(fn: str, start: Any, end: Any, steps: Any, dtype: Any, values: Any) -> Tensor:
    """``linspace``/``logspace``'s values: the arguments checked as PyTorch's parser checks
    them, the size before allocating; ``values(start, end, n, dt)`` computes them as PyTorch's
    CPU kernel does (in ``dt``: see :mod:`jitgrad.range_values`)."""
    if not (_is_number(start) and _is_number(end)) or A.as_int(steps) is None:
        raise A.invalid_args(fn, (start, end, steps))
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dt = _dtype_arg(fn, dtype, (start, end, steps)) if dtype is not None else None
    dt = dt or D.get_default_dtype()
    A.storage_nbytes((int(steps),), dt.itemsize)
    try:
        value = values(start, end, int(steps), dt) if steps else np.empty(0, dt.np)
    except (MemoryError, ValueError):
        raise A.alloc_failed((int(steps),), dt.itemsize) from None
    return _make(value, dt)


def linspace(
    start: float,
    end: float,
    steps: int,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    t = _spaced("linspace", start, end, steps, dtype, linspace_values)
    return _finish(t, requires_grad, device)


def logspace(
    start: float,
    end: float,
    steps: int,
    base: float = 10.0,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``base ** linspace(start, end, steps)``."""
    def values(s: float, e: float, n: int, dt: D.dtype) -> np.ndarray:
        return logspace_values(s, e, n, base, dt)

    t = _spaced("logspace", start, end, steps, dtype, values)
    return _finish(t, requires_grad, device)


def deprecated_range(
    start: float = 0,
    end: float | None = None,
    step: float = 1,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``torch.range`` (deprecated): ``start .. end`` including ``end`` (default dtype), with
    PyTorch's warning. Named apart so this module keeps the builtin ``range``."""
    warn_user(
        "torch.range is deprecated and will be removed in a future release because its "
        "behavior is inconsistent with Python's range builtin. Instead, use torch.arange, which "
        "produces values in [start, end).",
        UserWarning,
        stacklevel=2,
    )
    if end is None:
        start, end = 0, start
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    n = int(math.floor((end - start) / step)) + 1
    value = (start + np.arange(max(n, 0), dtype=np.float64) * step).astype(dt.np)
    return _finish(_make(value, dt), requires_grad, device)


def eye(
    n: int,
    m: int | None = None,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    given = (n,) if m is None else (n, m)
    if m is None and A.as_int(n) is None:  # one argument: only ``eye(n)`` takes it
        raise A.must_be("eye", "n", 1, "int", n)
    if any(A.as_int(v) is None for v in given):
        raise A.invalid_args("eye", given)
    for name, v in zip("nm", given):
        if v < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {v}")
    dt = _dtype_arg("eye", dtype, given) if dtype is not None else D.get_default_dtype()
    value = A.allocate((n, n if m is None else m), dt.np, 0)
    np.fill_diagonal(value, 1)
    return _finish(_make(value, dt), requires_grad, device)


_DEVICE_STACK: list[Any] = []


def _enter_device(self: Device) -> Device:
    """``with torch.device("meta"):``: factory functions default to this device inside."""
    _DEVICE_STACK.append(_set_device)
    set_default_device(self)
    return self


def _exit_device(self: Device, *exc: Any) -> None:
    set_default_device(_DEVICE_STACK.pop())


Device.__enter__ = _enter_device  # type: ignore[attr-defined]
Device.__exit__ = _exit_device  # type: ignore[attr-defined]
