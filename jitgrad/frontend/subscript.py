"""``t[key]`` and ``t[key] = v`` with PyTorch's indexing rules.

``t[key]`` follows PyTorch's order: ints, slices, ``None`` and ``...`` are applied first as
one view named after its last item that is not a whole-dim slice (``SelectBackward0``/
``SliceBackward0``/``UnsqueezeBackward0``, else ``AliasBackward0``), then the tensor, list
and boolean-mask indices gather from that view (``IndexBackward0``) as ``(A, N, R)``, the
indexed dims flattened into ``N``; its backward, a scatter-add, gathers again when differentiated.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import dtypes as D
from ..engine.grad_mode import STATE
from ..helpers import warn as warn_user
from ..kernels.cpu import indexing as K
from ..ops.setitem_names import setitem_node
from . import argcheck as A
from . import stale_views as _stale_views  # noqa: F401 - sets view_registry.REGENERATE
from .checks import DTYPE_WORDS
from .clamp_where import nonzero_coords
from .copying import contiguous_array, copy_into
from .multi_view import check_custom, check_marked, setitem_view
from .overlap import check_setitem, index_put_value
from .pointwise import VIEW_LEAF_INPLACE, check_inplace, sum_to_shape
from .recording import FunctionBackward, IndicesBackward, index_tensors, record
from .sequence_key import sequence_key, whole_slice
from .strided_region import strided
from .tensor import Tensor, _make, legacy_type_name
from .view_relation import from_space, logical, relation, reread, root_space
from .views import as_view, basic_view, permute

INDEX_DTYPE_ERROR = "tensors used as indices must be long, int, byte or bool tensors"

UINT8_INDEX_WARNING = (
    "indexing with dtype torch.uint8 is now deprecated, please use a dtype torch.bool instead."
)


# ---- parsing a key ------------------------------------------------------------------------------
def _index_array(item: Any, stacklevel: int = 4) -> np.ndarray | None:
    """Tensor / list / range / ndarray index as an int64 or bool array (None for basic items);
    PyTorch reads a ``range`` as the sequence it spans (``x[range(n), target]``).
    ``stacklevel``: the frames up to the user's line, where the uint8 warning points."""
    if isinstance(item, Tensor):
        arr = item._value
        if arr.dtype == np.uint8:  # still a mask in PyTorch, with its deprecation warning
            warn_user(UINT8_INDEX_WARNING, UserWarning, stacklevel=stacklevel)
            return arr.astype(np.bool_)
    elif isinstance(item, list | tuple | range | np.ndarray):  # a tuple inside a key: a list
        arr = np.asarray(item)
        if arr.size == 0:
            arr = arr.astype(np.int64)
    else:
        return None
    if arr.dtype == np.bool_:
        return arr
    if arr.dtype.kind not in "iu":
        raise IndexError(INDEX_DTYPE_ERROR)
    return arr.astype(np.int64, copy=False)


def _items(key: Any) -> list[Any]:
    """``key`` as a list of items, each index tensor, list or range read as an array once; a
    0-d integer one becomes the int it is, since PyTorch selects with it (no new dim)."""
    items: list[Any] = []
    for k in key if isinstance(key, tuple) else (key,):
        arr = np.asarray(k) if isinstance(k, bool | np.bool_) else _index_array(k, 5)
        if arr is not None and arr.ndim == 0 and arr.dtype != np.bool_:
            items.append(int(arr))
        else:
            items.append(k if arr is None else arr)
    return items


def _span(it: Any) -> int:
    """How many dims of the tensor ``it`` indexes: a mask its ndim, ``None``/``...`` none."""
    if it is None or it is Ellipsis:
        return 0
    return it.ndim if isinstance(it, np.ndarray) and it.dtype == np.bool_ else 1


def _check_mask(mask: np.ndarray, shape: tuple[int, ...], at: int) -> None:
    """A boolean mask must match the dims it covers, starting at dim ``at``."""
    for j in range(mask.ndim):
        if mask.shape[j] != shape[at + j]:
            raise IndexError(
                f"The shape of the mask {list(mask.shape)} at index {j} does not match "
                f"the shape of the indexed tensor {list(shape)} at index {at + j}"
            )


