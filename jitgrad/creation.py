"""Tensor constructors: ``tensor``, ``zeros``, ``randn``, ``arange`` ...

Random numbers come from :mod:`jitgrad.random`'s generators (the default one, or the
``generator=`` given), so a seeded program is reproducible run to run (it does not reproduce
PyTorch's own random stream).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import dtypes as D
from .random import Generator, manual_seed, numpy_generator, seed  # noqa: F401 - re-exported
from .tensor import CPU, REQUIRES_GRAD_DTYPE, Tensor, _make
from .tensor import device as Device

#: The device factory functions place tensors on when given none (``set_default_device``).
_default_device: Any = None


def generator(gen: Generator | None = None) -> np.random.Generator:
    """The numpy generator behind ``gen`` (the default generator when ``None``)."""
    return numpy_generator(gen)


def set_default_device(device: Any) -> None:
    """Where factory functions (``zeros``, ``randn``, ``tensor`` ...) put new tensors."""
    global _default_device
    _default_device = None if device is None else Device(device)


def get_default_device() -> Any:
    return _default_device or CPU


def _infer_dtype(data: Any) -> D.dtype:
    if isinstance(data, np.ndarray):
        return D.from_numpy_dtype(data.dtype)
    if isinstance(data, Tensor):
        return data._dtype
    if isinstance(data, np.generic):
        return D.from_numpy_dtype(data.dtype)
    if isinstance(data, bool):
        return D.bool_
    if isinstance(data, int):
        return D.int64
    if isinstance(data, float):
        return D.get_default_dtype()
    if isinstance(data, list | tuple):
        best: D.dtype | None = None
        for item in data:
            d = _infer_dtype(item)
            if best is None or d._category > best._category:
                best = d
            if d._category == best._category and d is D.float64 and isinstance(item, np.ndarray):
                best = d
        return best or D.get_default_dtype()
    raise TypeError(f"Could not infer dtype of {type(data).__name__}")


def _to_numpy(data: Any, np_dtype: np.dtype) -> np.ndarray:
    if isinstance(data, Tensor):
        return np.array(data._value, dtype=np_dtype)
    if isinstance(data, list | tuple) and any(isinstance(x, Tensor) for x in _flat(data)):
        data = _unwrap(data)
    return np.array(data, dtype=np_dtype)


def _flat(data: Any):
    for x in data:
        if isinstance(x, list | tuple):
            yield from _flat(x)
        else:
            yield x


def _unwrap(data: Any) -> Any:
    if isinstance(data, Tensor):
        if data._value.ndim:
            return data._value.tolist()
        return data.item()
    if isinstance(data, list | tuple):
        return [_unwrap(x) for x in data]
    return data


def _tensor_from_data(data: Any, dtype: Any) -> Tensor:
    dt = D.to_dtype(dtype) if dtype is not None else _infer_dtype(data)
    return _make(_to_numpy(data, dt.np), dt)


def _finish(t: Tensor, requires_grad: bool, device: Any = None) -> Tensor:
    if requires_grad:
        if not t._dtype.is_floating_point:
            raise RuntimeError(REQUIRES_GRAD_DTYPE)
        t._requires_grad = True
    device = device if device is not None else _default_device
    if device is not None:
        if Device(device).type != "cpu":
            return t.to(device)
    return t


def tensor(
    data: Any,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    pin_memory: bool = False,
) -> Tensor:
    """A new tensor holding a copy of ``data`` (nested lists, scalars, arrays or tensors)."""
    return _finish(_tensor_from_data(data, dtype), requires_grad, device)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """``data`` as a tensor, sharing memory with a numpy array or tensor when possible."""
    if isinstance(data, Tensor) and (dtype is None or D.to_dtype(dtype) is data._dtype):
        return data
    if isinstance(data, np.ndarray):
        dt = D.to_dtype(dtype) if dtype is not None else D.from_numpy_dtype(data.dtype)
        return _make(np.asarray(data, dtype=dt.np), dt)
    return tensor(data, dtype=dtype, device=device)


def from_numpy(arr: np.ndarray) -> Tensor:
    """A tensor sharing ``arr``'s memory."""
    if not isinstance(arr, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(arr).__name__})")
    return _make(arr, D.from_numpy_dtype(arr.dtype))


def _size_arg(size: tuple, kwargs: dict[str, Any], name: str) -> tuple:
    """``size`` given as varargs, one sequence, or the ``size=`` keyword (PyTorch takes all)."""
    if kwargs:
        extra = set(kwargs) - {"size", "generator", "layout", "pin_memory", "memory_format"}
        if extra:
            raise TypeError(f"{name}() got an unexpected keyword argument '{sorted(extra)[0]}'")
        if "size" in kwargs:
            if size:
                raise TypeError(f"{name}() got multiple values for argument 'size'")
            return (kwargs["size"],)
    return size


