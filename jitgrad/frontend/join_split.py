"""Ops over whole pieces of tensors: cat/stack (copies that join), split/chunk/unbind (views
of consecutive pieces, the outputs of one node) and repeat/flip (copies).

Apart from :mod:`.views` because they take or return several tensors (or copy through the
generated ``copy`` kernel); each backward is written with Tensor ops, so double backward
records a graph. The public names are collected in :mod:`.movement`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

import numpy as np

from .. import dtypes as D
from ..engine.grad_mode import STATE
from . import argcheck as A
from . import checks
from ._tensor_data import result_type
from .bit_views import carry_bits
from .copying import SMALL_COPY, copy_into, plain_views
from .creation import zeros
from .empty_views import sliced
from .multi_view import KEY as MULTI_KEY
from .multi_view import marks_of
from .np_bound import np_array, np_zeros
from .record_one import lane_of, record_many
from .recording import FunctionBackward, JoinBackward, record, shared
from .tensor import Tensor, _make, _wrap_dim
from .view_registry import register_all as register_views
from .views import _dims, _sizes, narrow, reshape, select


def repeat(self: Tensor, *sizes: Any) -> Tensor:
    """Tile ``self`` ``sizes`` times per dim (``RepeatBackward0``; backward sums the tiles)."""
    reps = _sizes(sizes, "repeat", "repeats")
    if len(reps) < self.ndim:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions "
            "of tensor"
        )
    shape = (1,) * (len(reps) - self.ndim) + self.shape
    out = A.allocate(tuple(r * s for r, s in zip(reps, shape, strict=True)), self._dtype.np)
    pairs = tuple(v for r, s in zip(reps, shape, strict=True) for v in (r, s))
    src = self._value.reshape(tuple(v for s in shape for v in (1, s)))
    copy_into(out.reshape(pairs), src, self._dtype, fresh=True)
    xshape = self.shape

    def backward(g: Tensor) -> Tensor:
        summed = reshape(g, pairs).sum(dim=tuple(range(0, len(pairs), 2)))
        return reshape(summed, xshape)

    return record("RepeatBackward0", out, self._dtype, (self,), backward)


def tile(input: Tensor, dims: Sequence[int]) -> Tensor:  # noqa: A002
    """``repeat`` with ``dims`` padded by leading ones to ``input``'s rank."""
    dims = tuple(dims)
    return repeat(input, (1,) * (input.ndim - len(dims)) + dims)


def flip(input: Tensor, dims: Any) -> Tensor:  # noqa: A002
    axes = _dims(dims, input.ndim, "flip")
    if len(set(axes)) != len(axes):  # PyTorch names the first dim seen twice (wrapped)
        twice = next(a for i, a in enumerate(axes) if a in axes[:i])
        raise RuntimeError(f"dim {twice} appears multiple times in the list of dims")
    key = tuple(slice(None, None, -1) if i in axes else slice(None) for i in range(input.ndim))
    out = np.empty(input.shape, input._dtype.np)
    copy_into(out, input._value[key], input._dtype, fresh=True)
    return record("FlipBackward0", out, input._dtype, (input,), lambda g: flip(g, axes))


def cat(tensors: Sequence[Tensor], *args: Any, dim: int = 0, axis: Any = None) -> Tensor:
    """Concatenate along ``dim`` (``CatBackward0``); legacy 1-D empty tensors are skipped.
    ``axis`` is NumPy's spelling of ``dim``, which PyTorch's argument parser accepts."""
    tensors = A.tensor_list("cat", tensors)
    dim = A.list_dim("cat", args, dim if axis is None else axis)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    keep = [not (x.ndim == 1 and x.shape[0] == 0) for x in tensors]
    if legacy_only := not any(keep):  # only 1-D empties: PyTorch returns one, whatever dim
        keep[0] = True
    parts = [x for x, k in zip(tensors, keep, strict=True) if k]
    ref = parts[0]
    for i, x in enumerate(tensors):
        if x.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    d = 0 if legacy_only else _wrap_dim(dim, ref.ndim)
    for i, (x, k) in enumerate(zip(tensors, keep, strict=True)):
        if not k:
            continue
        if x.ndim != ref.ndim:
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {ref.ndim} and {x.ndim}"
            )
        for j in range(ref.ndim):
            if j != d and x.shape[j] != ref.shape[j]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {d}. Expected size "
                    f"{ref.shape[j]} but got size {x.shape[j]} for tensor number {i} in the list."
                )
    dt = result_type(parts)
    shape = list(ref.shape)
    shape[d] = sum(x.shape[d] for x in parts)
    out = np.empty(tuple(shape), dt.np)
    offsets, start = [], 0
    for x, k in zip(tensors, keep, strict=True):
        n = x.shape[d] if k else 0
        offsets.append((start, n))
        if n:
            key = (slice(None),) * d + (slice(start, start + n),)
            copy_into(out[key], x._value, dt, fresh=True)
        start += n

    def backward(g: Tensor) -> tuple:
        return tuple(
            narrow(g, d, s, n).to(x._dtype) if k else None
            for x, k, (s, n) in zip(tensors, keep, offsets, strict=True)
        )

    backward.saved_dim = dim
    return record("CatBackward0", out, dt, tensors, backward, base=JoinBackward)


