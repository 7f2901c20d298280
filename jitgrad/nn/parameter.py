"""``nn.Parameter``: a leaf Tensor that a Module registers as one of its weights."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes as D
from ..frontend.creation import empty
from ..frontend.tensor import Tensor, _init_fields, _make


class Parameter(Tensor):
    """A Tensor that requires grad by default and is collected by ``Module.parameters()``.

    It shares storage with ``data``, as PyTorch's does, so ``Parameter(t)`` costs no copy.
    """

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        if data is None:
            data = empty(0)
        self._value = data._value
        _init_fields(self, data._dtype)
        self._vc = data._counter()
        self._requires_grad = bool(requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__

    def __reduce_ex__(self, protocol: Any) -> Any:
        return (Parameter, (self.detach(), self._requires_grad))

    def __deepcopy__(self, memo: dict) -> Parameter:
        result = Parameter(self.detach().clone(), self._requires_grad)
        memo[id(self)] = result
        return result


class _BufferMeta(type):
    """``isinstance(t, Buffer)`` asks whether ``t`` was made by ``Buffer(...)``."""

    def __instancecheck__(cls, instance: Any) -> bool:
        return isinstance(instance, Tensor) and getattr(instance, "_is_buffer", False)


class Buffer(Tensor, metaclass=_BufferMeta):
    """Marks a tensor to be registered as a buffer when assigned to a Module attribute
    (``persistent=False`` keeps it out of ``state_dict``). Like PyTorch's, ``Buffer(t)``
    returns a plain Tensor sharing ``t``'s storage, flagged for that registration."""

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True) -> Tensor:  # type: ignore[misc]
        if data is None:
            data = _make(np.empty(0, np.float32), D.float32)
        t = data.detach().requires_grad_(data.requires_grad)
        t.persistent = persistent
        t._is_buffer = True
        return t
