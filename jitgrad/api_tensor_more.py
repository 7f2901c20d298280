"""Tensor methods PyTorch programs call that are forms of what jitgrad has: ``as_strided_``
and ``as_strided_scatter``, ``set_``, ``as_subclass``, ``map2_``; and the sparse accessors,
which on a dense tensor raise PyTorch's errors (jitgrad's tensors are all dense).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .engine.grad_mode import STATE as GRAD
from .frontend import parser_forms as PF
from .frontend.copy_ops import under_node
from .frontend.pointwise import check_inplace
from .frontend.tensor import Tensor, _init_fields


def as_strided_(self: Tensor, size: Any, stride: Any, storage_offset: int | None = None) -> Tensor:
    """Make ``self`` the strided view of its storage (PyTorch's in-place form)."""
    check_inplace(self)
    view = self.as_strided(size, stride, storage_offset)
    self._value = view._value
    if view.grad_fn is not None:
        self.grad_fn, self._output_nr = view.grad_fn, view._output_nr
    self._bump()
    return self


def as_strided_scatter(
    input: Tensor,  # noqa: A002 - PyTorch's name
    src: Tensor,
    size: Any,
    stride: Any,
    storage_offset: int | None = None,
) -> Tensor:
    """A copy of ``input`` whose strided view (``size``, ``stride``) holds ``src``."""
    if tuple(src.shape) != tuple(size):
        raise RuntimeError(
            "expected src to have a size equal to the slice of self. src size = "
            f"{list(src.shape)}, slice size = {list(size)}"
        )
    out = input.clone()
    out.as_strided(size, stride, storage_offset).copy_(src)
    return under_node(out, "AsStridedScatterBackward0", copy=False)


def set_(
    self: Tensor,
    source: Any = None,
    storage_offset: int = 0,
    size: Any = None,
    stride: Any = None,
) -> Tensor:
    """Make ``self`` share ``source``'s data, shape and dtype (empty without a source); with
    a storage (or ``storage_offset``/``size``/``stride``), a strided window of its memory."""
    if source is None:
        self._value = np.empty((0,), dtype=self._value.dtype)
    elif isinstance(source, Tensor) and size is None and not storage_offset:
        self._value, self._dtype = source._value, source._dtype
    else:
        if isinstance(source, Tensor):
            self._dtype, source = source._dtype, source.untyped_storage()
        self._value = _storage_window(self, source._flat, storage_offset, size, stride)
    self._bump()
    return self


def _storage_window(self: Tensor, flat: np.ndarray, offset: int, size: Any, stride: Any) -> Any:
    """``flat``'s memory read as ``self``'s elements from ``offset``, ``size`` by ``stride``
    (contiguous strides by default), with PyTorch's error past the storage's end."""
    elems = flat.reshape(-1).view(np.uint8).view(self._dtype.np)
    size = [elems.size - offset] if size is None else [int(n) for n in size]
    if stride is None:
        stride = [int(np.prod(size[i + 1 :])) for i in range(len(size))]
    stride = [int(s) for s in stride]
    need = offset
    if all(size):  # the last element's position + 1 (nothing for an empty window)
        need += 1 + sum((n - 1) * s for n, s in zip(size, stride, strict=True))
    item = elems.itemsize
    if need > elems.size:
        raise RuntimeError(
            f"setStorage: sizes {size}, strides {stride}, storage offset {offset}, and itemsize "
            f"{item} requiring a storage size of {need * item} are out of bounds for storage "
            f"of size {elems.size * item}"
        )
    base = elems[offset:]
    return np.lib.stride_tricks.as_strided(base, size, [s * item for s in stride])


def as_subclass(self: Tensor, cls: type) -> Tensor:
    """A ``cls`` instance over the same data, attached to the graph through an alias
    (``AliasBackward0``) when ``self`` requires grad."""
    src = self
    if GRAD.enabled and self.requires_grad:
        src = under_node(self.view_as(self), "AliasBackward0", copy=False)
    out = Tensor.__new__(cls)
    out._value = src._value
    _init_fields(out, src._dtype, src.grad_fn, False, src._output_nr)
    out._requires_grad = src._requires_grad
    return out


def map2_(self: Tensor, x: Tensor, y: Tensor, callable: Callable) -> Tensor:  # noqa: A002
    """``self[i] = callable(self[i], x[i], y[i])`` elementwise, in Python (``x`` and ``y``
    broadcast to ``self``)."""
    target = self._value
    xs = np.broadcast_to(x._value, target.shape)
    ys = np.broadcast_to(y._value, target.shape)
    for index in np.ndindex(target.shape):
        target[index] = callable(target[index].item(), xs[index].item(), ys[index].item())
    self._bump()
    return self


_SPARSE_LAYOUTS = {
    "is_coalesced": "sparse coordinate",
    "coalesce": "sparse coordinate",
    "indices": "sparse coordinate",
    "values": "sparse",
    "crow_indices": "sparse row compressed",
    "col_indices": "sparse row compressed",
    "ccol_indices": "sparse column compressed",
    "row_indices": "sparse column compressed",
}


def _sparse_only(name: str, layout: str) -> Callable[[Tensor], Any]:
    def accessor(self: Tensor) -> Any:
        raise RuntimeError(f"{name} expected {layout} tensor layout but got Strided")

    accessor.__name__ = accessor.__qualname__ = name
    return accessor


METHODS: dict[str, Any] = {
    "as_strided_": PF.schema_method(
        as_strided_,
        "as_strided_",
        "tuple of ints size, tuple of ints stride, int storage_offset",
        2,
    ),
    "as_strided_scatter": PF.schema_method(
        as_strided_scatter,
        "as_strided_scatter",
        "Tensor src, tuple of ints size, tuple of ints stride, int storage_offset",
        3,
    ),
    "set_": set_,
    "as_subclass": as_subclass,
    "map2_": map2_,
    **{name: _sparse_only(name, layout) for name, layout in _SPARSE_LAYOUTS.items()},
}

TOP_LEVEL: dict[str, Any] = {"as_strided_": as_strided_, "as_strided_scatter": as_strided_scatter}


def bind() -> dict[str, Any]:
    """Attach :data:`METHODS` to ``Tensor``; return :data:`TOP_LEVEL` for the namespace."""
    for name, fn in METHODS.items():
        setattr(Tensor, name, fn)
    return TOP_LEVEL
