"""Sorting and selection on device tensors: ``sort``, ``argsort``, ``msort``, ``topk``,
``kthvalue``, ``median``, ``cummax``/``cummin`` and ``masked_select``.

All of them sort with :func:`~jitgrad.kernels.cuda.sort.sort_lines` (a stable merge sort of
every line along ``dim``): equal values keep their input order (PyTorch's ``stable=True``
order; for ``stable=False``, ``topk`` and ``kthvalue`` PyTorch defines no order among equal
values, and its CPU and CUDA kernels differ: the CPU's libstdc++ introsort / quickselect
order is not reproduced here), NaN sorts as the largest value. ``topk`` is the first ``k`` of
the sort (``sorted=False`` gives them sorted too, one of the orders PyTorch allows);
``kthvalue`` and ``median`` pick one element of each sorted line, ``median`` the first NaN of
a line that holds one (the CPU's rule). ``cummax``/``cummin`` are one thread per line
(:func:`~jitgrad.kernels.cuda.sort.cum_extreme`, the CPU's loop). ``masked_select`` compacts
with a chunked running count (:func:`~jitgrad.kernels.cuda.sort.compact`); its size is read
back (one synchronization, as PyTorch's).

Values taken from the input send their gradient back to where they came from: the CPU's
nodes (``SortBackward0``, ``TopkBackward0`` ...), whose backward is a device ``scatter_add``
into zeros (``index_add`` for ``masked_select``), recorded again under ``create_graph``.
float16/bfloat16 buffers hold float32 values (:mod:`jitgrad.lowp`): they sort as they are;
bool sorts as uint8 keys. A 0-d input is a line of one (``topk``, ``kthvalue``, ``median``
and ``mode`` give the element and index 0, :func:`_of_scalar`); an empty input gives empty
results (``sort``, ``argsort``, ``msort``, ``topk``, ``cummax``/``cummin``).
Left to the host fallback (``NotImplemented``): complex inputs (the CPU op's error),
``kthvalue``/``median``/``mode`` of empty inputs (the CPU op's error or empty result), ``dim``
not a plain int, operands on the host.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ... import dtypes as D
from ...engine.grad_mode import no_grad
from ...frontend.recording import record
from ...frontend.reduce_minmax import _RETURN_TYPES
from ...frontend.tensor import Tensor, _make
from ...kernels.cuda import compact as KC
from ...kernels.cuda import sort as K
from ...ops.return_types import ModeResult
from . import runtime
from .elementwise import on_device

_KINDS = frozenset((D.float32, D.float64, D.int64, D.int32, D.int16, D.int8, D.uint8, D.float16,
                    D.bfloat16, D.bool_))  # fmt: skip


def _plan(x: Any, dim: Any) -> Any:
    """``(d, (A, R, B))`` for a device tensor the kernels take along ``dim``, else None."""
    if not isinstance(x, Tensor) or not on_device(x) or x._dtype not in _KINDS:
        return None
    if type(dim) is not int or not -max(x.dim(), 1) <= dim < max(x.dim(), 1):
        return None
    if not x.dim():  # a line of one
        return 0, (1, 1, 1)
    d, shape = dim % x.dim(), tuple(x.shape)
    return d, (math.prod(shape[:d]), shape[d], math.prod(shape[d + 1 :]))


def _keys(v: Any, dt: D.dtype) -> Any:
    """Device buffer ``v`` as the kernels' keys: bool as uint8 (0 < 1, as False < True)."""
    v = runtime.contiguous(v)
    return runtime.cast(v, np.uint8) if dt is D.bool_ else v


def _sorted(x: Tensor, shape3: tuple, descending: bool) -> tuple[Tensor, Tensor]:
    if not x.numel():
        shape = tuple(x.shape)
        return _make(runtime.empty(shape, x._value.dtype), x._dtype), _make(
            runtime.empty(shape, np.int64), D.int64)  # fmt: skip
    values, idx = K.sort_lines(_keys(x._value, x._dtype), shape3, descending)
    values = runtime.cast(values, np.bool_) if x._dtype is D.bool_ else values
    return _make(values, x._dtype), _make(idx, D.int64)


def _spread(g: Tensor, shape: tuple, d: int, index: Tensor) -> Tensor:
    """``g`` added into zeros of ``shape`` at ``index`` along ``d`` (the picked values'
    gradient; ``ScatterAddBackward0`` under ``create_graph``, as the CPU's). A 0-d input's
    pick is itself; an empty pick adds nothing."""
    if not shape:
        return g.reshape(())
    return g.new_zeros(shape).scatter_add(d, index, g) if g.numel() else g.new_zeros(shape)


