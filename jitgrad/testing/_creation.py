"""``make_tensor``: a tensor of a given shape and dtype with values uniform on [low, high),
PyTorch's defaults and argument checks (integers [-9, 10), floats [-9, 9), bool {0, 1})."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from .. import dtypes as D
from ..frontend.creation import empty
from ..frontend.sampling import randint
from ..frontend.tensor import Tensor
from ..helpers import warn as warn_user
from ..typeinfo import finfo, iinfo


def _bounds(low: Any, high: Any, dt: D.dtype, lowest: float, highest: float, default: tuple):
    """PyTorch's checks of ``low``/``high``, clamped to what ``dt`` holds."""
    low = default[0] if low is None else low
    high = default[1] if high is None else high
    if any(isinstance(v, float) and math.isnan(v) for v in (low, high)):
        raise ValueError(f"`low` and `high` cannot be NaN, but got low={low} and high={high}")
    if low == high and dt.is_floating_point:
        warn_user(
            "Passing `low==high` to `torch.testing.make_tensor` for floating or complex types "
            "is deprecated since 2.1 and will be removed in 2.3. Use `torch.full(...)` instead.",
            FutureWarning,
            stacklevel=3,
        )
    elif low >= high:
        raise ValueError(f"`low` must be less than `high`, but got {low} >= {high}")
    elif high < lowest or low >= highest:
        raise ValueError(
            f"The value interval specified by `low` and `high` is [{low}, {high}), "
            f"but {dt} only supports [{lowest}, {highest})"
        )
    low, high = min(max(low, lowest), highest), min(max(high, lowest), highest)
    if not dt.is_floating_point:
        return math.ceil(low), math.ceil(high)
    return low, high


def make_tensor(
    *shape: Any,
    dtype: Any,
    device: Any,
    low: float | None = None,
    high: float | None = None,
    requires_grad: bool = False,
    noncontiguous: bool = False,
    exclude_zero: bool = False,
    memory_format: Any = None,
) -> Tensor:
    """A tensor of ``shape`` and ``dtype`` drawn uniformly from ``[low, high)``;
    ``noncontiguous`` gives a strided view, ``exclude_zero`` replaces zeros (by 1 for
    integers, the smallest normal number for floats)."""
    if len(shape) == 1 and isinstance(shape[0], Sequence):
        shape = tuple(shape[0])
    dt = D.to_dtype(dtype)
    if noncontiguous and memory_format is not None:
        raise ValueError(
            "The parameters `noncontiguous` and `memory_format` are mutually exclusive, "
            f"but got noncontiguous={noncontiguous} and memory_format={memory_format}"
        )
    if requires_grad and not dt.is_floating_point:
        raise ValueError(
            "`requires_grad=True` is not supported for boolean and integral dtypes, "
            f"but got dtype={dt}"
        )
    noncontiguous = noncontiguous and math.prod(shape) > 1
    if noncontiguous:
        shape = (*shape[:-1], 2 * shape[-1])
    result = _uniform(shape, dt, device, low, high)
    if noncontiguous:
        result = result[..., 1::2]
    if exclude_zero:
        result[result == 0] = 1 if not dt.is_floating_point else finfo(dt).tiny
    if dt.is_floating_point:
        result.requires_grad = requires_grad
    return result


def _uniform(shape: tuple, dt: D.dtype, device: Any, low: Any, high: Any) -> Tensor:
    """``make_tensor``'s values: uniform in ``[low, high)`` clamped to ``dt``'s range, with
    PyTorch's default bounds per kind (bool, integer, floating)."""
    if dt is D.bool_:
        lo, hi = _bounds(low, high, dt, 0, 2, (0, 2))
        return randint(lo, hi, shape, device=device, dtype=dt)
    if not dt.is_floating_point:
        info = iinfo(dt)
        top = info.max + (1 if dt is not D.int64 else 0)
        lo, hi = _bounds(low, high, dt, info.min, top, (-9, 10))
        return randint(lo, hi, shape, device=device, dtype=dt)
    info = finfo(dt)
    lo, hi = _bounds(low, high, dt, info.min, info.max, (-9, 9))
    result = empty(shape, device=device, dtype=dt)
    if hi - lo >= info.max:
        result.uniform_(lo / 2, hi / 2).mul_(2)
    else:
        result.uniform_(lo, hi)
    return result
