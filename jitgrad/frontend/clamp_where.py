"""``clamp`` (``clip``, ``clamp_min``, ``clamp_max``) and ``where``: the elementwise functions
whose arguments pick the op they run.

``clamp`` runs one clamp node for a floating tensor even with one bound (PyTorch's
ClampBackward0/1), clamp_min/clamp_max for an integer one; ``where`` takes a uint8 condition
with PyTorch's warning and, with one argument, is ``nonzero(as_tuple=True)``. Apart from
:mod:`.functions` (which re-exports them) because of those argument rules.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import dtypes as D
from ..helpers import warn as warn_user
from ..kernels.cpu import indexing as K
from ..ops.registry import REGISTRY as R
from .checks import elementwise_operands
from .out import write_out
from .overloads import OVERLOADS, format_invalid
from .pointwise import apply
from .tensor import Tensor, _make


def _clamp_op(x: Any, min: Any, max: Any) -> tuple[Any, tuple]:  # noqa: A002
    """The op and bounds ``clamp``/``clamp_`` run: one clamp node (PyTorch's
    ClampBackward0/1) for a floating tensor even with a one-sided bound (the missing side an
    infinity); an integer tensor takes clamp_min/clamp_max, keeping its dtype."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if getattr(x, "is_floating_point", bool)():
        return R["clamp"], (-math.inf if min is None else min, math.inf if max is None else max)
    if max is None:
        return R["clamp_min"], (min,)
    if min is None:
        return R["clamp_max"], (max,)
    return R["clamp"], (min, max)


def _clamp_type_error(x: Any, min: Any, max: Any) -> None:  # noqa: A002
    """Name the arguments as given, not the infinite stand-ins, in PyTorch's TypeError."""
    elementwise_operands("clamp", (x, min) if max is None else (x, min, max))


#: the method's overloads as PyTorch prints them (no ``input``, no ``out``)
_METHOD_OPTIONS = (
    "(Tensor min = None, Tensor max = None)",
    "(Number min = None, Number max = None)",
)


def refuse_mixed_bounds(name: str, input: Any, args: tuple, kwargs: dict, method: bool) -> None:  # noqa: A002, E501
    """PyTorch's TypeError for a tensor bound beside a number bound: its two overloads take
    both bounds as tensors or both as numbers, never one of each (None matches either)."""
    if len(args) + len(kwargs) < 2:  # one bound (or an ``out=``): nothing to mix
        return
    bounds = dict(zip(("min", "max"), args, strict=False)) | kwargs
    lo, hi = bounds.get("min"), bounds.get("max")
    if lo is None or hi is None or isinstance(lo, Tensor) == isinstance(hi, Tensor):
        return
    if method:
        raise TypeError(format_invalid(name, args, kwargs, _METHOD_OPTIONS))
    raise TypeError(format_invalid(name, (input, *args), kwargs, OVERLOADS["clamp"]))


def bounded(fn: Any, name: str, method: bool = False) -> Any:
    """``fn(input, min, max)`` as PyTorch's ``name``, refusing mixed bounds first."""

    def form(input: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: A002 - PyTorch's name
        refuse_mixed_bounds(name, input, args, kwargs, method)
        return fn(input, *args, **kwargs)

    form.__name__ = form.__qualname__ = name
    form.__doc__ = fn.__doc__
    return form


def clamp_plain(input: Any, min: Any = None, max: Any = None) -> Any:  # noqa: A001, A002
    """Limit ``input`` to ``[min, max]``; the gradient flows where it was not clipped.
    (Unchecked for mixed bounds: ``clamp``, ``clip`` and the methods are it behind
    :func:`bounded`.)"""
    op, bounds = _clamp_op(input, min, max)
    try:
        return apply(op, (input, *bounds))
    except TypeError:
        _clamp_type_error(input, min, max)
        raise


clamp = bounded(clamp_plain, "clamp")
clip = bounded(clamp_plain, "clip")


def clamp_min(input: Any, min: Any) -> Any:  # noqa: A002
    return apply(R["clamp_min"], (input, min))


def clamp_max(input: Any, max: Any) -> Any:  # noqa: A001, A002
    return apply(R["clamp_max"], (input, max))


def nonzero(input: Tensor, *, out: Any = None, as_tuple: bool = False) -> Any:  # noqa: A002
    """Indices of the nonzero entries, one row each (or one tensor per dim); ``out`` (int64,
    resized without a warning, as PyTorch's nonzero does) only for the one-tensor form."""
    if out is not None:
        if as_tuple:
            raise RuntimeError("nonzero does not support the out kwarg when as_tuple is True")
        if isinstance(out, Tensor) and out._dtype is not D.int64:
            raise RuntimeError(  # sic: no space before the dtype, as PyTorch words it
                "nonzero: Expected out tensor to have scalar type Long but got scalar type"
                + D.scalar_name(out._dtype)
            )
        return write_out("nonzero", out, lambda: nonzero(input), (input,), warn=False)
    coords = nonzero_coords(input._value if input.ndim else input._value.reshape(1))
    if as_tuple:
        if input.ndim == 0:
            return (_make(coords[:, 0].copy(), D.int64),)
        return tuple(_make(coords[:, j].copy(), D.int64) for j in range(input.ndim))
    if input.ndim == 0:
        coords = coords[:, :0]
    return _make(coords, D.int64)


def where(condition: Any, input: Any = None, other: Any = None) -> Any:  # noqa: A002
    """``input`` where ``condition`` holds, else ``other``."""
    if input is None and other is None:
        return nonzero(condition, as_tuple=True)
    if isinstance(condition, Tensor) and condition._dtype is D.uint8:
        condition = _uint8_condition(condition)
    return apply(R["where"], (condition, input, other))


_WARNED: set[str] = set()


def _uint8_condition(condition: Tensor) -> Tensor:
    """PyTorch still takes a uint8 ``where`` condition as a mask, warning once per process."""
    if "where" not in _WARNED:
        _WARNED.add("where")
        warn_user(
            "where received a uint8 condition tensor. This behavior is deprecated and will be "
            "removed in a future version of PyTorch. Use a boolean condition instead.",
            UserWarning,
            stacklevel=3,
        )
    return apply(R["cast"], (condition,), out_dtype=D.bool_)  # (functions.cast)


def _expression_where(condition: Any, input: Any, other: Any) -> Any:
    """``where`` as the derivative expressions call it: a rule comparing a Python-scalar
    operand (``where(b == 0, ...)`` for ``x ** 3``) gives a plain bool, which picks a side
    (a user's ``where`` needs a bool tensor, as in PyTorch)."""
    if isinstance(condition, bool):
        return input if condition else other
    return where(condition, input, other)


def nonzero_coords(arr: np.ndarray) -> np.ndarray:
    """The coordinates of ``arr``'s nonzero elements, one row each (a counting pass sizes the
    result, a second fills it: no list of arrays as ``np.nonzero`` builds)."""
    flat = np.ascontiguousarray(arr).reshape(-1)
    out = np.empty((K.count_nonzero(flat), arr.ndim), np.int64)
    K.nonzero_fill(flat, np.array(arr.shape, np.int64), out)
    return out
