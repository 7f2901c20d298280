"""Comparisons of whole tensors (``allclose``, ``isclose``, ``equal``) and small reductions
PyTorch programs reach for: ``nansum``, ``nanmean``, ``aminmax``, ``count_nonzero``,
``std_mean``, ``var_mean``."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes as D
from ..ops.return_types import named_result
from . import argcheck as A
from . import functions as F
from . import parser_forms as PF
from .checks import DTYPE_WORDS
from .recording import record, renamed
from .reduce import amax, amin, mean, std, sum, var  # noqa: A004
from .tensor import Tensor, _make

_WORDS = DTYPE_WORDS  # PyTorch's dtype words, one table for every message


def isclose(
    input: Tensor,  # noqa: A002
    other: Tensor,
    rtol: float = 1e-05,
    atol: float = 1e-08,
    equal_nan: bool = False,
) -> Tensor:
    """``|input - other| <= atol + rtol |other|`` elementwise; equal infinities are close,
    NaN only with ``equal_nan``."""
    if isinstance(other, Tensor) and input._dtype is not other._dtype:
        raise RuntimeError(f"{_WORDS[input._dtype.name]} did not match {_WORDS[other._dtype.name]}")
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol}")
    a = input._value
    b = other._value if isinstance(other, Tensor) else np.asarray(other)
    with np.errstate(invalid="ignore", over="ignore"):
        close = a == b
        if equal_nan:
            close |= np.isnan(a) & np.isnan(b)
        if input._dtype.is_floating_point:
            err = np.abs(a - b)
            close |= np.isfinite(err) & (err <= atol + np.abs(rtol * b))
        else:
            close |= np.abs(a.astype(np.float64) - b) <= atol + np.abs(rtol * b)
    return _make(np.asarray(close), D.bool_)


def allclose(
    input: Tensor,  # noqa: A002
    other: Tensor,
    rtol: float = 1e-05,
    atol: float = 1e-08,
    equal_nan: bool = False,
) -> bool:
    """Whether every element of ``input`` is close to ``other`` (see :func:`isclose`)."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._value.all())


def equal(input: Tensor, other: Tensor) -> bool:  # noqa: A002
    """Same shape and the same elements (NaN is never equal)."""
    if tuple(input.shape) != tuple(other.shape):
        return False
    return bool(np.array_equal(input._value, other._value))


def nansum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:  # noqa: A002
    """The sum with NaN counted as zero (``NansumBackward0``: no gradient to NaN entries)."""
    A.keepdim_bool("nansum", keepdim)
    if dtype is not None:
        input = input.to(dtype)
    with_zeros = _make(
        np.nan_to_num(input._value, nan=0.0, posinf=np.inf, neginf=-np.inf), input._dtype
    )
    value = sum(with_zeros, dim, keepdim)
    mask = _make(~np.isnan(input._value), D.bool_)
    shape = tuple(input.shape)

    def backward(g: Tensor) -> tuple:
        if dim is not None and not keepdim:
            for d in sorted(_dims(dim, len(shape))):
                g = g.unsqueeze(d)
        return (F.where(mask, g.expand(shape), 0.0),)

    return record("NansumBackward0", value._value, value._dtype, (input,), backward)


def _dims(dim: Any, ndim: int) -> list[int]:
    dims = [dim] if isinstance(dim, int) else list(dim)
    return [d % ndim for d in dims]


def nanmean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:  # noqa: A002
    """The mean of the non-NaN elements."""
    A.keepdim_bool("nanmean", keepdim)
    if not input._dtype.is_floating_point:
        raise RuntimeError(
            "nanmean(): expected input to have floating point or complex dtype but got "
            + _WORDS[input._dtype.name]
        )
    count = sum(F.logical_not(F.isnan(input)), dim, keepdim)
    return nansum(input, dim, keepdim, dtype=dtype) / count


_MinMax = named_result("aminmax", ("min", "max"), prefix="jitgrad")


def aminmax(input: Tensor, *, dim: int | None = None, keepdim: bool = False) -> Any:  # noqa: A002
    """``(min, max)`` over ``dim`` (all elements by default)."""
    d = () if dim is None else dim
    return _MinMax(amin(input, d, keepdim), amax(input, d, keepdim))


def count_nonzero(input: Tensor, dim: Any = None) -> Tensor:  # noqa: A002
    axis = None if dim is None else tuple(_dims(dim, max(input.dim(), 1)))
    return _make(np.asarray(np.count_nonzero(input._value, axis=axis), np.int64), D.int64)


count_nonzero = PF.overloaded_function(
    count_nonzero, ("(Tensor input, int dim = None)", "(Tensor input, tuple of ints dim)")
)


def _with_mean(spread: Any, name: str, doc: str) -> Any:
    """``std_mean`` and ``var_mean``: ``(spread(...), mean(...))`` with one signature."""

    def fn(
        input: Tensor,  # noqa: A002
        dim: Any = None,
        unbiased: bool | None = None,
        keepdim: bool = False,
        *,
        correction: Any = None,
    ) -> tuple:
        s = spread(input, dim, unbiased, keepdim, correction=correction)
        node = "StdMeanBackward0" if name == "std_mean" else "VarMeanBackward0"
        return renamed(s, node), renamed(mean(input, dim, keepdim), node)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


std_mean = _with_mean(std, "std_mean", "``(std, mean)`` over ``dim``.")
var_mean = _with_mean(var, "var_mean", "``(var, mean)`` over ``dim``.")


__all__ = [
    "allclose",
    "aminmax",
    "count_nonzero",
    "equal",
    "isclose",
    "nanmean",
    "nansum",
    "std_mean",
    "var_mean",
]

#: Tensor method name -> function, bound by jitgrad.methods.bind().
METHODS: dict[str, Any] = {n: globals()[n] for n in __all__ if n not in ("std_mean", "var_mean")}
METHODS["count_nonzero"] = A.int_list_method(count_nonzero, "count_nonzero", "dim")
METHODS.update({n: PF.positional_method(METHODS[n], n, 0, 2) for n in ("nansum", "nanmean")})