def _select(it: Any, shape: tuple[int, ...], dim: int) -> int:
    """An integer item as the index it selects in ``dim``, with PyTorch's errors for an item
    that is no index at all and for one out of bounds."""
    if not isinstance(it, int | np.integer):
        if isinstance(it, str):  # PyTorch reads a str as data for an index tensor
            raise TypeError("new(): invalid data type 'str'")
        raise IndexError(
            "only integers, slices (`:`), ellipsis (`...`), None and long or byte "
            f"Variables are valid indices (got {type(it).__name__})"
        )
    i = int(it)
    n = shape[dim] if dim < len(shape) else 0  # past a second ellipsis
    if not -n <= i < n:
        raise IndexError(f"index {i} is out of bounds for dimension {dim} with size {n}")
    return i


def _parse(x: Tensor, key: Any) -> tuple[tuple, str | None, list[tuple[int, np.ndarray]]]:
    """Split ``key`` into a numpy basic key, the node name of that view, and advanced parts.

    Advanced parts are ``(dim in the basic view, int64 or bool array)``.
    """
    items = _items(key)
    used = sum(_span(it) for it in items)
    shape = x._value.shape
    ndim = len(shape)
    if used > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    basic: list[Any] = []
    adv: list[tuple[int, np.ndarray]] = []
    name = None
    src_dim = out_dim = 0
    for it in items:
        if it is Ellipsis:  # PyTorch skips the unindexed dims at each one (a second: past the end)
            skip = ndim - used
            basic.extend([slice(None)] * min(skip, ndim - src_dim))  # none past the end
            src_dim += skip
            out_dim += skip
            name = name or "AliasBackward0"
        elif it is None:
            basic.append(None)
            out_dim += 1
            name = "UnsqueezeBackward0"
        elif isinstance(it, slice):
            basic.append(it)
            if not whole_slice(it, shape[src_dim]) or type(key) is not tuple:  # see whole_slice
                name = "SliceBackward0"
            src_dim += 1
            out_dim += 1
        elif isinstance(it, np.ndarray) and it.ndim == 0:  # True / False: a new dim of 1 / 0
            basic.append(None)
            adv.append((out_dim, np.zeros(1 if it else 0, np.int64)))
            out_dim += 1
        elif isinstance(it, np.ndarray):
            span = _span(it)
            if it.dtype == np.bool_:
                _check_mask(it, x.shape, src_dim)
            adv.append((out_dim, it))
            basic.extend([slice(None)] * span)
            src_dim += span
            out_dim += span
        else:
            basic.append(_select(it, shape, src_dim))
            src_dim += 1
            name = "SelectBackward0"
    return tuple(basic), name, adv


class _Plan:
    """Where an advanced index reads: the view as ``(A, N, R)`` and flat positions in N."""

    __slots__ = ("first", "k", "pos", "bshape", "vshape")

    def __init__(self, vshape: tuple[int, ...], adv: list[tuple[int, np.ndarray]]) -> None:
        dims, arrays = [], []
        for d, arr in adv:
            if arr.dtype == np.bool_:
                coords = nonzero_coords(arr)
                dims.extend(range(d, d + arr.ndim))
                arrays.extend(coords[:, j] for j in range(arr.ndim))
            else:
                dims.append(d)
                arrays.append(arr)
        self.first, self.k, self.vshape = dims[0], len(dims), vshape
        sizes = np.array([vshape[d] for d in dims], np.int64)
        if len(arrays) == 1:
            self.bshape = arrays[0].shape
            idx = np.ascontiguousarray(arrays[0]).reshape(1, -1)
        else:
            arrays = np.broadcast_arrays(*arrays)
            self.bshape = arrays[0].shape
            idx = np.empty((len(arrays), arrays[0].size), np.int64)
            for j, a in enumerate(arrays):
                idx[j] = a.reshape(-1)
        self.pos = np.empty(idx.shape[1], np.int64)
        bad = K.linearize(idx, sizes, self.pos)
        if bad >= 0:
            j, m = divmod(bad, idx.shape[1])
            raise IndexError(  # PyTorch's words for an empty dim name neither index nor dim
                f"index {idx[j, m]} is out of bounds for dimension {j} with size {sizes[j]}"
                if sizes[j] else "index is out of bounds for dimension with size 0"
            )

    def dims3(self) -> tuple[int, int, int]:
        v, f, k = self.vshape, self.first, self.k
        return math.prod(v[:f]), math.prod(v[f : f + k]), math.prod(v[f + k :])

    def out_shape(self) -> tuple[int, ...]:
        v, f, k = self.vshape, self.first, self.k
        return v[:f] + self.bshape + v[f + k :]


