"""Layers on a device: ``Module.to_empty``, ``type``, ``share_memory`` and the ``device=``
argument of the layers.

``to_empty`` is the way back from the meta device (``model.to("meta")`` or a model built
under it): the same Parameter objects get uninitialized buffers of the same shapes and
dtypes on ``device``, to be filled by ``reset_parameters()`` or ``load_state_dict``.

``nn.Linear(3, 2, device="meta")``: each jitgrad layer whose ``__init__`` takes ``device``
runs its body under ``with torch.device(device):``, so the factory calls that make its
parameters and buffers allocate there (on the meta device: nothing), as PyTorch's layers
pass ``device`` to theirs. One wrapper per layer class, installed at import
(:func:`bind`); a user's subclass reaches it through ``super().__init__``.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

from ..engine.grad_mode import no_grad
from ..frontend.creation import empty_like
from ..frontend.tensor import device as Device
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


def _tensors(self: Module) -> list:
    return [t for m in self.modules() for tab in (m._parameters, m._buffers) for t in tab.values()]


def module_type(self: Module, dst_type: Any) -> Module:
    """PyTorch's ``Module.type(dst_type)``: every parameter and buffer (integer ones too,
    unlike ``to(dtype)``) and every gradient cast, the objects kept."""
    with no_grad():
        for t in _tensors(self):
            if t is None:
                continue
            new = t.type(dst_type)
            if t.requires_grad and not (new.is_floating_point() or new.is_complex()):
                raise RuntimeError(
                    "data set to a tensor that requires gradients must be floating point or "
                    "complex dtype"
                )
            if new is not t:
                t.data = new
                if t.grad is not None:
                    t.grad = t.grad.type(dst_type)
    return self


def share_memory(self: Module) -> Module:
    """PyTorch's ``Module.share_memory()``: ``share_memory_()`` on every parameter and
    buffer."""
    for t in _tensors(self):
        if t is not None:
            t.share_memory_()
    return self


def _on_device(init: Any) -> Any:
    signature = inspect.signature(init)

    @functools.wraps(init)
    def __init__(self: Module, *args: Any, **kwargs: Any) -> None:  # noqa: N807
        where = kwargs.get("device")
        if where is None and len(args) >= _position(signature):
            where = signature.bind(self, *args, **kwargs).arguments.get("device")
        if where is None:
            init(self, *args, **kwargs)
            return
        with Device(where):
            init(self, *args, **kwargs)

    return __init__


def _position(signature: inspect.Signature) -> int:
    """How many positional arguments (after self) reach ``device``."""
    return list(signature.parameters).index("device")


def _layers(cls: type) -> list[type]:
    out = []
    for sub in cls.__subclasses__():
        out.append(sub)
        out.extend(_layers(sub))
    return out


def bind() -> None:
    """``Module.to_empty``, and ``device=`` honoured by every jitgrad layer taking it."""
    Module.to_empty = to_empty  # type: ignore[attr-defined]
    Module.type = module_type  # type: ignore[attr-defined]
    Module.share_memory = share_memory  # type: ignore[attr-defined]
    for cls in _layers(Module):
        init = cls.__dict__.get("__init__")
        if (
            cls.__module__.startswith("jitgrad.")
            and init is not None
            and "device" in inspect.signature(init).parameters
            and not getattr(init, "_jitgrad_device_init", False)
        ):
            wrapped = _on_device(init)
            wrapped._jitgrad_device_init = True  # type: ignore[attr-defined]
            cls.__init__ = wrapped  # type: ignore[misc]
