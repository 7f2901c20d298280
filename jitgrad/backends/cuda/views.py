"""Strided view ops on device tensors (transpose, permute, slicing, expand, select ...) as
device gathers.

A device tensor's buffer is always C-contiguous, so a view op's values are gathered into a
contiguous buffer by :func:`jitgrad.kernels.cuda.memory.gather`. Which elements: the CPU op
itself decides, run on a stand-in host tensor of the same shape whose (never read, never
touched) ``np.empty`` memory is laid out as the device buffer is; the stand-in result's strides
and offset into it are the view's, and its checks and errors are the CPU op's. The backward
writes the gradient back through the same view (:func:`~jitgrad.kernels.cuda.memory.scatter`,
after summing it over expanded dimensions), recorded with the CPU op's node name.

The results alias their base as on the CPU (:mod:`.aliasing`): each keeps the root tensor and
its layout in the root's buffer (found by a second stand-in, laid out as the root's buffer),
reads the root again after it changed, and writes in-place changes back into it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import dtypes as D
from ...engine.grad_mode import STATE as GRAD
from ...frontend.multi_view import inherit
from ...frontend.recording import record, record_multi
from ...frontend.stale_views import install
from ...frontend.tensor import Tensor, _make
from ...frontend.view_registry import regenerates
from ...kernels.cuda import memory as M
from ...kernels.cuda import reduce as R
from ...kernels.cuda.common import view as buffer_view
from . import aliasing, runtime


def _layout(result: np.ndarray, base: np.ndarray) -> tuple[tuple, tuple, int] | None:
    """(shape, element strides, element offset) of ``result`` as a view of ``base``, or None
    when it is no view of it."""
    if not isinstance(result, np.ndarray) or not np.may_share_memory(result, base):
        return None
    item = base.itemsize
    start = result.__array_interface__["data"][0] - base.__array_interface__["data"][0]
    if start % item or any(s % item for s in result.strides):
        return None
    return tuple(result.shape), tuple(s // item for s in result.strides), start // item


def gather_view(x: Tensor, shape: tuple, strides: tuple, offset: int, node: str) -> Tensor:
    """The view ``(shape, strides, offset)`` of ``x``'s buffer as a new tensor, recorded as
    ``node``; its gradient is :func:`scatter_view`'s."""
    value = M.gather(runtime.flat(x._value), shape, strides, offset)
    before = tuple(x.shape)

    def backward(g: Tensor) -> Tensor:
        return scatter_view(g, before, shape, strides, offset)

    return record(node, value, x._dtype, [x], backward)


def scatter_view(g: Tensor, into: tuple, shape: tuple, strides: tuple, offset: int) -> Tensor:
    """A zero tensor of shape ``into`` with ``g`` added through the view ``(shape, strides,
    offset)`` (summed over its expanded, stride-0 dimensions first)."""
    pairs = enumerate(zip(shape, strides, strict=True))
    summed = tuple(d for d, (n, s) in pairs if not s and n > 1)
    gv = runtime.contiguous(g._value)
    if summed:
        gv = R.sum(gv, summed, keepdim=True)
        shape = tuple(1 if d in summed else n for d, n in enumerate(shape))
    out = runtime.zeros(into, g._dtype.np)
    M.scatter(gv, runtime.flat(out), shape, strides, offset)

    def backward(gg: Tensor) -> Tensor:  # create_graph: the view again
        return gather_view(gg, shape, strides, offset, "ViewBackward0").expand(g.shape)

    return record("ScatterBackward0", out, g._dtype, [g], backward)


def _apply(name: str, stand_in: Tensor, args: tuple, kwargs: dict) -> Any:
    result = getattr(stand_in, name)
    return result if name in _PROPERTIES else result(*args, **kwargs)