def _adjacent(adv: list[tuple[int, np.ndarray]]) -> bool:
    dims = []
    for d, arr in adv:
        dims.extend(range(d, d + (arr.ndim if arr.dtype == np.bool_ else 1)))
    return dims == list(range(dims[0], dims[0] + len(dims)))


def _to_front(v: Tensor, adv: list[tuple[int, np.ndarray]]) -> tuple[Tensor, list]:
    """Non-adjacent advanced indices: move their dims first (PyTorch puts the result there)."""
    dims = []
    for d, arr in adv:
        dims.extend(range(d, d + (arr.ndim if arr.dtype == np.bool_ else 1)))
    order = dims + [i for i in range(v.ndim) if i not in dims]
    moved, at = [], 0
    for _, arr in adv:
        moved.append((at, arr))
        at += arr.ndim if arr.dtype == np.bool_ else 1
    return permute(v, order), moved


def _take(v: Tensor, plan: _Plan, name: str, saved: tuple = ()) -> Tensor:
    """Gather ``v`` at ``plan`` (``IndexBackward0`` etc.); backward scatter-adds. ``saved``:
    the index tensors, checked for in-place changes before backward (as PyTorch's)."""
    a, n, r = plan.dims3()
    src = as_view(v._value, (a, n, r))
    if src is None:
        src = contiguous_array(v._value, v._dtype).reshape(a, n, r)
    out = np.empty((a, plan.pos.shape[0], r), v._dtype.np)
    if out.size:
        K.take3(src, plan.pos, out)
    shape = plan.out_shape()
    base = IndicesBackward if name == "IndexBackward0" else FunctionBackward
    return record(
        name, out.reshape(shape), v._dtype, (v,), lambda g: _put_add(g, plan, name), saved, base
    )


def _put_add(g: Tensor, plan: _Plan, take: str = "IndexBackward0") -> Tensor:
    """Zeros of the view's shape with ``g`` scatter-added at ``plan`` (repeats accumulate), as
    PyTorch's backward of the take ``take``: ``zeros.index_add_`` (``IndexAddBackward0``) for
    index_select, ``_index_put_impl_`` for indexing; no gradient for the zeros."""
    a, n, r = plan.dims3()
    out = np.zeros((a, n, r), g._dtype.np)
    src = contiguous_array(g._value, g._dtype).reshape(a, plan.pos.shape[0], r)
    if src.size:
        K.scatter_add3(src, plan.pos, out)
    node = "IndexAddBackward0" if take == "IndexSelectBackward0" else "IndexPutImplBackward0"
    return record(node, out.reshape(plan.vshape), g._dtype, (None, g),
                  lambda gg: (None, _take(gg, plan, take)))  # fmt: skip


# ---- t[key] -------------------------------------------------------------------------------------
def getitem(self: Tensor, key: Any) -> Tensor:
    if type(key) is int and self._value.ndim:  # t[i], the most common index: skip parsing
        n = self._value.shape[0]
        if not -n <= key < n:
            raise IndexError(f"index {key} is out of bounds for dimension 0 with size {n}")
        return basic_view(self, (key,), "SelectBackward0")
    if type(key) is list:
        key = sequence_key(key)
    basic, name, adv = _parse(self, key)
    if not adv:
        return basic_view(self, basic, name or "AliasBackward0")
    v = self
    if any(b is None or b != slice(None) for b in basic):
        v = basic_view(self, basic, name or "SliceBackward0")
    if not _adjacent(adv):
        v, adv = _to_front(v, adv)
    return _take(v, _Plan(v.shape, adv), "IndexBackward0", index_tensors(key))


