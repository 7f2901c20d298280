"""What ``tensor(data)`` makes of its data: the dtype PyTorch infers from nested lists,
scalars, arrays and tensors, the copy into a numpy array, and PyTorch's errors for data it
cannot hold (ragged lists, strings, self-referential lists, too many dimensions), plus the
``dtype=`` argument check the constructors share.

Split from :mod:`jitgrad.frontend.creation` so that module stays about the constructors themselves.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes as D
from . import argcheck as A
from .tensor import Tensor, _init_fields, _make

#: numpy's limit on dimensions (PyTorch's compute_sizes allows 128; numpy holds 64).
_MAX_DIMS = 64


def _infer_dtype(data: Any, depth: int = 0, given: bool = False) -> D.dtype:
    """The dtype ``tensor(data)`` gets, with PyTorch's errors for what it can't hold (an
    explicit ``dtype`` skips inference, as in PyTorch, but the leaves are still checked)."""
    if isinstance(data, np.ndarray | np.generic):
        return D.from_numpy_dtype(data.dtype)
    if isinstance(data, Tensor):
        return data._dtype
    if isinstance(data, bool):
        return D.bool_
    if isinstance(data, int):
        return D.int64
    if isinstance(data, float):
        return D.get_default_dtype()
    if isinstance(data, complex):
        return D.default_complex()
    if isinstance(data, str):
        if given and depth:
            raise TypeError(f"must be real number, not {A.type_name(data)}")
        raise TypeError(f"new(): invalid data type '{A.type_name(data)}'")
    if isinstance(data, list | tuple | range):
        if depth >= _MAX_DIMS:
            raise ValueError(f"too many dimensions '{A.type_name(data)}'")
        best: D.dtype | None = None
        for item in data:
            if item is data:
                raise TypeError("new(): self-referential lists are incompatible")
            d = _infer_dtype(item, depth + 1, given)
            if best is None or d._category > best._category:
                best = d
            if d._category == best._category and d is D.float64 and isinstance(item, np.ndarray):
                best = d
        return best or D.get_default_dtype()
    if given and depth:
        raise TypeError(f"must be real number, not {A.type_name(data)}")
    raise RuntimeError(f"Could not infer dtype of {A.type_name(data)}")


def _to_numpy(data: Any, np_dtype: np.dtype) -> np.ndarray:
    if isinstance(data, Tensor):
        return np.array(data._value, dtype=np_dtype)
    if isinstance(data, list | tuple) and any(isinstance(x, Tensor) for x in _flat(data)):
        data = _unwrap(data)
    try:
        return np.array(data, dtype=np_dtype)
    except ValueError:
        _check_lengths(data, _sizes_of(data), 0)  # PyTorch's words for a ragged list
        raise
    except OverflowError:
        raise RuntimeError("Overflow when unpacking long") from None


def _flat(data: Any):
    for x in data:
        if isinstance(x, list | tuple):
            yield from _flat(x)
        else:
            yield x


def _unwrap(data: Any) -> Any:
    """Tensors inside a list become Python scalars, as PyTorch's ``item()`` makes them."""
    if isinstance(data, Tensor):
        if data._value.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return data.item()
    if isinstance(data, list | tuple):
        return [_unwrap(x) for x in data]
    return data


def _sizes_of(data: Any) -> list[int]:
    """The shape PyTorch reads off nested sequences: the lengths along the first elements."""
    sizes = []
    while isinstance(data, list | tuple | np.ndarray):
        sizes.append(len(data))
        if not len(data):
            break
        data = data[0]
    return sizes


def _check_lengths(data: Any, sizes: list[int], dim: int) -> None:
    """Raise PyTorch's error where ``data`` stops matching ``sizes``."""
    if dim == len(sizes):
        if isinstance(data, list | tuple):
            raise TypeError(f"must be real number, not {A.type_name(data)}")
        return
    if not isinstance(data, list | tuple | np.ndarray):
        raise TypeError("not a sequence")
    if len(data) != sizes[dim]:
        raise ValueError(
            f"expected sequence of length {sizes[dim]} at dim {dim} (got {len(data)})"
        )
    for item in data:
        _check_lengths(item, sizes, dim + 1)


def _tensor_from_data(data: Any, dtype: Any, fn: str = "tensor") -> Tensor:
    if dtype is None:
        dt = _infer_dtype(data)
    else:
        dt = _dtype_arg(fn, dtype)
        _infer_dtype(data, given=True)
    return _make(_to_numpy(data, dt.np), dt)


def _dtype_arg(fn: str, dtype: Any, args: tuple | None = None) -> D.dtype:
    """A ``dtype=`` argument: a jitgrad dtype or ``float``/``int``/``bool``, as PyTorch takes.

    ``args``: the call's size arguments, for functions with several overloads (their error
    is the invalid-combination one).
    """
    if isinstance(dtype, D.dtype) or dtype in (float, int, bool):
        return D.to_dtype(dtype)
    if args is not None:
        raise A.invalid_args(fn, args, {"dtype": dtype})
    raise A.must_be(fn, "dtype", None, "torch.dtype", dtype)


def result_type(operands: list) -> D.dtype:
    """PyTorch's promotion: dimensioned tensors > 0-d tensors > Python scalars, by category.

    A higher-category operand in a lower priority class still lifts the result to its
    category (``int_tensor * 2.5`` is the default float dtype) but not to its width
    (``float32_tensor * 0-d float64 tensor`` stays float32).
    """
    best: list[D.dtype | None] = [None, None, None]  # dimensioned, zero-dim, scalar
    for op in operands:
        if isinstance(op, Tensor):
            slot = 0 if op._value.ndim else 1
            d = op._dtype
        else:
            slot = 2
            cat = D.scalar_category(op)
            d = D.bool_ if cat == 0 else D.int64 if cat == 1 else D._default_float
            if cat == 3:
                d = D.default_complex()
        cur = best[slot]
        best[slot] = d if cur is None else D.promote(cur, d)
    result: D.dtype | None = None
    for d in best:
        if d is None:
            continue
        if result is None:
            result = d
        elif d._category > result._category:
            # a complex operand of lower priority keeps a floating result's width
            result = D.complex_of(result) if result._category == 2 and d._category == 3 else d
    assert result is not None
    return result


def tensor_init(self: Tensor, *args: Any, **kwargs: Any) -> None:
    """``Tensor.__init__``: ``jitgrad.Tensor([1, 2])`` (old tutorials) or ``Tensor(2, 3)``, in
    the default dtype, like torch.Tensor."""
    if len(args) == 1 and not isinstance(args[0], int):
        data = np.asarray(args[0], dtype=D.get_default_dtype().np)
    else:
        shape = args[0] if len(args) == 1 and isinstance(args[0], tuple) else args
        data = np.zeros(tuple(shape), dtype=D.get_default_dtype().np)
    src = _tensor_from_data(data, None)
    self._value = src._value
    _init_fields(self, src._dtype)