def _in_root(x: Tensor, name: str, args: tuple, kwargs: dict) -> Any:
    """(root, layouts in the root's buffer) of ``x.<name>(*args)``'s result(s) (a list when the
    op returns several views), or None where the CPU op makes a copy; the CPU op runs on a
    stand-in laid out as the root, so its checks and errors are the CPU's."""
    root, (shape, strides, offset) = aliasing.origin(x)
    memory = np.empty(max(root.numel(), 1), x._dtype.np)  # laid out as the root's buffer
    item = memory.itemsize
    in_root = np.lib.stride_tricks.as_strided(
        memory[offset:], shape, tuple(st * item for st in strides)
    )
    result = _apply(name, _make(in_root, x._dtype), args, kwargs)
    many = isinstance(result, tuple | list)
    geoms = [
        _layout(r._value, memory) if isinstance(r, Tensor) else None
        for r in (result if many else [result])
    ]
    if not geoms or None in geoms:
        return None
    return root, geoms if many else geoms[0]


def _own(x: Tensor, name: str, args: tuple, kwargs: dict) -> Any:
    """The CPU op on a stand-in laid out as ``x``'s own buffer: its result(s), whose layouts
    are what :func:`gather_view` reads from ``x`` and whose node names are recorded."""
    base = np.empty(tuple(x.shape), x._dtype.np)
    stand_in = _make(base, x._dtype)
    if x._requires_grad and GRAD.enabled:
        stand_in.requires_grad_(True)
    return base, _apply(name, stand_in, args, kwargs)


def _gathered(x: Tensor, base: np.ndarray, result: Tensor, root: Tensor, geom: Any) -> Any:
    layout = _layout(result._value, base)
    if layout is None:
        return NotImplemented
    node = result.grad_fn.name() if result.grad_fn is not None else ""
    out = aliasing.as_view(gather_view(x, *layout, node), root, geom)
    if result.__dict__:  # an output of unbind/split: the CPU's in-place refusal mark
        out.__dict__.update(result.__dict__)
    elif x.__dict__:  # a view of a marked view is marked too
        inherit(x, out, node)
    return out


def _pieces(x: Tensor, base: np.ndarray, results: Any, root: Tensor, geoms: list) -> Any:
    """The several views of unbind, split, chunk ...: as on the CPU, the outputs of one node
    (``output_nr`` 0, 1 ...), whose backward writes each piece's gradient into one buffer."""
    layouts = [_layout(r._value, base) for r in results]
    if None in layouts:
        return NotImplemented
    flat = runtime.flat(x._value)
    values = [M.gather(flat, *layout) for layout in layouts]
    node = results[0].grad_fn.name()
    backward = _pieces_backward(tuple(x.shape), x._dtype, layouts)
    outs = record_multi(node, values, [x._dtype] * len(values), [x], backward)
    views = [aliasing.as_view(out, root, g) for out, g in zip(outs, geoms, strict=True)]
    for view, r in zip(views, results, strict=True):
        view.__dict__.update(r.__dict__)  # the CPU's in-place refusal mark
    return type(results)(views)


def _pieces_backward(into: tuple, dt: D.dtype, layouts: list):
    """x's gradient from its pieces' gradients (a missing one: zeros there): each written
    into one zero buffer, as the CPU assigns them; with ``create_graph``, a sum of
    :func:`scatter_view` s (differentiable)."""

    def backward(*grads: Any) -> Tensor:
        pairs = [(g, lay) for g, lay in zip(grads, layouts, strict=False) if g is not None]
        if any(g._requires_grad for g, _ in pairs):
            parts = [scatter_view(g, into, *lay) for g, lay in pairs]
            total = parts[0]
            for part in parts[1:]:
                total = total + part
            return total
        out = runtime.zeros(into, dt.np)
        for g, (shape, strides, offset) in pairs:
            M.scatter(runtime.contiguous(g._value), runtime.flat(out), shape, strides, offset)
        return _make(out, dt)

    return backward