concat = concatenate = cat


def stack(tensors: Sequence[Tensor], *args: Any, dim: int = 0, axis: Any = None) -> Tensor:
    """Join equal-shaped tensors along a new ``dim`` (``StackBackward0``; ``axis`` as for
    :func:`cat`).

    Written for the scalar graphs that stack a few 0-d tensors per op: a list or tuple of
    plain tensors of one shape and dtype with an int ``dim`` is read in one pass; anything
    else takes PyTorch's checks in its order (:func:`_stack_checked`). The backward of a
    same-dtype stack outside ``create_graph`` returns :func:`plain_views` (what ``select``
    gives there).
    """
    if axis is not None:  # NumPy's spelling
        dim = axis
    if type(dim) is int and not args and (type(tensors) is list or type(tensors) is tuple):
        values = []
        dt = shape = None
        for x in tensors:
            if type(x) is not Tensor:
                break
            v = x._value
            if dt is None:
                dt, shape = x._dtype, v.shape
            elif x._dtype is not dt or (v.ndim if not shape else v.shape != shape):
                break  # (0-d: ndim reads no shape tuple)
            values.append(v)
        else:
            if values:
                return _stack_of(tensors, values, shape, dt, dim, True)
    return _stack_checked(tensors, args, dim)


def _stack_checked(tensors: Any, args: tuple, dim: Any) -> Tensor:
    """:func:`stack` with PyTorch's argument checks, in its order."""
    tensors = A.tensor_list("stack", tensors)
    dim = A.list_dim("stack", args, dim)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = tensors[0]._value.shape
    dt = tensors[0]._dtype
    same = True
    values = []
    for i, x in enumerate(tensors):
        v = x._value
        if v.shape != shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(shape)} at entry 0 "
                f"and {list(v.shape)} at entry {i}"
            )
        same = same and x._dtype is dt
        values.append(v)
    return _stack_of(tensors, values, shape, dt if same else result_type(tensors), dim, same)


def _stack_of(
    tensors: Sequence[Tensor], values: list, shape: tuple, dt: D.dtype, dim: int, same: bool
) -> Tensor:
    """The stack of ``tensors`` (their arrays ``values``, of one ``shape``) in ``dt`` (their
    one dtype if ``same``, else the promoted one) along ``dim``, recorded."""
    k = len(shape) + 1
    d = dim if type(dim) is int and 0 <= dim < k else _wrap_dim(dim, k)  # (one call less)
    n = len(tensors)
    if same and d == 0 and n * values[0].size <= SMALL_COPY:
        out = np_array(values, dt.np)  # numpy's own copy of a few small same-dtype arrays
    else:
        out = _stacked(tensors, shape, d, dt, same)
    if same:
        lane = _stack_fns.get((dt, d, n, dim))
        if lane is None:
            backward = partial(_stack_backward, True, dt, d, (dt,) * n)
            backward.saved_dim = dim
            if n <= 64 and len(_stack_fns) < 256:
                lane = lane_of("StackBackward0", JoinBackward, shared(backward))
                _stack_fns[(dt, d, n, dim)] = lane
        if lane is not None:  # (node class and shared record looked up once: record_many)
            return record_many(lane[0], out, dt, tensors, lane[1], lane[2])
    else:
        backward = partial(_stack_backward, False, dt, d, tuple([x._dtype for x in tensors]))
        backward.saved_dim = dim
    return record("StackBackward0", out, dt, tensors, backward, base=JoinBackward)


