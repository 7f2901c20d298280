"""Device views that alias their base: in-place writes through a view reach the base, and a
view read after its base changed sees the change (as on the CPU, where views share memory).

Every device buffer the kernels see is C-contiguous, so a strided view (transpose, slicing,
select, diagonal, expand ...) cannot be a device array over its base's memory without every
kernel learning strides. Instead a :class:`DeviceView` is a lazy function of its base: it keeps
the root tensor and its own layout in the root's buffer ``(shape, element strides, element
offset)``, and a private contiguous copy of those elements.

* Reading ``_value`` gathers the copy again when the shared version counter moved since it was
  taken (the root, or any view of it, was written): the view reads the base's current values.
* Every in-place write ends in ``_bump`` (see ``Tensor._bump``): the view's copy, just written,
  is scattered back into the root's buffer through the layout, then the shared counter moves.
  A write through a view whose elements overlap (an expanded dimension) raises PyTorch's error;
  ``fill_``/``zero_`` are allowed there (every overlapping element gets the same value).

Views share the root's version counter and point ``_base`` at it, so autograd's refusals and
saved-tensor version checks are the CPU's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...frontend import overlap
from ...frontend.tensor import _STATE_SLOTS, Tensor, _make
from ...frontend.view_registry import register
from ...kernels.cuda import memory as M
from . import deferred, runtime

_SLOT = Tensor.__dict__["_value"]

OVERLAP = (
    "unsupported operation: more than one element of the written-to tensor refers to a single "
    "memory location. Please clone() the tensor before performing the operation."
)

Geometry = tuple[tuple[int, ...], tuple[int, ...], int]

#: ``__dict__`` key of a device result that is a view on the CPU but a copy here (the host
#: fallback's ``as_strided`` of a view ...): the value is the op's name
COPIED = "_device_copied_view"
#: the ops whose host-fallback result is such a copy (the common view ops are native)
COPIED_VIEW_OPS = frozenset("as_strided view_as_real view_as_complex real imag".split())


class DeviceView(Tensor):
    """A device tensor viewing part of its root's buffer (see the module docstring)."""

    __slots__ = ("_root", "_geom", "_synced")

    @property
    def _value(self) -> Any:  # type: ignore[override]
        if self._vc[0] != self._synced:
            return refresh(self)
        return _SLOT.__get__(self)

    @_value.setter
    def _value(self, value: Any) -> None:
        _SLOT.__set__(self, value)

    def detach(self) -> Tensor:
        """A view of the same elements with no history (PyTorch's detach shares storage)."""
        return as_view(Tensor.detach(self), self._root, self._geom, base=None)

    @property
    def data(self) -> Tensor:  # type: ignore[override]
        return self.detach()

    @data.setter
    def data(self, value: Tensor) -> None:
        Tensor.data.fset(self, value)  # type: ignore[attr-defined]

    # Layout queries answer for the view's place in the root's buffer (not its private copy):
    # programs test ``is_contiguous()`` before ``view``, as on the CPU.
    def stride(self, dim: int | None = None) -> Any:
        return _stand_in(self).stride(dim) if dim is not None else self._geom[1]

    def is_contiguous(self, *args: Any, **kwargs: Any) -> bool:
        return _stand_in(self).is_contiguous(*args, **kwargs)

    def storage_offset(self) -> int:
        return self._geom[2]

    def data_ptr(self) -> int:
        """The view's place in its root's buffer (its private copy is no storage of it)."""
        return self._root.data_ptr() + self._geom[2] * np.dtype(self._dtype.np).itemsize

    def _bump(self) -> None:
        """The copy was written in place: write it through into the root, then count it."""
        shape, strides, offset = self._geom
        if overlaps(shape, strides):
            self._synced = -1  # the write is dropped: the next read gathers the root again
            raise RuntimeError(OVERLAP)
        _write(self, _SLOT.__get__(self), shape)


def _stand_in(v: DeviceView) -> Tensor:
    """A host tensor with ``v``'s shape and strides over never-read memory (for queries)."""
    shape, strides, _ = v._geom
    item = np.dtype(v._dtype.np).itemsize
    span = 1 + sum((n - 1) * st for n, st in zip(shape, strides, strict=True) if n)
    memory = np.empty(span, v._dtype.np)
    strided = np.lib.stride_tricks.as_strided(memory, shape, tuple(st * item for st in strides))
    return _make(strided, v._dtype)


def mark_copied(result: Any, name: str, args: tuple) -> Any:
    """Mark ``result`` (the host fallback's copy where the CPU op returns a view): reads work,
    in-place writes through it are refused (:func:`refuse_copied`). An operand returned as
    it is (``x.real`` of a real ``x``) is no copy and stays unmarked."""
    for r in result if isinstance(result, tuple | list) else (result,):
        if isinstance(r, Tensor) and not any(r is a for a in args):
            r.__dict__[COPIED] = name
    return result


def refuse_copied(t: Tensor) -> None:
    """NotImplementedError for an in-place write into a marked copy or a view of one: on the
    CPU the write would reach the view's base, here it would silently not."""
    root = t._root if isinstance(t, DeviceView) else t._base
    for x in (t, root):
        if x is not None and x.__dict__ and COPIED in x.__dict__:
            raise NotImplementedError(
                f"writing in place through the result of {x.__dict__[COPIED]}() is not supported "
                "on the cuda device in jitgrad (it would be a copy, not a view); clone() it, or "
                "write into the base"
            )