def view_op(name: str):
    """``x.<name>(...)`` on a device tensor through the stand-ins (see the module docstring):
    :class:`~.aliasing.DeviceView` s of ``x``'s root buffer (a tuple of them for the ops that
    return several views: unbind, split, chunk ...)."""

    def impl(x: Any, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(x, Tensor):
            return NotImplemented
        if any(isinstance(a, Tensor) for a in (*args, *kwargs.values())):
            return NotImplemented  # tensor indices: the fallback
        if x.numel() == 0:
            return _empty(x, name, args, kwargs)
        found = _in_root(x, name, args, kwargs)
        if found is None:  # a copy on the CPU too (reshape of a non-contiguous view), or an
            return _empty(x, name, args, kwargs)  # empty result (``x[:, :0]``)
        root, geom = found
        base, result = _own(x, name, args, kwargs)
        if not isinstance(geom, list):
            return _gathered(x, base, result, root, geom)
        nodes = {id(r.grad_fn) for r in result}
        if len(nodes) == 1 and result[0].grad_fn is not None:
            return _pieces(x, base, result, root, geom)  # one node: unbind, split, chunk
        outs = [_gathered(x, base, r, root, g) for r, g in zip(result, geom, strict=True)]
        if any(o is NotImplemented for o in outs):
            return NotImplemented
        return type(result)(outs)

    return impl


def _empty(x: Tensor, name: str, args: tuple, kwargs: dict) -> Any:
    """A view with no elements (of an empty ``x``, or ``x[:, :0]``): nothing to alias or
    read, so a new empty device tensor with the CPU's shape and node (the stand-in's), whose
    gradient is zeros of ``x``'s shape. It is still ``x``'s view for what can be asked of
    one with no elements: its ``_base`` is ``x``'s base (or ``x``) and it shares ``x``'s
    version counter, as the CPU's. Several results (split of an empty tensor) and results
    with elements take the fallback."""
    _, result = _own(x, name, args, kwargs)
    if not isinstance(result, Tensor) or result.numel():
        return NotImplemented
    value = runtime.zeros(tuple(result.shape), x._dtype.np)
    if result.grad_fn is None:
        out = _make(value, x._dtype)
    else:
        shape = tuple(x.shape)
        out = record(result.grad_fn.name(), value, x._dtype, [x], lambda g: x.new_zeros(shape))
    out._vc = x._counter()
    out._base = x if x._base is None else x._base
    return out


def expand_as(x: Any, other: Any) -> Any:
    if not isinstance(other, Tensor):
        return NotImplemented
    return NATIVE["expand"](x, tuple(other.shape))


def as_strided(x: Any, *args: Any, **kwargs: Any) -> Any:
    """``x.as_strided(size, stride, offset)``: sizes, strides and offset are places in the
    storage, i.e. in ``x``'s root buffer (a view's own buffer is a gathered copy), so the
    elements are gathered from the root, at the layout the CPU op gives on a stand-in laid
    out as the root (its checks and errors are the CPU's). The result aliases the root; one
    whose elements share places is a copy whose in-place writes are refused. The gradient
    is the CPU's: ``g`` added into a storage-sized zero buffer, read back at ``x``'s places."""
    if not isinstance(x, Tensor) or x.numel() == 0:
        return NotImplemented
    root, x_geom = aliasing.origin(x)
    memory = np.empty(max(root.numel(), 1), x._dtype.np)  # laid out as the root's buffer
    host_x = _make(memory, x._dtype).as_strided(*x_geom)  # x's place in it, a CPU view
    geom = _layout(host_x.as_strided(*args, **kwargs)._value, memory)
    if geom is None:
        return NotImplemented
    n, into = root.numel(), tuple(x.shape)
    x_places = _places(*x_geom)

    def backward(g: Tensor) -> Tensor:
        where = _make(runtime.to_device(_places(*geom)), D.int64)
        if GRAD.enabled and g._requires_grad:  # create_graph: recorded device ops, and
            # PyTorch's last node (x's places read from the storage: AsStridedBackward0)
            storage = _make(runtime.zeros((n,), g._dtype.np), g._dtype)
            storage = storage.index_add(0, where, g.reshape(-1))
            return as_strided(storage, *x_geom)
        # one ordered add per place (no atomics), no host round trip
        gv = runtime.contiguous(g._value)
        zeros = runtime.zeros((n,), g._dtype.np)
        added = M.add_along(buffer_view(gv, gv.size), where._value, n, 1, zeros, shared=True)
        return _make(added, g._dtype)[_make(runtime.to_device(x_places), D.int64)].reshape(into)

    value = M.gather(runtime.flat(root._value), *geom)
    out = record("AsStridedBackward0", value, x._dtype, [x], backward)
    if _self_overlapping(*geom):
        return aliasing.mark_copied(out, "as_strided", ())
    return aliasing.as_view(out, root, geom)


def _self_overlapping(shape: tuple, strides: tuple, offset: int) -> bool:
    """Whether two elements share a place (stride-0 dimensions aside: the expand rules)."""
    kept = [(k, st) for k, st in zip(shape, strides, strict=True) if st and k > 1]
    places = _places(tuple(k for k, _ in kept), tuple(st for _, st in kept), offset)
    return np.unique(places).size != places.size


def _places(shape: tuple, strides: tuple, offset: int) -> np.ndarray:
    """The buffer places of the layout's elements, in C order."""
    places = np.full(1, offset, np.int64)
    for k, st in zip(shape, strides, strict=True):
        places = (places[:, None] + np.arange(k, dtype=np.int64) * st).ravel()
    return places


def contiguous(x: Any, *args: Any, **kwargs: Any) -> Any:
    """``x`` itself when its layout is C-contiguous, else a contiguous copy (as on the CPU: a
    write into the copy does not reach the base)."""
    if not isinstance(x, Tensor) or args or kwargs:
        return NotImplemented
    shape, strides, _ = aliasing.origin(x)[1]
    if all(n == 1 or st == c for n, st, c in zip(shape, strides, aliasing.c_strides(shape))):
        return x
    return x.clone()


_PROPERTIES = frozenset({"T", "mT", "H", "mH"})
#: Tensor methods (and properties) taken by :func:`view_op`.
VIEW_METHODS = (
    "transpose swapaxes swapdims permute movedim moveaxis t T mT expand expand_as narrow "
    "select squeeze diagonal __getitem__ unfold unbind split chunk tensor_split "
    "split_with_sizes hsplit vsplit dsplit H mH adjoint unflatten"
).split()

NATIVE: dict[str, Any] = {name: view_op(name) for name in VIEW_METHODS}
NATIVE["contiguous"] = contiguous
NATIVE["expand_as"] = expand_as
NATIVE["as_strided"] = as_strided


def broadcast_tensors(*tensors: Any) -> Any:
    """Each operand expanded to the common shape (``ExpandBackward0``, as the CPU's)."""
    if not tensors or not all(isinstance(t, Tensor) and t.is_cuda for t in tensors):
        return NotImplemented
    try:
        shape = np.broadcast_shapes(*(tuple(t.shape) for t in tensors))
    except ValueError:
        return NotImplemented  # the CPU op's error
    return tuple(NATIVE["expand"](t, shape) for t in tensors)


NATIVE["broadcast_tensors"] = broadcast_tensors
# (the CPU's broadcast_to calls its own module's expand: the CPU op on a device buffer)
NATIVE["broadcast_to"] = lambda x, size: NATIVE["expand"](x, tuple(size))


STALE = (
    "jitgrad: this view's base was modified in place after the view was taken; regenerating "
    "its gradient is not implemented on the cuda backend yet for this view"
)


def regenerate(v: Tensor) -> None:
    """A stale device view's new history (the CPU's :mod:`~jitgrad.frontend.stale_views`):
    ``AsStridedBackward0`` over its root's current history, read at the view's place in the
    root's buffer. Raises where that place is not known, rather than keep a wrong node."""
    if v._base is None or not v._base._requires_grad:
        return  # kept as it was (PyTorch's rule)
    root, geom = aliasing.origin(v)
    if root is not v._base or v._dtype != root._dtype:  # (view_as_real's parts ...)
        raise RuntimeError(STALE)
    install(v, lambda: as_strided(root, *geom).grad_fn)


regenerates((aliasing.DeviceView,), runtime.DEVICE_ARRAY_TYPES, regenerate)