def _stacked(tensors: Sequence[Tensor], shape: tuple, d: int, dt: D.dtype, same: bool):
    """:func:`stack`'s result array, each tensor copied into its place along ``d``."""
    n = len(tensors)
    out = np.empty(shape[:d] + (n,) + shape[d:], dt.np)
    lead = (slice(None),) * d
    if same and out.size <= SMALL_COPY:  # numpy's assignment into a fresh array (copy_into)
        for i, x in enumerate(tensors):
            out[(*lead, i)] = x._value
    else:
        for i, x in enumerate(tensors):
            copy_into(out[(*lead, i, ...)], x._value, dt, fresh=True)
    return out


# The backward functions of stack and of unbind/split are partials, not closures: a closure
# is a function, a tuple and a cell per captured name, all objects the cycle collector then
# walks while the graph lives (a scalar graph records one of each every few ops). They hold
# no per-call values (the inputs' dtypes, the pieces' shapes), so the small ones are shared.
def _stack_backward(same: bool, dt: D.dtype, d: int, dtypes: tuple, g: Tensor) -> tuple:
    if same and g._dtype is dt and not STATE.enabled:
        return plain_views(g, d, len(dtypes))
    return tuple(select(g, d, i).to(x) for i, x in enumerate(dtypes))


#: (dtype, dim, count, dim as passed) -> a same-dtype stack's lane (node class, shared
#: backward, its record: :func:`.record_one.lane_of`), kept for small counts
_stack_fns: dict[tuple, tuple] = {}


def _pieces(
    x: Tensor,
    name: str,
    keys: Sequence[tuple],
    d: int,
    lane: tuple | None = None,
    marks: tuple | None = None,
    empty: bool = False,
) -> tuple:
    """Views of ``x`` at ``keys`` (basic indices ending in ``...``) as outputs of one node;
    backward rebuilds x's gradient (numpy's assignment for the small pieces of an unbind).
    ``lane``: unbind's cached :func:`.record_one.lane_of` (node class, backward, record,
    record_one's copy); None: the backward :func:`pieces_backward` gives.
    ``marks``: the outputs' :func:`.multi_view.marks_of` (unbind's cached ones), or None.
    ``empty``: some piece is empty (a zero split size), placed at its offset in the storage."""
    dt = x._dtype
    arr = x._value
    values = []
    for k in keys:
        values.append(arr[k])
    if empty:  # (NumPy points an empty slice at its axis' start; PyTorch at its own offset)
        values = [v if v.size else sliced(arr, k[:-1]) for v, k in zip(values, keys)]
    if not values:  # unbind along an empty dim
        return ()
    # record_multi's outputs, each made, tied to x's counter and base and marked in one pass
    # (unbind is one op of a scalar graph: iterating a tensor)
    if lane is None:
        backward = pieces_backward(name, keys, d, arr.shape, dt, values)
        first = record(name, values[0], dt, (x,), backward)
    else:
        first = lane[3](lane[0], values[0], dt, x, lane[1], lane[2])  # (record_one's copy)
    node = first.grad_fn
    base = x if x._base is None else x._base
    vc = x._counter()
    if marks is None:
        marks = marks_of(name, len(values))
    outs = []
    for i, v in enumerate(values):
        o = _make(v, dt, node, False, i if node is not None else 0) if i else first
        o._vc = vc
        o._base = base
        o.__dict__[MULTI_KEY] = marks[i]
        outs.append(o)
    if type(x) is not Tensor:  # (a bit view's pieces: carry_bits)
        carry_bits(x, outs)
    if node is not None:  # a write to the base makes them stale (stale_views)
        register_views(outs)
    return tuple(outs)


def pieces_backward(
    name: str, keys: Sequence, d: int, shape: tuple, dt: D.dtype, values: list
) -> partial:
    """The backward of :func:`_pieces` with these ``keys`` into ``x`` of ``shape``, ``dt``,
    its pieces ``values``: it keeps their shapes, not the arrays. ``d`` is the dim as the
    caller passed it (``_saved_dim`` shows it, :mod:`.saved_nodes`; cat and stack wrap it)."""
    shapes = tuple([v.shape for v in values])
    return partial(_pieces_backward, name, keys, d, shape, dt, shapes)