def _of_scalar(name: str, node: str, x: Tensor) -> Any:
    """``name`` of a 0-d ``x`` (a line of one): the element, recorded as ``node``, and 0."""
    with no_grad():
        value, index = x.clone(), x.new_zeros((), dtype=D.int64)
    result = record(node, value._value, x._dtype, [x], lambda g: g)
    return (ModeResult if name == "mode" else _RETURN_TYPES[name])(result, index)


def _picked(node: str, x: Tensor, values: Tensor, index: Tensor, d: int) -> Tensor:
    """``values`` (taken from ``x`` at ``index`` along ``d``) recorded as ``node``."""
    shape = tuple(x.shape)
    return record(node, values._value, x._dtype, [x], lambda g: _spread(g, shape, d, index))


def sort(input: Any, dim: Any = -1, descending: bool = False, stable: bool = False) -> Any:  # noqa: A002
    plan = _plan(input, dim)
    if plan is None:
        return NotImplemented
    d, shape3 = plan
    values, index = _sorted(input, shape3, bool(descending))
    return _RETURN_TYPES["sort"](_picked("SortBackward0", input, values, index, d), index)


def argsort(input: Any, dim: Any = -1, descending: bool = False, stable: bool = False) -> Any:  # noqa: A002
    plan = _plan(input, dim)
    return NotImplemented if plan is None else _sorted(input, plan[1], bool(descending))[1]


def msort(input: Any) -> Any:  # noqa: A002
    res = sort(input, 0)
    return res if res is NotImplemented else res[0]


def topk(input: Any, k: Any, dim: Any = -1, largest: bool = True, sorted: bool = True) -> Any:  # noqa: A002
    plan = _plan(input, dim)
    if plan is None or type(k) is not int or not 0 <= k <= (input.shape or (1,))[plan[0]]:
        return NotImplemented  # (the CPU op's checks and errors)
    if input._dtype is D.bool_:
        return NotImplemented  # (the CPU op's error)
    if not input.dim():
        return _of_scalar("topk", "TopkBackward0", input) if k else NotImplemented
    d, shape3 = plan
    if not input.numel() or not k:  # nothing to sort or to keep: empty results
        shape = (*input.shape[:d], k, *input.shape[d + 1 :])
        values, index = _sorted(input.new_empty(shape), shape3, False)
    else:
        values, index = _sorted(input, shape3, bool(largest))
        with no_grad():
            values, index = (t.narrow(d, 0, k).contiguous() for t in (values, index))
    return _RETURN_TYPES["topk"](_picked("TopkBackward0", input, values, index, d), index)


def _one_per_line(name: str, node: str, x: Tensor, d: int, pos: Any, keepdim: bool) -> Any:
    """The sorted line's element at ``pos`` (an int, or an int64 tensor with ``d`` of size
    1) for every line, with its index, recorded as ``node``."""
    values, index = _sorted(x, _plan(x, d)[1], False)
    with no_grad():
        if isinstance(pos, int):
            values, index = (t.narrow(d, pos, 1).contiguous() for t in (values, index))
        elif x._dtype is D.bool_:  # (no device gather of bool: its uint8 keys picked)
            keys = _make(_keys(values._value, D.bool_), D.uint8).gather(d, pos)
            values = _make(runtime.cast(keys._value, np.bool_), D.bool_)
            index = index.gather(d, pos)
        else:
            values, index = values.gather(d, pos), index.gather(d, pos)
    shape, kept = tuple(x.shape), index

    def backward(g: Tensor) -> Tensor:
        return _spread(g if keepdim else g.unsqueeze(d), shape, d, kept)

    if not keepdim:
        with no_grad():
            values, index = values.squeeze(d), index.squeeze(d)
    result = record(node, values._value, x._dtype, [x], backward)
    return (ModeResult if name == "mode" else _RETURN_TYPES[name])(result, index)


def kthvalue(input: Any, k: Any, dim: Any = -1, keepdim: bool = False) -> Any:  # noqa: A002
    plan = _plan(input, dim)
    if plan is None or type(k) is not int or not 1 <= k <= (input.shape or (1,))[plan[0]]:
        return NotImplemented
    if not input.dim():
        return _of_scalar("kthvalue", "KthvalueBackward0", input)
    return _one_per_line("kthvalue", "KthvalueBackward0", input, plan[0], k - 1, keepdim)


