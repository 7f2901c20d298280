"""Tensor queries and storage-level views PyTorch programs read: ``is_cpu``, ``get_device``,
``nbytes``, ``itemsize``, ``is_signed``, ``is_nonzero``, ``storage_offset``, ``as_strided``,
``ravel``, ``narrow_copy``, ``split_with_sizes``, ``output_nr``, ``dim_order``, ``Tensor.new``
and ``new_empty_strided``.

A jitgrad tensor's storage is its view base's buffer (the tensor's own for a tensor that is
not a view), so ``storage_offset`` and ``as_strided`` address that buffer in elements, as
PyTorch does; a base whose array is not C-contiguous falls back to numpy's owning array.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from . import dtypes as D
from .frontend import argcheck as A
from .frontend import parser_forms as PF
from .frontend.bit_views import BIT_VIEWS
from .frontend.creation import _finish, tensor, zeros
from .frontend.index_extra import index_add
from .frontend.memory_format import CHANNELS_LAST, is_dense_in
from .frontend.movement import narrow, split
from .frontend.recording import record
from .frontend.tensor import Tensor, _make, _on_device
from .frontend.tensor_meta import is_contiguous, storage_holder
from .frontend.view_registry import fresh_type
from .frontend.view_registry import register as register_view
from .math_extra import _named

#: buffers that are whole storages though no tensor owns them (``torch.load``'s, each shared
#: by the tensors saved from one storage): id -> the array, dropped with it
_STORAGES: weakref.WeakValueDictionary = weakref.WeakValueDictionary()


def register_storage(flat: np.ndarray) -> None:
    """Make ``flat`` the storage of every tensor whose memory lies in it (``torch.load``:
    a view saved alone loads over its whole storage, as in PyTorch)."""
    _STORAGES[id(flat)] = flat


def _root(arr: np.ndarray) -> np.ndarray:
    """The ndarray owning ``arr``'s memory (the tensor's storage)."""
    while isinstance(arr.base, np.ndarray):
        arr = arr.base
    return arr


def _storage(t: Tensor) -> np.ndarray:
    """``t``'s storage as a flat array of its element type (no copy)."""
    base = storage_holder(t)._value
    if _STORAGES:
        root = _root(base)
        if _STORAGES.get(id(root)) is root:
            return root
    if base.flags.c_contiguous:
        return base.reshape(-1)
    root = _root(base)
    raw = np.frombuffer(root, dtype=np.uint8) if root.flags.c_contiguous else root.reshape(-1)
    return raw.view(base.dtype) if raw.dtype != base.dtype else raw


def saved_storage(t: Tensor) -> np.ndarray | None:
    """``t``'s storage where it is a buffer of its own (its view base's contiguous array, or
    a loaded storage), for ``torch.save``; None where it would be numpy's owning array (a
    pooled block holding other tensors too, which a file must not carry)."""
    base = storage_holder(t)._value
    if base.flags.c_contiguous:
        return base.reshape(-1)
    root = _root(base)
    if _STORAGES.get(id(root)) is root:
        return root
    # a dense permutation of a buffer of its own (a channels-last copy): that buffer
    own = root.size == base.size and root.dtype == base.dtype and root.flags.c_contiguous
    return root.reshape(-1) if own else None


def _address(arr: np.ndarray) -> int:
    return arr.__array_interface__["data"][0]


def storage_offset(self: Tensor) -> int:
    """Elements between the start of the storage and the tensor's first element."""
    arr = self._value
    if _on_device(self):
        return 0
    storage = _storage(self)
    offset = (_address(arr) - _address(storage)) // arr.itemsize
    if arr.size == 0 and not 0 <= offset <= storage.size:  # (an empty array NumPy placed)
        return 0
    return offset


def _index_view(n: int, size: tuple, stride: tuple, offset: int) -> np.ndarray:
    """Storage positions an ``as_strided(size, stride, offset)`` view reads."""
    pos = np.arange(n, dtype=np.int64)
    item = pos.itemsize
    return np.lib.stride_tricks.as_strided(
        pos[offset:], size, tuple(s * item for s in stride), writeable=False
    )


