"""What every reduction op shares: normalising ``dim``, dtypes, and turning a reduction's
gradient back into the input's shape (see :mod:`jitgrad.frontend.reduce`; the declarations that
record the nodes are :mod:`jitgrad.frontend.declare`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import dtypes as D
from ..engine.grad_mode import STATE
from ..kernels.cpu.reduce_call import (
    kept_shape,
    widen,
)
from . import argcheck as A
from . import functions as F
from . import movement as M
from .checks import DTYPE_WORDS
from .tensor import Tensor, _make, _wrap_dim

Dims = int | Sequence[int] | None


# ---- dims and the kernel launch --------------------------------------------------------------
def reduce_axes(ndim: int, dim: Dims, fn: str = "sum", pos: int | None = None) -> tuple[int, ...]:
    """Sorted non-negative axes for ``dim`` (None or () = all), with torch's errors (``pos``:
    where PyTorch's words place a bad ``dim``: its usual position, or None for a keyword)."""
    if dim is None:
        return tuple(range(ndim))
    if type(dim) is int or isinstance(dim, np.integer):
        a = _wrap_dim(int(dim), ndim)
        return (a,) if ndim else ()
    dim = A.dims_arg(fn, dim, ndim, pos)  # a list of ints, or PyTorch's error for what it isn't
    seen: set[int] = set()
    for d in dim:
        a = _wrap_dim(d, ndim)
        if a in seen:
            raise RuntimeError(f"dim {a} appears multiple times in the list of dims")
        seen.add(a)
    if not dim:
        return tuple(range(ndim))
    return tuple(sorted(seen)) if ndim else ()


def grad_to_input(g: Tensor, shape: tuple[int, ...], axes: tuple[int, ...], keepdim: bool):
    """A reduction's output gradient broadcast back over the reduced axes (a view).

    Without a graph to record (the usual backward) it is one broadcast view, not a reshape
    and an expand op (~15 us of op bookkeeping each for a loss's ``SumBackward0``).
    """
    if not STATE.enabled:
        kept = np.ascontiguousarray(g._value)
        if len(axes) == len(shape):  # a full reduction (a loss): one value seen everywhere
            strides = (0,) * len(shape)
        else:
            kept = kept.reshape(kept_shape(shape, axes, True))
            strides = tuple(
                0 if k == 1 and n != 1 else st
                for k, n, st in zip(kept.shape, shape, kept.strides, strict=True)
            )
        view = np.ndarray(shape, kept.dtype, buffer=kept, strides=strides)  # ~10x broadcast_to
        view.flags.writeable = False
        return _make(view, g._dtype)
    if not keepdim:
        g = M.reshape(g, kept_shape(shape, axes, True))
    return g if g._value.shape == shape else M.expand(g, shape)


def int_to_long(t: Tensor, dtype: Any) -> tuple[np.ndarray, D.dtype]:
    """The input array and result dtype of sum/prod/cumsum: ``dtype=`` casts first; bool and
    integer inputs accumulate in int64 like torch, and are widened to int64 first
    (:func:`~jitgrad.kernels.cpu.reduce_call.widen`: one compiled signature per kernel for
    every integer dtype)."""
    if dtype is not None:
        dt = D.to_dtype(dtype)
        return t._value.astype(dt.np, copy=False), dt
    if t._dtype.is_floating_point or t._dtype.is_complex:
        return t._value, t._dtype
    return widen(t._value), D.int64


def floating(input: Tensor) -> Tensor:
    return input if input._dtype.is_floating_point else F.cast(input, D.get_default_dtype())


_WORDS = DTYPE_WORDS  # PyTorch's dtype words, one table for every message


def type_word(dt: D.dtype) -> str:
    return _WORDS[dt.name]


def dim_or_axis(fn: str, dim: Any, axis: Any) -> Any:
    """A required ``dim`` given as itself or as NumPy's ``axis`` (PyTorch's argument parser
    takes either spelling)."""
    if dim is None:
        if axis is None:
            raise TypeError(f"{fn}() missing 1 required positional argument: 'dim'")
        return axis
    return dim


def numpy_spellings(dim: Dims, keepdim: bool, axis: Dims, keepdims: bool | None) -> tuple:
    """``dim``/``keepdim`` from NumPy's ``axis``/``keepdims`` keywords (PyTorch's argument
    parser takes them as aliases)."""
    return (axis if axis is not None else dim), (keepdims if keepdims is not None else keepdim)