def setitem(self: Tensor, key: Any, value: Any) -> None:
    """``self[key] = value`` in place; ``CopySlices`` makes it differentiable in both.

    Writing into a view with autograd on rebases the view's root tensor, as PyTorch does,
    so gradients reach every user of the modified buffer.
    """
    if type(key) is list:
        key = sequence_key(key)
    if self.__dict__:  # an unbind/split output, an inference tensor (see multi_view)
        check_marked(self, setitem_view(key))
    dt = self._dtype
    with_grad = (
        STATE.enabled
        and (dt.is_floating_point or dt.is_complex)
        and (self._requires_grad or (isinstance(value, Tensor) and value._requires_grad))
    )
    if with_grad and self.__dict__:  # a custom Function's view output refuses a recorded write
        check_custom(self)
    base = self._base
    through_view = with_grad and base is not None and base._value.flags.c_contiguous
    if through_view:
        if base._requires_grad and base.grad_fn is None:
            raise RuntimeError(VIEW_LEAF_INPLACE)
    else:
        check_inplace(self)
    basic, _, adv = _parse(self, key)
    dst = self._value[basic + (...,)]
    varr = _source(self, dst, adv, value)
    target = base if through_view else self
    old = None
    if with_grad:
        old = _make(target._value, dt, target.grad_fn, output_nr=target._output_nr)
        old._requires_grad = target._requires_grad
    _write(dst, adv, varr, dt)
    self._bump()
    if with_grad:
        _record_write(self, target, key, value, old, setitem_node(basic, adv, value, through_view))


def _source(self: Tensor, dst: np.ndarray, adv: list, value: Any) -> np.ndarray:
    """The array ``self[key] = value`` writes, checked before anything is written: PyTorch's
    errors for a value of no number type, overlapping memory and an index put of two dtypes."""
    dt = self._dtype
    if isinstance(value, str | bytes | type(None)):
        raise TypeError(f"can't assign a {A.type_name(value)} to a {legacy_type_name(self)}")
    varr = value._value if isinstance(value, Tensor) else np.asarray(value, dt.np)
    varr = check_setitem(dst, adv, value, varr)
    if adv and isinstance(value, Tensor) and value._dtype is not dt:
        raise RuntimeError(
            "Index put requires the source and destination dtypes match, got "
            f"{DTYPE_WORDS[dt.name]} for the destination and {DTYPE_WORDS[value._dtype.name]} "
            "for the source."
        )
    return varr


def _record_write(
    self: Tensor, target: Tensor, key: Any, value: Any, old: Tensor, name: str
) -> None:
    """Record the write as node ``name`` (of ``old``, the target before it, and ``value``) on
    ``target``: ``self``, or the root ``self`` views, which then reads the rebased root."""
    vshape = value.shape if isinstance(value, Tensor) else None
    rel = relation(self, target) if target is not self else None

    def backward(g: Tensor) -> tuple:
        space = g if rel is None else root_space(g, rel)
        region = space if rel is None else strided(space, rel.geom)
        gv = None
        if vshape is not None:
            gv = getitem(region, key) if rel is None else logical(getitem(region, key), rel)
            gv = sum_to_shape(gv, vshape).to(value._dtype)
        gs = space.clone()
        setitem(gs if rel is None else strided(gs, rel.geom), key, 0)
        return (gs if rel is None else from_space(gs, rel)), gv

    base = IndicesBackward if name == "IndexPutBackward0" else FunctionBackward
    res = record(
        name, target._value, target._dtype, (old, value), backward, index_tensors(key), base
    )
    target.grad_fn = res.grad_fn
    target._output_nr = 0
    target._requires_grad = True
    if target._retains_grad:
        target._retain_on_new_node()
    if rel is not None:  # the view now reads the rebased root
        self.grad_fn = reread(target, rel)
        self._output_nr = 0
        self._requires_grad = True
        if self._retains_grad:
            self._retain_on_new_node()


def _write(view: np.ndarray, adv: list, value: np.ndarray, dt: D.dtype) -> None:
    """``view[adv] = value`` into ``view``'s buffer (the kernels never copy the target)."""
    if not adv:
        copy_into(view, value, dt)
        return
    if not _adjacent(adv):
        dims = []
        for d, arr in adv:
            dims.extend(range(d, d + (arr.ndim if arr.dtype == np.bool_ else 1)))
        order = dims + [i for i in range(view.ndim) if i not in dims]
        tv = _make(view, dt)
        _, adv = _to_front(tv, adv)
        view = np.transpose(view, order)
    plan = _Plan(view.shape, adv)
    a, n, r = plan.dims3()
    src = np.empty(plan.out_shape(), dt.np)
    copy_into(src, index_put_value(value, src.shape), dt, fresh=True)
    if not src.size:
        return
    target = as_view(view, (a, n, r))
    if target is not None:
        K.put3(src.reshape(a, -1, r), plan.pos, target)
        return
    tmp = contiguous_array(view, dt).reshape(a, n, r)
    K.put3(src.reshape(a, -1, r), plan.pos, tmp)
    copy_into(view, tmp.reshape(view.shape), dt)