def as_strided(
    input: Tensor,  # noqa: A002 - PyTorch's name
    size: Any,
    stride: Any,
    storage_offset: int | None = None,  # noqa: F811 - PyTorch's name
) -> Tensor:
    """A view of ``input``'s storage with the given geometry (``AsStridedBackward0``); its
    gradient scatters into the storage and reads back ``input``'s own elements."""
    size = tuple(A.int_list("as_strided", "size", (size,)))
    stride = tuple(A.int_list("as_strided", "stride", (stride,)))
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(s < 0 for s in stride):
        raise RuntimeError(
            "as_strided: Negative strides are not supported at the moment, "
            f"got strides: {list(stride)}"
        )
    offset = Tensor.storage_offset(input) if storage_offset is None else storage_offset
    store = _storage(input)
    needed = offset + sum((n - 1) * s for n, s in zip(size, stride, strict=True)) + 1
    if all(size) and needed > store.size:
        raise RuntimeError(
            f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset}, "
            f"and itemsize {store.itemsize} requiring a storage size of "
            f"{needed * store.itemsize} are out of bounds for storage of size "
            f"{store.size * store.itemsize}"
        )
    item = store.itemsize
    view = np.lib.stride_tricks.as_strided(store[offset:], size, tuple(s * item for s in stride))
    n = store.size
    in_shape, in_offset = input.shape, Tensor.storage_offset(input)
    in_stride = input.stride()

    def backward(g: Tensor) -> Tensor:
        where_out = _index_view(n, size, stride, offset).reshape(-1)
        flat = index_add(zeros(n, dtype=g.dtype), 0, tensor(where_out), g.reshape(-1))
        return flat[tensor(_index_view(n, in_shape, in_stride, in_offset).copy())]

    out = record("AsStridedBackward0", view, input._dtype, [input], backward)
    out._base = input if input._base is None else input._base
    out._vc = input._counter()  # a view: writes through it count as changes of the input
    if out._requires_grad:
        register_view(out)
    if fresh_type(input) in BIT_VIEWS and input._base is not None:  # a view of the stored memory
        out.__class__ = type(input)
    return out


def _ravel(self: Tensor) -> Tensor:
    """A flat view when contiguous, else a flat copy (``contiguous().view(-1)``, as torch)."""
    return self.contiguous().view(-1)


def _narrow_copy(self: Tensor, dim: int, start: int, length: int) -> Tensor:
    return _named(narrow(self, dim, start, length).clone(), "NarrowCopyBackward0")


def _split_with_sizes(self: Tensor, split_sizes: Any, dim: int = 0) -> tuple:
    return split(self, list(split_sizes), dim)


def is_nonzero(input: Tensor) -> bool:  # noqa: A002 - PyTorch's name
    """The truth of a one-element tensor (PyTorch's errors for none or several)."""
    if input._value.size == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if input._value.size > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input.item())


def is_same_size(input: Tensor, other: Tensor) -> bool:  # noqa: A002 - PyTorch's name
    return tuple(input.shape) == tuple(other.shape)


def is_signed(input: Tensor) -> bool:  # noqa: A002 - PyTorch's name
    return bool(input._dtype.is_signed) and input._dtype is not D.bool_


def _dim_order(self: Tensor, *, ambiguity_check: bool = False) -> tuple:
    """Dimensions from outermost to innermost in memory (stable for equal strides)."""
    st = self.stride()
    return tuple(sorted(range(self.ndim), key=lambda d: -st[d]))


