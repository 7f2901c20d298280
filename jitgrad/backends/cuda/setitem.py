"""``t[key] = value`` on the device for basic keys (ints, slices, None, ``...``): the value is
written through the key's view straight into the root buffer (:mod:`.aliasing`), and with
autograd on the root's history is rebased onto a ``CopySlices`` node, as the CPU's setitem
does. An in-place op on a view of a tensor with history comes here too (the CPU path computes
it out of place and writes it back with ``view[...] = result``), so its gradients are the
CPU's. Advanced keys, host values and shape mismatches take the host fallback (its errors).
"""

from __future__ import annotations

from typing import Any

from ...engine.grad_mode import STATE as GRAD
from ...frontend.multi_view import check_marked, setitem_view
from ...frontend.pointwise import LEAF_INPLACE, VIEW_LEAF_INPLACE
from ...frontend.recording import record
from ...frontend.tensor import Tensor, _make
from ...kernels.cuda import memory as M
from . import aliasing, deferred, elementwise, runtime, views


def _basic(key: Any) -> bool:
    keys = key if isinstance(key, tuple) else (key,)
    return all(k is None or k is Ellipsis or type(k) in (int, slice) for k in keys)


def setitem(self: Any, key: Any, value: Any) -> Any:
    """``self[key] = value`` through the root buffer (see the module docstring)."""
    if not isinstance(self, Tensor) or not _basic(key):
        return NotImplemented
    if self.numel() == 0:
        return _write_nothing(self, key, value)
    if isinstance(value, Tensor):
        if not elementwise.on_device(value) or value._dtype.is_complex:
            return NotImplemented
    elif type(value) not in (int, float, bool):
        return NotImplemented
    found = views._in_root(self, "__getitem__", (key,), {})  # the CPU's index errors
    if found is None:
        return NotImplemented
    root, geom = found
    shape, strides, offset = geom
    if aliasing.overlaps(shape, strides) or 0 in shape:
        return NotImplemented
    if self.__dict__:  # an unbind/split output, an inference tensor: the CPU's refusals
        check_marked(self, setitem_view(key))
    dt = self._dtype
    tensor_value = isinstance(value, Tensor)
    with_grad = (
        GRAD.enabled
        and dt.is_floating_point
        and (self._requires_grad or root._requires_grad or tensor_value and value._requires_grad)
    )
    if with_grad and root._requires_grad and root.grad_fn is None:
        raise RuntimeError(LEAF_INPLACE if self is root else VIEW_LEAF_INPLACE)
    if tensor_value:
        try:
            src = (value if value._dtype is dt else value.to(dt)).expand(shape)
        except RuntimeError:
            return NotImplemented  # the CPU's shape-mismatch error, through the host
        values = src._value
    else:
        src, values = None, runtime.full(shape, value, dt.np)
    deferred.flush(root)
    deferred.flush(self)
    old = None
    if with_grad:
        old = _make(root._value, dt, root.grad_fn, output_nr=root._output_nr)
        old._requires_grad = root._requires_grad
    M.scatter(runtime.contiguous(values), runtime.flat(root._value), shape, strides, offset)
    Tensor._bump(root)
    if with_grad:
        _rebase(root, self, geom, old, src)
    return None


def _write_nothing(view: Tensor, key: Any, value: Any) -> Any:
    """A write into an empty view (an in-place op on ``x[:, :0]``: the CPU path writes its
    result back with ``view[...] = result``): no value changes, but with autograd the base's
    history becomes ``CopySlices`` and the view's reads the base, as the CPU's (gradients
    pass through unchanged). Other empty targets and keys: the CPU op through the host."""
    root, dt = view._base, view._dtype
    if root is None or key is not Ellipsis or not isinstance(value, Tensor):
        return NotImplemented
    if not elementwise.on_device(value) or tuple(value.shape) != tuple(view.shape):
        return NotImplemented
    with_grad = GRAD.enabled and dt.is_floating_point
    with_grad = with_grad and (root._requires_grad or value._requires_grad)
    if with_grad and root._requires_grad and root.grad_fn is None:
        raise RuntimeError(LEAF_INPLACE if view is root else VIEW_LEAF_INPLACE)
    Tensor._bump(root)
    if not with_grad:
        return None
    old = _make(root._value, dt, root.grad_fn, output_nr=root._output_nr)
    old._requires_grad = root._requires_grad
    shape, src_shape = tuple(root.shape), tuple(value.shape)
    res = record("CopySlices", root._value, dt, (old, value),
                 lambda g: (g, g.new_zeros(src_shape)))  # fmt: skip
    root.grad_fn, root._output_nr, root._requires_grad = res.grad_fn, 0, True
    read = record("AsStridedBackward0", view._value, dt, [root],
                  lambda g: g.new_zeros(shape))  # fmt: skip
    view.grad_fn, view._output_nr, view._requires_grad = read.grad_fn, 0, True
    for t in (root, view):
        if t._retains_grad:
            t._retain_on_new_node()
    return None


def _rebase(root: Tensor, view: Tensor, geom: Any, old: Tensor, src: Tensor | None) -> None:
    """The root's new history: ``CopySlices`` of its old history and the written values."""
    shape, strides, offset = geom
    dt = root._dtype
    keep = runtime.full(tuple(root.shape), 1, dt.np)  # 0 where the write replaced the values
    M.scatter(runtime.zeros(shape, dt.np), runtime.flat(keep), shape, strides, offset)
    kept = _make(keep, dt)

    def backward(g: Tensor) -> tuple:
        gv = views.gather_view(g, shape, strides, offset, "AsStridedBackward0")
        return g * kept, gv if src is not None else None

    res = record("CopySlices", root._value, dt, (old, src), backward)
    root.grad_fn, root._output_nr, root._requires_grad = res.grad_fn, 0, True
    if root._retains_grad:
        root._retain_on_new_node()
    if view is not root:  # the view now reads the rebased root
        layout = aliasing.origin(view)[1]
        view.grad_fn = views.gather_view(root, *layout, "AsStridedBackward0").grad_fn
        view._output_nr, view._requires_grad = 0, True
        if view._retains_grad:
            view._retain_on_new_node()