def _median_position(x: Tensor, d: int) -> Any:
    """Per line, where the sorted line holds the median: ``(n - 1) // 2``, or the first NaN
    (sorted last, in input order) where the line holds one."""
    n = x.shape[d]
    if not x._dtype.is_floating_point:
        return (n - 1) // 2
    with no_grad():
        nans = x.isnan().sum(d, keepdim=True)
        return ((n - 1) // 2 + (nans > 0).long() * (n - nans - (n - 1) // 2)).contiguous()


def median(input: Any, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A002
    if dim is None:
        return _median_all(input)
    plan = _plan(input, dim)
    if plan is None or not input.numel():
        return NotImplemented
    if not input.dim():
        return _of_scalar("median", "MedianBackward1", input)
    d = plan[0]
    pos = _median_position(input, d)
    return _one_per_line("median", "MedianBackward1", input, d, pos, bool(keepdim))


def _median_all(x: Any) -> Any:
    """``x.median()``: the lower middle value of all, NaN if any; its gradient shared by the
    elements equal to it (the CPU's ``MedianBackward0``)."""
    if _plan(x, 0) is None or not x.numel():
        return NotImplemented
    flat = x.detach().reshape(-1)
    values, _ = _sorted(flat, (1, flat.numel(), 1), False)
    pos = _median_position(flat, 0)
    with no_grad():
        value = values.narrow(0, pos, 1) if isinstance(pos, int) else values.gather(0, pos)
        value = value.reshape(()).contiguous()

    def backward(g: Tensor) -> Tensor:
        hits = (x == value) | (x.isnan() & value.isnan())
        mask = hits.to(x._dtype)
        return mask * (g / mask.sum())

    return record("MedianBackward0", value._value, x._dtype, [x], backward)


def mode(input: Any, dim: Any = -1, keepdim: bool = False) -> Any:  # noqa: A002
    """The most frequent value along ``dim`` (the smallest of equally frequent ones) and the
    index of its last occurrence: the end of its run in the stable sort."""
    plan = _plan(input, dim)
    if plan is None or not input.numel():
        return NotImplemented
    if not input.dim():
        return _of_scalar("mode", "ModeBackward0", input)
    d, shape3 = plan
    values, _ = _sorted(input, shape3, False)
    pos = _make(K.mode_positions(_keys(values._value, input._dtype), shape3), D.int64)
    shape = list(input.shape)
    shape[d] = 1
    return _one_per_line("mode", "ModeBackward0", input, d, pos.reshape(tuple(shape)), keepdim)


def _cum_extreme(name: str, node: str, input: Any, dim: Any, take_max: bool) -> Any:  # noqa: A002
    plan = _plan(input, dim)
    if plan is None:
        return NotImplemented
    d, shape3 = plan
    shape = tuple(input.shape)
    if input.numel():
        vals, where = K.cum_extreme(_keys(input._value, input._dtype), shape3, take_max)
        vals = runtime.cast(vals, np.bool_) if input._dtype is D.bool_ else vals
    else:
        vals, where = runtime.empty(shape, input._value.dtype), runtime.empty(shape, np.int64)
    index = _make(where, D.int64)
    result = record(node, vals, input._dtype, [input], lambda g: _spread(g, shape, d, index))
    return _RETURN_TYPES[name](result, index)


def masked_select(input: Any, mask: Any) -> Any:  # noqa: A002
    """The elements of ``input`` where ``mask`` (both broadcast) is True, in order."""
    if not isinstance(mask, Tensor) or mask._dtype is not D.bool_ or not on_device(mask):
        return NotImplemented
    if not isinstance(input, Tensor) or not on_device(input) or input._dtype.is_complex:
        return NotImplemented
    shape = tuple(np.broadcast_shapes(tuple(input.shape), tuple(mask.shape)))
    x = input if tuple(input.shape) == shape else input.expand(shape)
    with no_grad():
        m = (mask if tuple(mask.shape) == shape else mask.expand(shape)).contiguous()
    n = math.prod(shape)
    xv = runtime.flat(runtime.contiguous(x._value))
    values, where = KC.compact(xv, runtime.flat(m._value))
    index = _make(where, D.int64)

    def backward(g: Tensor) -> Tensor:
        return g.new_zeros((n,)).index_add(0, index, g).reshape(shape)

    return record("MaskedSelectBackward0", values, x._dtype, [x], backward)


NATIVE: dict[str, Any] = {
    "sort": sort,
    "argsort": argsort,
    "msort": msort,
    "topk": topk,
    "kthvalue": kthvalue,
    "median": median,
    "cummax": lambda x, dim: _cum_extreme("cummax", "CummaxBackward0", x, dim, True),
    "cummin": lambda x, dim: _cum_extreme("cummin", "CumminBackward0", x, dim, False),
    "masked_select": masked_select,
    "mode": mode,
}
