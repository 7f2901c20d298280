"""The in-place ops that change a device tensor's storage or geometry: ``resize_``,
``resize_as_``, ``set_`` and ``as_strided_``.

Through the host fallback these ran on a host copy whose new shape or storage was copied
back into the old device buffer, so the device tensor kept its old storage (``resize_`` did
not resize, ``set_`` did not share). Here each changes the device tensor itself, as the CPU
ops change theirs (:mod:`jitgrad.api_more`, :mod:`jitgrad.api_tensor_more`):

* ``resize_``: the first elements kept (a view of the same buffer when fewer), zeros after
  (a new buffer, the old elements copied), "cannot resize variables that require grad"
  before any in-place check, as PyTorch;
* ``set_(source)``: the source's device buffer, shape and dtype (the same ``data_ptr``);
  ``set_()``: an empty buffer;
* ``as_strided_``: the device ``as_strided`` view's elements (gathered on the device) made
  the tensor's, with its node (``AsStridedBackward0``).

A tensor that is itself a device view of another (:class:`.aliasing.DeviceView`: a gathered
copy of its place in its root's buffer) changes its place instead, as the CPU's view changes
its geometry over the same storage (the host fallback crashed copying the new shape into the
old copy): ``as_strided_`` takes the place of its own ``as_strided`` view, ``set_(source)``
takes ``source``'s place (its root, layout and version counter, so each sees the other's
writes), and ``resize_`` to no more elements than the root's buffer holds past the view's
offset keeps the offset with contiguous strides (a view that is not contiguous, or a larger
size, keeps the host fallback).
"""

from __future__ import annotations

import math
from typing import Any

from ...frontend import argcheck as A
from ...frontend.pointwise import check_inplace
from ...frontend.tensor import Tensor
from ...kernels.cuda import memory as M
from ...kernels.cuda.common import view
from . import native, runtime
from .aliasing import DeviceView, c_strides, origin
from .elementwise import on_device


def _own(t: Any) -> bool:
    """A device tensor with a buffer of its own (not a device view's copy)."""
    return isinstance(t, Tensor) and not isinstance(t, DeviceView) and on_device(t)


def _device_view(t: Any) -> bool:
    return isinstance(t, DeviceView) and on_device(t)


def _move(v: DeviceView, root: Any, geom: tuple, counter: Any = None) -> DeviceView:
    """The device view ``v`` placed at ``geom`` in ``root``'s buffer (gathered at once)."""
    v._root, v._geom = root, geom
    if counter is not None:
        v._vc = counter
    Tensor._bump(v)  # (the shared counter: every view of the root reads again)
    v._synced = -1
    return v


def _resize_(self: Any, *sizes: Any, memory_format: Any = None) -> Any:
    if not (_own(self) or _device_view(self)):
        return NotImplemented
    shape = A.int_list("resize_", "size", sizes)
    if self.requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    if isinstance(self, DeviceView):
        root, (old, strides, offset) = self._root, self._geom
        if tuple(strides) != c_strides(tuple(old)) or offset + math.prod(shape) > root.numel():
            return NotImplemented
        return _move(self, root, (tuple(shape), c_strides(tuple(shape)), offset))
    n, old = math.prod(shape), self.numel()
    flat = view(runtime.contiguous(self._value), old)
    if n <= old:
        self._value = view(flat[:n], tuple(shape))
    else:
        grown = runtime.zeros((n,), flat.dtype)
        if old:
            M.copy(flat, grown[:old])
        self._value = view(grown, tuple(shape))
    self._bump()
    return self


def resize_as_(self: Any, other: Any, *, memory_format: Any = None) -> Any:
    return _resize_(self, tuple(other.shape))


def set_(self: Any, source: Any = None) -> Any:
    if _device_view(self) and isinstance(source, Tensor) and on_device(source):
        if source._dtype is not self._dtype:
            return NotImplemented
        root, geom = origin(source)
        return _move(self, root, geom, root._counter())
    if not _own(self) or not (source is None or _own(source)):
        return NotImplemented  # (a host source: the CPU op's answer through the fallback)
    if source is None:
        self._value = runtime.empty((0,), self._value.dtype)
    else:
        self._value, self._dtype = source._value, source._dtype
    self._bump()
    return self


def as_strided_(self: Any, size: Any, stride: Any, storage_offset: int | None = None) -> Any:
    if not (_own(self) or _device_view(self)):
        return NotImplemented
    check_inplace(self)
    strided = self.as_strided(size, stride, storage_offset)
    if isinstance(self, DeviceView):
        if not isinstance(strided, DeviceView):
            return NotImplemented  # (places shared: the as_strided result is a copy)
        if strided.grad_fn is not None:
            self.grad_fn, self._output_nr = strided.grad_fn, strided._output_nr
        return _move(self, strided._root, strided._geom)
    self._value = M.copy(runtime.contiguous(strided._value))  # (its own buffer, not the view's)
    if strided.grad_fn is not None:
        self.grad_fn, self._output_nr = strided.grad_fn, strided._output_nr
    self._bump()
    return self


native.NATIVE.update(
    {
        "resize_": A.int_list_method(_resize_, "resize_", "size"),  # (x.resize_(size=...))
        "resize_as_": resize_as_,
        "set_": set_,
        "as_strided_": as_strided_,
    }
)
