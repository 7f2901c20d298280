"""``Module.to_empty``: parameters and buffers re-made on a device without their values.

The way back from the meta device (``model.to("meta")`` or a model built under it): the
same Parameter objects get uninitialized buffers of the same shapes and dtypes on
``device``, to be filled by ``reset_parameters()`` or ``load_state_dict``.
"""

from __future__ import annotations

from typing import Any

from ..autograd.grad_mode import no_grad
from ..creation import empty_like
from .module import Module


def to_empty(self: Module, *, device: Any, recurse: bool = True) -> Module:
    """PyTorch's ``Module.to_empty(*, device, recurse=True)``."""
    with no_grad():
        for m in self.modules() if recurse else (self,):
            for table in (m._parameters, m._buffers):
                for t in table.values():
                    if t is not None:
                        t.data = empty_like(t, device=device)
    return self


def bind() -> None:
    Module.to_empty = to_empty  # type: ignore[attr-defined]
