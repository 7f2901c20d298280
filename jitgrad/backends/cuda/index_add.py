"""``index_add``, ``scatter_add`` and ``scatter`` (and their in-place forms) on device
tensors.

These ran through the host fallback, and so did every ``create_graph`` backward that records
them: ``index_select``'s and ``gather``'s (PyTorch's formulas, :mod:`.selecting`) and
``as_strided``'s (:mod:`.views`: the gradient added into a storage-sized zero buffer). Each is
a copy of ``self`` with ``source`` added by :func:`~jitgrad.kernels.cuda.sort.fold_along`:
every source element's target place computed, those sorted stably, and one thread per run
of equal places adding it in index order, so distinct places are parallel (a 1-D
``index_add`` too; session 17's ``add_along`` ran one thread per column) and the sums are
the CPU's, bitwise, the same every run. PyTorch's CUDA adds with ``atomicAdd`` there
(nondeterministic, documented so): its float bits can differ from the CPU's where an index
repeats, jitgrad's do not; no float atomics is this project's rule, and every dtype (int8,
the float32 buffers of 16-bit floats) takes the same kernel. ``scatter`` and
``scatter_reduce``'s other folds keep ``add_along`` (one thread per column, index order). An
index out of range sets a device flag in the write (the other folds: in a reading pass,
:func:`~jitgrad.kernels.cuda.memory.take_along`), reported at the next synchronization as
the device's other index errors are.
Recorded as the CPU's ``IndexAddBackward0`` / ``ScatterAddBackward0`` with PyTorch's
gradients (``self``: ``g``; ``source``: ``g`` read back at the indices), written in device
ops, so ``create_graph`` records them too.

Left to the host fallback (``NotImplemented``): bool and complex tensors, empty operands, a
0-d ``self`` (``index_add``'s: :mod:`.index_copy`, which also holds ``index_copy``), an
``index_add`` source that is not ``self``'s shape with ``len(index)`` along
``dim``, and a ``scatter_add`` / ``scatter_reduce`` source larger than its index (an index
smaller than ``self`` off ``dim`` folds into that corner: :func:`_added`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ... import dtypes as D
from ...engine.grad_mode import STATE as GRAD
from ...engine.grad_mode import no_grad
from ...frontend import scatter_legacy as SL
from ...frontend.clamp_where import where
from ...frontend.recording import record
from ...frontend.scatter_reduce_grads import grads as scatter_reduce_grads
from ...frontend.tensor import Tensor, _make
from ...kernels.cuda import memory as M
from ...kernels.cuda import sort as SO
from . import native, runtime
from .elementwise import on_device
from .selecting import _index_check


def _plain(*ts: Any) -> bool:
    return all(
        isinstance(t, Tensor) and on_device(t) and t.numel() and t.dim()
        and t._dtype is not D.bool_ and not t._dtype.is_complex
        for t in ts
    )  # fmt: skip


def _added(
    x: Tensor, d: int, index: Tensor, src: Tensor, shared: bool, op: str, assign: bool = False,
    fold: int = M.ADD, runs: bool = False,
) -> Any:  # fmt: skip
    """``x`` with ``src`` added (``assign``: written; ``fold``: another of
    :func:`~jitgrad.kernels.cuda.memory.add_along`'s folds) along ``d`` at ``index`` (a
    device array), or NotImplemented. An index smaller than ``x`` off ``d`` folds into that
    corner of ``x`` (a copy), written back into a copy of the rest. ``runs`` (``d == 0``, a
    shared index, an add or an assign): the rows sorted and each run of equal rows folded
    by its own threads (:func:`~jitgrad.kernels.cuda.sort.fold_runs`, ``index_put``'s); a
    plain add (``index_add``, ``scatter_add``): parallel over every source element
    (:func:`~jitgrad.kernels.cuda.sort.fold_along`, the CPU's order). Both set the range
    check's flag in the write; the other folds check it in a reading pass first."""
    shape, ishape = tuple(x.shape), tuple(index.shape)
    if not shared and any(n != shape[k] for k, n in enumerate(ishape) if k != d):
        region = tuple(slice(None) if k == d else slice(0, n) for k, n in enumerate(ishape))
        with no_grad():
            part = _added(x[region], d, index, src, shared, op, assign, fold)
            if part is NotImplemented:
                return part
            out = _make(M.copy(runtime.contiguous(x._value)), x._dtype)
            out[region] = _make(part, x._dtype)
        return out._value
    n, inner = shape[d], math.prod(shape[d + 1 :])
    idx = runtime.flat(runtime.contiguous(index._value))
    idx = idx if index._dtype is D.int64 else runtime.cast(idx, np.int64)
    flag = runtime.zeros((1,), np.int32)
    out = M.copy(runtime.contiguous(x._value))
    s = runtime.contiguous(src._value)
    s = s if s.dtype == out.dtype else runtime.cast(s, out.dtype)
    if runs:  # (index_put's rows: never negative, out of range as n)
        SO.fold_runs(s, idx, n, out, assign, flag)
    elif fold == M.ADD and not assign:  # (the write's kernel sets the flag: no reading pass)
        SO.fold_along(s, idx, n, inner, out, shared, flag)
    else:
        scratch = runtime.empty(tuple(src.shape), x._dtype.np)  # (the range check's reads)
        M.take_along(runtime.contiguous(x._value), idx, n, inner, scratch, flag, shared, True)
        M.add_along(s, idx, n, inner, out, shared, assign, fold)
    if runtime.flagged(flag, _index_check(op)):
        return NotImplemented  # the CPU op raises PyTorch's error
    return out


def index_add(input: Any, dim: Any, index: Any, source: Any, *, alpha: Any = 1) -> Any:  # noqa: A002
    """``input.index_add(dim, index, source, alpha=alpha)`` with a 1-D int index."""
    if not _plain(input, source) or not isinstance(index, Tensor) or type(dim) is not int:
        return NotImplemented
    shape = tuple(input.shape)
    if index.dim() != 1 or index._dtype not in (D.int64, D.int32) or not on_device(index):
        return NotImplemented
    if not -len(shape) <= dim < len(shape) or source._dtype is not input._dtype:
        return NotImplemented
    d = dim % len(shape)
    if tuple(source.shape) != (*shape[:d], index.numel(), *shape[d + 1 :]):
        return NotImplemented
    with no_grad():
        src = source if alpha == 1 else source * alpha
    value = _added(input, d, index, src, True, "index_add")
    if value is NotImplemented:
        return value

    def backward(g: Tensor) -> tuple:
        picked = g.index_select(d, index)
        return g, picked if alpha == 1 else picked * alpha

    return record("IndexAddBackward0", value, input._dtype, [input, source], backward,
                  saved=[index])  # fmt: skip


def _scatter_args(input: Any, dim: Any, index: Any, src: Any) -> int | None:  # noqa: A002
    """``dim`` wrapped where the device op takes the case: ``src`` shaped as ``index``, and
    ``index`` no larger than ``input`` in every dim but ``dim``, else None (the host
    fallback)."""
    if not _plain(input, src) or not isinstance(index, Tensor) or type(dim) is not int:
        return None
    shape, ishape = tuple(input.shape), tuple(index.shape)
    if index._dtype is not D.int64 or not on_device(index) or src._dtype is not input._dtype:
        return None
    if len(ishape) != len(shape) or not -len(shape) <= dim < len(shape):
        return None
    d = dim % len(shape)
    if any(n > shape[k] for k, n in enumerate(ishape) if k != d) or tuple(src.shape) != ishape:
        return None
    if not index.numel():
        return None
    return d


def scatter(
    input: Any,  # noqa: A002
    dim: Any,
    index: Any,
    src: Any = None,
    *,
    value: Any = None,
    reduce: Any = None,
) -> Any:
    """``input.scatter(dim, index, src)`` (or ``value=``): ``src`` written in index order
    along ``dim`` (a repeated index: the last write, as the CPU's; PyTorch's CUDA picks
    one), ``index`` and ``src`` shaped as ``input`` in every dim but ``dim``."""
    is_tensor = isinstance(src, Tensor)
    if reduce not in (None, "add", "multiply"):
        return NotImplemented  # (the CPU op's error)
    if not isinstance(index, Tensor) or not _plain(input):
        return NotImplemented
    if not is_tensor:  # a scalar (positional or value=): a device tensor of index's shape
        fill = value if src is None else src
        if isinstance(fill, Tensor) or fill is None:
            return NotImplemented
        src = input.new_full(tuple(index.shape), fill)
    d = _scatter_args(input, dim, index, src)
    if reduce is not None:
        return _legacy_reduce(input, d, index, src, reduce, is_tensor)
    value = None if d is None else _added(input, d, index, src, False, "scatter", True)
    if value is None or value is NotImplemented:
        return NotImplemented

    def backward(g: Tensor) -> tuple:
        gi = g.scatter(d, index, 0.0)
        return (gi, g.gather(d, index)) if is_tensor else (gi,)

    inputs = [input, src] if is_tensor else [input]
    name = "ScatterBackward0" if is_tensor else "ScatterBackward1"
    return record(name, value, input._dtype, inputs, backward, saved=[index])


def _legacy_reduce(input: Tensor, d: Any, index: Tensor, src: Tensor, reduce: str,  # noqa: A002
                   is_tensor: bool) -> Any:  # fmt: skip
    """``scatter(..., reduce="add" | "multiply")``: folded in index order, no derivative (the
    CPU's node ``NotImplemented``, whose backward raises PyTorch's error)."""
    if d is None:
        return NotImplemented
    fold = M.ADD if reduce == "add" else M.MUL
    value = _added(input, d, index, src, False, "scatter", fold=fold)
    if value is NotImplemented:
        return value
    if is_tensor:
        SL.warn_tensor_src()
    return record("NotImplemented", value, input._dtype, [input, src] if is_tensor else [input],
                  SL._no_derivative)  # fmt: skip


def scatter_add(input: Any, dim: Any, index: Any, src: Any) -> Any:  # noqa: A002
    """``input.scatter_add(dim, index, src)`` with ``index`` and ``src`` shaped as ``input``
    in every dim but ``dim``."""
    d = _scatter_args(input, dim, index, src)
    if d is None:
        return NotImplemented
    value = _added(input, d, index, src, False, "scatter_add")
    if value is NotImplemented:
        return value
    return record("ScatterAddBackward0", value, input._dtype, [input, src],
                  lambda g: (g, g.gather(d, index)), saved=[index])  # fmt: skip


def index_fill(input: Any, dim: Any, index: Any, value: Any) -> Any:  # noqa: A002
    """``input.index_fill(dim, index, value)``: the slices ``index`` of ``dim`` (negative
    from the end) set to ``value``, by a mask counted on the device (``index_add`` of ones);
    the CPU's nodes (``IndexFillBackward0``; ``1`` for a 0-d tensor ``value``, which gets the
    filled places' gradient)."""
    if not isinstance(input, Tensor) or not isinstance(index, Tensor) or type(dim) is not int:
        return NotImplemented
    is_tensor = isinstance(value, Tensor)
    if is_tensor and (value.dim() or not on_device(value) or value._dtype.is_complex):
        return NotImplemented
    if not is_tensor and type(value) not in (int, float, bool):
        return NotImplemented
    if index._dtype is not D.int64 or index.dim() > 1 or not on_device(index):
        return NotImplemented  # (the CPU op's errors)
    if input._dtype.is_complex or not input.numel() or not -max(input.dim(), 1) <= dim < max(
            input.dim(), 1):  # fmt: skip
        return NotImplemented
    d = dim % max(input.dim(), 1)
    n = input.shape[d] if input.dim() else 1
    with no_grad():
        flat = index.reshape(-1)
        hits = index_add(flat.new_zeros((n,)), 0, flat, flat.new_ones((flat.numel(),)))
        if hits is NotImplemented:
            return hits  # an index out of range: the CPU op's error
        shape = [1] * input.dim()
        if shape:
            shape[d] = n
        mask = (hits > 0).reshape(tuple(shape))
        fill = value.to(input._dtype) if is_tensor else value
        out = where(mask, fill, input.detach()).contiguous()

    def backward(g: Tensor) -> tuple:
        kept = g.index_fill(d, index, 0.0)
        if not is_tensor:
            return (kept,)
        return kept, ((g - kept).sum() if value._requires_grad else None)

    name, inputs = ("IndexFillBackward1", [input, value]) if is_tensor else (
        "IndexFillBackward0", [input])  # fmt: skip
    return record(name, out._value, input._dtype, inputs, backward, saved=[index])


_FOLDS = {"sum": M.ADD, "mean": M.ADD, "prod": M.MUL, "amax": M.AMAX, "amin": M.AMIN}


def scatter_reduce(
    input: Any,  # noqa: A002
    dim: Any,
    index: Any,
    src: Any,
    reduce: Any,
    *,
    include_self: bool = True,
) -> Any:
    """``input.scatter_reduce(dim, index, src, reduce, include_self=...)``: folded in index
    order, one thread per line (the CPU's ``ufunc.at`` order); ``include_self=False`` starts
    each scattered place from the fold's identity (the CPU's: 0, 1, or the dtype's lowest /
    highest finite value); ``mean`` divides by the count (floor division for integers).
    ``ScatterReduceBackward0`` with PyTorch's gradients, the CPU op's Tensor-op formulas
    (:func:`jitgrad.frontend.scatter_reduce_grads.grads`) run on device tensors."""
    d = _scatter_args(input, dim, index, src) if reduce in _FOLDS else None
    if d is None:
        return NotImplemented
    with no_grad():
        hits = index.new_zeros(tuple(input.shape)).scatter_add(d, index, index.new_ones(
            tuple(index.shape)))  # fmt: skip
        touched = hits > 0
        start = input if include_self else input.masked_fill(touched, _identity(input, reduce))
        value = _added(start, d, index, src, False, "scatter_reduce", fold=_FOLDS[reduce])
        if value is NotImplemented:
            return value
        count = (hits + int(bool(include_self))).clamp_min(1)
        dt = input._dtype
        if reduce == "mean":  # (in the tensor's dtype, as PyTorch's; the CPU's NumPy divides
            # in float64 and rounds once more, which can differ by an ulp)
            out = _make(value, dt)
            div = out / count.to(dt) if dt.is_floating_point else out // count
            value = (div if include_self else where(touched, div, out)).contiguous()._value
    result = _make(value, dt)

    def backward(g: Tensor) -> tuple:
        return scatter_reduce_grads(g, reduce, input, src, result, d, index, include_self)

    return record("ScatterReduceBackward0", value, input._dtype, [input, src], backward,
                  saved=[index])  # fmt: skip


def _identity(x: Tensor, reduce: str) -> Any:
    if reduce in ("sum", "mean", "prod"):
        return 0 if reduce != "prod" else 1
    lim = np.finfo(x._dtype.np) if x._dtype.is_floating_point else np.iinfo(x._dtype.np)
    return (lim.min if reduce == "amax" else lim.max).item()


def _in_place(op: Any):
    """``x.index_add_(...)``: the op's result copied into ``x``. One that autograd records
    is left to the fallback's recorded in-place rule (this out-of-place op, rebased)."""

    def impl(self: Any, *args: Any, **kwargs: Any) -> Any:
        tensors = [t for t in (self, *args, *kwargs.values()) if isinstance(t, Tensor)]
        if GRAD.enabled and any(t._requires_grad for t in tensors):
            return NotImplemented
        res = op(self, *args, **kwargs)
        if res is NotImplemented:
            return res
        with no_grad():
            return self.copy_(res)  # (through a view too: its base's buffer written)

    return impl


native.NATIVE.update(
    {
        "index_add": index_add,
        "index_fill": index_fill,
        "index_fill_": _in_place(index_fill),
        "scatter_add": scatter_add,
        "scatter": scatter,
        "scatter_": _in_place(scatter),
        "scatter_reduce": scatter_reduce,
        "scatter_reduce_": _in_place(scatter_reduce),
        "index_add_": _in_place(index_add),
        "scatter_add_": _in_place(scatter_add),
    }
)