def check_write(t: Tensor, others: Any) -> Any:
    """PyTorch's overlap refusals for ``t.op_(*others)`` on the device: the CPU's checks
    (:func:`jitgrad.frontend.overlap.check_write`) on host stand-ins laid out as the operands'
    places in their shared root buffer. Returns ``others``: every device read is a gathered
    copy already, so no operand needs copying."""
    refuse_copied(t)
    shared = [x for x in others if isinstance(x, Tensor) and x is not t and x._vc is t._counter()]
    if not isinstance(t, DeviceView) and not shared:
        return others
    root = origin(t)[0]
    memory = np.empty(max(root.numel(), 1), t._dtype.np)
    stand_ins = [_placed(x, root, memory) for x in (t, *shared)]
    if None not in stand_ins:
        overlap.check_write(stand_ins[0], stand_ins[1:])
    return others


def _placed(x: Tensor, root: Tensor, memory: np.ndarray) -> Tensor | None:
    """A host tensor over ``memory`` (whose base it is) at ``x``'s place in ``root``."""
    r, (shape, strides, offset) = origin(x)
    if r is not root or np.dtype(x._dtype.np) != memory.dtype:
        return None
    item = memory.itemsize
    strides = tuple(st * item for st in strides)
    arr = np.ndarray(shape, memory.dtype, buffer=memory, offset=offset * item, strides=strides)
    return _make(arr, x._dtype)


def overlaps(shape: tuple[int, ...], strides: tuple[int, ...]) -> bool:
    return any(st == 0 and n > 1 for n, st in zip(shape, strides, strict=True))


def refresh(v: DeviceView) -> Any:
    """Gather ``v``'s elements from its root's current buffer into a new private copy."""
    shape, strides, offset = v._geom
    value = M.gather(runtime.flat(v._root._value), shape, strides, offset)
    _SLOT.__set__(v, value)
    v._synced = v._vc[0]
    return value


def _write(v: DeviceView, src: Any, shape: tuple[int, ...]) -> None:
    deferred.flush(v._root)  # deferred results that read the root compute before it changes
    _, strides, offset = v._geom
    M.scatter(src, runtime.flat(v._root._value), shape, strides, offset)
    Tensor._bump(v)
    v._synced = v._vc[0] if src is _SLOT.__get__(v) else -1


def fill(v: DeviceView, value: Any) -> DeviceView:
    """``v.fill_(value)`` straight into the root (an expanded dimension written once)."""
    shape, strides, _ = v._geom
    shape = tuple(1 if st == 0 else n for n, st in zip(shape, strides, strict=True))
    _write(v, runtime.full(shape, value, v._dtype.np), shape)
    return v


def origin(x: Tensor) -> tuple[Tensor, Geometry]:
    """The root tensor whose buffer ``x`` views, and ``x``'s layout in it."""
    if isinstance(x, DeviceView):
        return x._root, x._geom
    base = x._base
    if (
        base is not None
        and not isinstance(base, DeviceView)
        and runtime.is_device_array(raw := _SLOT.__get__(base))
        and raw.dtype == x._dtype.np  # (view_as_real's parts: a root of their own)
    ):
        item = raw.dtype.itemsize
        v = _SLOT.__get__(x)
        start = runtime.interface(v)["data"][0] - runtime.interface(raw)["data"][0]
        if start >= 0 and start % item == 0 and start // item < max(raw.size, 1):
            strides = tuple(int(s) // item for s in v.strides)
            return base, (tuple(x.shape), strides, start // item)
    return x, (tuple(x.shape), c_strides(tuple(x.shape)), 0)


def resize(t: Tensor, shape: tuple[int, ...]) -> None:
    """``t`` on a new device buffer of ``shape`` (``out=`` resizing it, as PyTorch's resize
    gives a new storage): a view becomes the sole view of that buffer, its old base is no
    longer written."""
    value = runtime.empty(shape, t._dtype.np)
    if isinstance(t, DeviceView):
        root = _make(value, t._dtype)
        root._vc = t._counter()
        t._root, t._geom = root, (shape, c_strides(shape), 0)
        t._synced = t._vc[0]
    _SLOT.__set__(t, value)
    t._base = None


def c_strides(shape: tuple[int, ...]) -> tuple[int, ...]:
    out, step = [], 1
    for n in reversed(shape):
        out.append(step)
        step *= max(n, 1)
    return tuple(reversed(out))


def as_view(t: Tensor, root: Tensor, geom: Geometry, base: Any = True) -> DeviceView:
    """``t`` (a fresh gathered result, recorded or not) as a view of ``root`` at ``geom``
    (``_base`` the root unless ``base`` is None: a detached view)."""
    v = DeviceView.__new__(DeviceView)
    for name in _STATE_SLOTS:
        if name == "_value":
            _SLOT.__set__(v, _SLOT.__get__(t))
        else:
            setattr(v, name, getattr(t, name))
    v._acc = None
    v._root, v._geom = root, geom
    v._vc = root._counter()
    v._base = root if base is not None else None
    v._synced = root._vc[0]
    if base is not None and v.grad_fn is not None:
        register(v)  # a change in place of the root or a sibling makes it stale (regenerate)
    return v
