"""``Tensor.untyped_storage()`` and ``Tensor.storage()``: the memory a tensor and its views
share, as programs use it to check sharing (``a.untyped_storage().data_ptr() ==
b.untyped_storage().data_ptr()``) or to read the raw elements.

A jitgrad tensor's storage is its view base's buffer (see :mod:`.tensor_query`), so every
view of one base reports the same ``data_ptr`` and size. Both objects are read-only
descriptions here (PyTorch's can also be resized or written through).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import dtypes as D
from . import lowp
from .frontend.tensor import Tensor
from .tensor_query import _address, _storage


class UntypedStorage:
    """The bytes under a tensor (``nbytes``, ``data_ptr``; printed one byte a line)."""

    def __init__(self, flat: np.ndarray, device: Any, held: D.dtype | None = None) -> None:
        self._flat = flat
        self.device = device
        #: float16/bfloat16 when ``flat`` holds that type's values as float32 (jitgrad's
        #: half-width tensors): the bytes shown are the narrow type's, as PyTorch's
        self._held = held

    def data_ptr(self) -> int:
        return _address(self._flat)

    def nbytes(self) -> int:
        return self._flat.size * 2 if self._held is not None else self._flat.nbytes

    def _bytes(self) -> np.ndarray:
        if self._held is D.bfloat16:
            return lowp.bfloat16_bits(self._flat)
        return self._flat.astype(np.float16) if self._held is D.float16 else self._flat

    size = nbytes
    __len__ = nbytes

    def element_size(self) -> int:
        return 1

    def tolist(self) -> list:
        return self._bytes().view(np.uint8).tolist()

    def type(self) -> str:
        """PyTorch's class path (its name, as programs compare it)."""
        return "torch.storage.UntypedStorage"

    def __repr__(self) -> str:
        lines = "".join(f" {b}\n" for b in self.tolist())
        return f"{lines}[torch.storage.UntypedStorage(device={self.device}) of size {len(self)}]"


class TypedStorage(UntypedStorage):
    """The elements under a tensor, of its dtype (PyTorch's older ``Tensor.storage()``)."""

    def __init__(self, flat: np.ndarray, device: Any, dtype: D.dtype) -> None:
        super().__init__(flat, device, _held(dtype))
        self.dtype = dtype

    def size(self) -> int:
        return self._flat.size

    __len__ = size

    def element_size(self) -> int:
        return 2 if self._held is not None else self._flat.itemsize

    def tolist(self) -> list:
        return self._flat.tolist()

    def type(self) -> str:
        """The legacy storage type PyTorch names it by (``torch.FloatStorage``)."""
        return f"torch.{D.scalar_name(self.dtype)}Storage"

    def __repr__(self) -> str:
        lines = "".join(f" {v}\n" for v in self.tolist())
        return (
            f"{lines}[torch.storage.TypedStorage(dtype={self.dtype}, device={self.device}) "
            f"of size {len(self)}]"
        )


def _held(dtype: D.dtype) -> D.dtype | None:
    """``dtype`` where jitgrad holds its values in a wider type (float16, bfloat16)."""
    return dtype if dtype.np != dtype.storage else None


def _untyped_storage(self: Tensor) -> UntypedStorage:
    return UntypedStorage(_storage(self), self.device, _held(self._dtype))


def _typed_storage(self: Tensor) -> TypedStorage:
    return TypedStorage(_storage(self), self.device, self._dtype)


METHODS: dict[str, Any] = {"untyped_storage": _untyped_storage, "storage": _typed_storage}
TOP_LEVEL: dict[str, Any] = {"UntypedStorage": UntypedStorage, "TypedStorage": TypedStorage}