def _new(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """Legacy ``t.new(...)``: ``new(sizes...)`` uninitialised, ``new(data)`` a copy of the
    data, ``new()`` an empty tensor, all in ``t``'s dtype."""
    dt = D.to_dtype(kwargs.pop("dtype", None) or self._dtype)
    device = kwargs.pop("device", None)
    if len(args) == 1 and not isinstance(args[0], int):
        if isinstance(args[0], Tensor):
            return args[0]
        return tensor(args[0], dtype=dt, device=device)
    shape = A.int_list("new", "size", args) if args else (0,)
    return _finish(_make(np.empty(tuple(shape), dt.np), dt), False, device)


def _new_empty_strided(
    self: Tensor,
    size: Any,
    stride: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    **kwargs: Any,
) -> Tensor:
    dt = D.to_dtype(dtype) if dtype is not None else self._dtype
    return empty_strided(size, stride, dtype=dt, device=device, requires_grad=requires_grad)


def empty_strided(
    size: Any,
    stride: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    **kwargs: Any,
) -> Tensor:
    """An uninitialised tensor with the given strides (its storage just large enough)."""
    size = tuple(A.int_list("empty_strided", "size", (size,)))
    stride = tuple(A.int_list("empty_strided", "stride", (stride,)))
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    n = (sum((k - 1) * s for k, s in zip(size, stride, strict=True)) + 1) if all(size) else 0
    store = np.empty(n, dt.np)
    item = store.itemsize
    arr = np.lib.stride_tricks.as_strided(store, size, tuple(s * item for s in stride))
    t = _finish(_make(arr, dt), requires_grad, device)
    if t.is_cuda and t.stride() != stride:  # the copy to the device is contiguous: the
        # strides made again over a device storage of n elements (PyTorch keeps them there)
        t = _finish(t.new_empty(n).as_strided(size, stride).detach(), requires_grad)
    return t


def _is_contiguous(self: Tensor, *args: Any, memory_format: Any = None) -> bool:
    """``Tensor.is_contiguous``: row-major, or channels-last contiguous as PyTorch computes
    it for ``memory_format=torch.channels_last`` (:func:`.memory_format.is_dense_in`)."""
    if not args and memory_format is None:
        return is_contiguous(self)
    PF.contiguous_arguments(args, memory_format, "is_contiguous")
    if memory_format.name not in CHANNELS_LAST:
        return is_contiguous(self)
    return is_dense_in(self, memory_format)


def _get_device(self: Tensor) -> int:
    """-1 for a CPU tensor, else the CUDA device's index (PyTorch's convention)."""
    return -1 if self.device.type == "cpu" else (self.device.index or 0)


METHODS: dict[str, Any] = {
    "storage_offset": storage_offset,
    "as_strided": PF.schema_method(
        as_strided, "as_strided", "tuple of ints size, tuple of ints stride, int storage_offset", 2
    ),
    "ravel": _ravel,
    "narrow_copy": _narrow_copy,
    "split_with_sizes": PF.schema_method(
        _split_with_sizes, "split_with_sizes", "tuple of ints split_sizes, int dim", 1
    ),
    "is_nonzero": is_nonzero,
    "is_same_size": is_same_size,
    "is_signed": is_signed,
    "dim_order": _dim_order,
    "new": _new,
    "new_empty_strided": PF.schema_method(
        _new_empty_strided, "new_empty_strided", "tuple of ints size, tuple of ints stride", 2
    ),
    "get_device": _get_device,
    "is_contiguous": _is_contiguous,
    "is_cpu": property(lambda self: self.device.type == "cpu"),
    "nbytes": property(lambda self: self._value.size * self._dtype.itemsize),
    "itemsize": property(lambda self: self._dtype.itemsize),
    "output_nr": property(lambda self: self._output_nr),
    "_is_view": lambda self: self._base is not None,
}

TOP_LEVEL: dict[str, Any] = {
    "as_strided": as_strided,
    "ravel": _ravel,
    "narrow_copy": _narrow_copy,
    "split_with_sizes": _split_with_sizes,
    "is_nonzero": is_nonzero,
    "is_same_size": is_same_size,
    "is_signed": is_signed,
    "empty_strided": empty_strided,
    "get_device": _get_device,
}
