"""Comparisons of whole tensors (``allclose``, ``isclose``, ``equal``) and small reductions
PyTorch programs reach for: ``nansum``, ``nanmean``, ``aminmax``, ``count_nonzero``,
``std_mean``, ``var_mean``."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..ops.return_types import named_result
from . import argcheck as A
from . import functions as F
from . import parser_forms as PF
from .checks import DTYPE_WORDS
from .joint_node import joined, with_mean_node
from .recording import closure, record, saved_attributes, shown_int
from .reduce import amax, amin, mean, sum  # noqa: A004
from .reduce_prod_var import spread_of_mean
from .tensor import Tensor

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
    # in Tensor ops (device kernels on a device operand), detached: the result is a mask
    a = input.detach()
    b = other.detach() if isinstance(other, Tensor) else other
    close = a == b
    if equal_nan:
        close = close | (F.isnan(a) & F.isnan(b))
    if input._dtype.is_floating_point or input._dtype.is_complex:
        err = F.abs(a - b)
        return close | (F.isfinite(err) & (err <= F.abs(b * rtol) + atol))
    b = b.double() if isinstance(b, Tensor) else float(b)  # NumPy's float64 for integers
    return close | (F.abs(a.double() - b) <= F.abs(b * rtol) + atol)


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
    """The sum with NaN counted as zero: one ``NansumBackward0`` over ``input`` (PyTorch's
    node, with its ``_saved_dim/_keepdim/_self``), whose gradient skips the NaN entries."""
    A.keepdim_bool("nansum", keepdim)
    x = input.detach()
    if dtype is not None:
        x = x.to(dtype)
    if not _floating(x):
        return sum(x, dim, keepdim)
    # computed detached in Tensor ops (device kernels on a device operand), recorded as one node
    total = sum(F.where(F.isnan(x), 0.0, x), dim, keepdim)
    shape = tuple(input.shape)

    def backward(g: Tensor) -> Tensor:  # nansum_backward: g spread over self, not onto NaN
        if dim is not None and not keepdim and g.ndim < len(shape):
            for d in sorted(_dims(dim, len(shape))):
                g = g.unsqueeze(d)
        return (g.expand(shape) * F.logical_not(F.isnan(input))).to(input.dtype)

    return record("NansumBackward0", total._value, total._dtype, (input,), backward, (input,))


saved_attributes(
    "NansumBackward0",
    dim=lambda s: None if closure(s.fn)["dim"] is None else _shown_dims(closure(s.fn)["dim"]),
    keepdim=lambda s: closure(s.fn)["keepdim"],
    self=lambda s: s.tensors[0],
)


def _shown_dims(dim: Any) -> tuple:
    return tuple(shown_int(d) for d in ([dim] if isinstance(dim, int) else dim))


def _floating(t: Tensor) -> bool:
    return t._dtype.is_floating_point or t._dtype.is_complex


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


_MinMax = named_result("aminmax", ("min", "max"))


def aminmax(input: Tensor, *, dim: int | None = None, keepdim: bool = False) -> Any:  # noqa: A002
    """``(min, max)`` over ``dim`` (all elements by default)."""
    if dim is None and input.numel() == 0:
        raise RuntimeError(
            "aminmax(): cannot compute aminmax over an empty dimension as the operation has no "
            "identity."
        )
    d = () if dim is None else dim
    parts = (amin(input, d, keepdim), amax(input, d, keepdim))
    return _MinMax(*joined("AminmaxBackward0", parts, (input,)))  # PyTorch's one node


def count_nonzero(input: Tensor, dim: Any = None) -> Tensor:  # noqa: A002
    """The number of nonzero entries (over ``dim``): a sum of ``input != 0`` in Tensor ops, so
    a device operand is counted on the device."""
    nonzero = input.detach() != 0
    return sum(nonzero) if dim is None else sum(nonzero, tuple(_dims(dim, max(input.dim(), 1))))


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
        if isinstance(dim, bool) and unbiased is None:  # PyTorch's (Tensor, bool unbiased) form
            dim, unbiased = None, dim
        s = spread(input, dim, unbiased, keepdim, correction=correction)
        return with_mean_node(name, s, mean(input, dim, keepdim), input)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


std_mean = _with_mean(spread_of_mean("std_mean"), "std_mean", "``(std, mean)`` over ``dim``.")
var_mean = _with_mean(spread_of_mean("var_mean"), "var_mean", "``(var, mean)`` over ``dim``.")


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