def _pieces_backward(
    name: str, keys: Sequence, d: int, shape: tuple, dt: D.dtype, shapes: tuple, *grads: Any
) -> Tensor:
    """:func:`_pieces`'s backward: x's gradient rebuilt from its pieces' gradients."""
    graph = False
    for g in grads:
        if g is not None and g._requires_grad:
            graph = True
            break
    if graph:  # create_graph: a graph
        parts = [
            grads[i] if i < len(grads) and grads[i] is not None else zeros(s, dtype=dt)
            for i, s in enumerate(shapes)
        ]
        if name == "UnbindBackward0":
            return stack(parts, d)
        return cat(parts, d)
    full = np_zeros(shape, dt.np)
    small = full.size <= SMALL_COPY  # numpy's assignment, as copy_into's small lane
    for k, g in zip(keys, grads):  # (no keyword: ~1k instructions less)
        if g is not None:
            v = g._value
            if small and v.dtype == full.dtype:
                full[k] = v
            else:
                copy_into(full[k], v, dt, fresh=True)
    return _make(full, dt, fresh=True)


def split(tensor: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple:
    """Views of consecutive pieces along ``dim`` (an int size or a list of sizes)."""
    d = _wrap_dim(dim, tensor.ndim)
    n = tensor.shape[d]
    if isinstance(split_size_or_sections, int):
        size = checks.split_size(split_size_or_sections, n)
        sizes = [min(size, n - s) for s in range(0, n, size)] if n else [0]
        name = "SplitBackward0"
    else:
        sizes = list(A.int_list("split_with_sizes", "split_sizes", (split_size_or_sections,)))
        if sum(sizes) != n:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size "
                f"at dimension {d}), but got split_sizes={sizes}"
            )
        name = "SplitWithSizesBackward0"
    keys, start = [], 0
    for s in sizes:
        keys.append((slice(None),) * d + (slice(start, start + s), ...))
        start += s
    # (dim as passed: _saved_dim; cat wraps it)
    return _pieces(tensor, name, keys, dim, empty=0 in sizes)


def unbind(input: Tensor, dim: int = 0) -> tuple:  # noqa: A002
    shape = input._value.shape
    dt = input._dtype
    if type(dim) is int and (lane := _unbind_fns.get((dim, shape, dt))) is not None:
        return _pieces(input, "UnbindBackward0", lane[0], dim, lane[1], lane[2])  # (again)
    if not shape:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = _wrap_dim(dim, len(shape))
    n = shape[d]
    keys = _unbind_keys.get((d, n))
    if keys is None:
        lead = (slice(None),) * d
        keys = tuple((*lead, i, ...) for i in range(n))
        if _keep(_unbind_keys, n):  # (iterating a tensor: the same keys every time)
            _unbind_keys[(d, n)] = keys
    # (dim as passed, as _saved_dim shows it; the backward's stack wraps it)
    lane = None
    if type(dim) is int and 0 < n and _keep(_unbind_fns, n):
        arr = input._value
        backward = pieces_backward("UnbindBackward0", keys, dim, shape, dt, [arr[k] for k in keys])
        lane = lane_of("UnbindBackward0", FunctionBackward, shared(backward))
        _unbind_fns[(dim, shape, dt)] = (keys, lane, marks_of("UnbindBackward0", n))
    return _pieces(input, "UnbindBackward0", keys, dim, lane)


#: (d, size) -> unbind's keys, kept for small sizes: built once, not per call
_unbind_keys: dict[tuple[int, int], tuple] = {}
#: (dim, shape, dtype) -> unbind's keys, lane (node class, backward, record; no arrays) and
#: its outputs' marks
_unbind_fns: dict[tuple, tuple] = {}
#: How many pieces the two caches above may still hold in all. A tensor of up to 1024 rows
#: (a scalar graph's 100 leaves, iterated once per graph) is cached too: its keys, marks and
#: backward were otherwise made again per call, several objects per piece that the cycle
#: collector walks while the graph lives; the budget bounds what the process keeps.
_KEPT_PIECES = [1 << 16]


def _keep(cache: dict, n: int) -> bool:
    """Whether ``cache`` takes one more entry of ``n`` pieces (and counts it if so)."""
    if n > 1024 or len(cache) >= 256:
        return False
    if n > 64:  # (up to 64 pieces: kept as before the budget, 256 entries per cache)
        if n > _KEPT_PIECES[0]:
            return False
        _KEPT_PIECES[0] -= n
    return True