def _shape(size: Sequence[Any]) -> tuple[int, ...]:
    if len(size) == 1 and isinstance(size[0], list | tuple):
        size = tuple(size[0])
    shape = tuple(int(s) for s in size)
    for s in shape:
        if s < 0:
            raise RuntimeError(
                f"Trying to create tensor with negative dimension {s}: {list(shape)}"
            )
    return shape


def _filled(
    fill: Any,
    size: Sequence[Any],
    dtype: Any,
    requires_grad: bool,
    device: Any = None,
    default: D.dtype | None = None,
) -> Tensor:
    dt = D.to_dtype(dtype) if dtype is not None else (default or D.get_default_dtype())
    shape = _shape(size)
    value = np.empty(shape, dt.np) if fill is None else np.full(shape, fill, dt.np)
    return _finish(_make(value, dt), requires_grad, device)


def zeros(
    *size: Any,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    out: Any = None,
    **kwargs: Any,
) -> Tensor:
    return _filled(0, _size_arg(size, kwargs, "zeros"), dtype, requires_grad, device)


def ones(
    *size: Any,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    out: Any = None,
    **kwargs: Any,
) -> Tensor:
    return _filled(1, _size_arg(size, kwargs, "ones"), dtype, requires_grad, device)


def empty(
    *size: Any,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    out: Any = None,
    **kwargs: Any,
) -> Tensor:
    return _filled(None, _size_arg(size, kwargs, "empty"), dtype, requires_grad, device)


def full(
    size: Sequence[int],
    fill_value: Any,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    default = None if dtype is not None else _infer_dtype(fill_value)
    return _filled(fill_value, (tuple(size),), dtype, requires_grad, device, default)


def _like(t: Tensor, fill: Any, dtype: Any, requires_grad: bool) -> Tensor:
    dt = D.to_dtype(dtype) if dtype is not None else t._dtype
    return _filled(fill, (t.shape,), dt, requires_grad)


def zeros_like(
    input: Tensor,
    dtype: Any = None,
    device: Any = None,  # noqa: A002
    requires_grad: bool = False,
) -> Tensor:
    return _like(input, 0, dtype, requires_grad)


def ones_like(
    input: Tensor,
    dtype: Any = None,
    device: Any = None,  # noqa: A002
    requires_grad: bool = False,
) -> Tensor:
    return _like(input, 1, dtype, requires_grad)


def empty_like(
    input: Tensor,
    dtype: Any = None,
    device: Any = None,  # noqa: A002
    requires_grad: bool = False,
) -> Tensor:
    return _like(input, None, dtype, requires_grad)


def full_like(
    input: Tensor,
    fill_value: Any,
    dtype: Any = None,
    device: Any = None,  # noqa: A002
    requires_grad: bool = False,
) -> Tensor:
    return _like(input, fill_value, dtype, requires_grad)


def arange(
    start: Any,
    end: Any = None,
    step: Any = 1,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    if end is None:
        start, end = 0, start
    if dtype is None:
        dt = _infer_dtype([start, end, step])
        if dt is D.bool_:
            dt = D.int64
    else:
        dt = D.to_dtype(dtype)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    n = max(0, math.ceil((end - start) / step))
    value = (start + np.arange(n, dtype=np.float64) * step).astype(dt.np)
    if not dt.is_floating_point:
        value = np.arange(start, end, step).astype(dt.np)
    return _finish(_make(value, dt), requires_grad, device)


def linspace(
    start: float,
    end: float,
    steps: int,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    value = np.linspace(start, end, int(steps)).astype(dt.np)
    return _finish(_make(value, dt), requires_grad, device)


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
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    value = np.power(base, np.linspace(start, end, int(steps))).astype(dt.np)
    return _finish(_make(value, dt), requires_grad, device)


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
    warnings.warn(
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
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    return _finish(_make(np.eye(n, m, dtype=dt.np), dt), requires_grad, device)


def _typed(dt: D.dtype):
    def build(*args: Any) -> Tensor:
        if len(args) == 1 and isinstance(args[0], list | tuple | np.ndarray):
            return tensor(args[0], dtype=dt)
        return zeros(*args, dtype=dt)

    return build


FloatTensor = _typed(D.float32)
DoubleTensor = _typed(D.float64)
LongTensor = _typed(D.int64)
IntTensor = _typed(D.int32)
BoolTensor = _typed(D.bool_)
