"""``nn.utils.skip_init``: a module whose parameters need not be initialised.

PyTorch builds it on the ``meta`` device and allocates uninitialised storage; jitgrad has no
meta device, so the module is built normally: its values are whatever the constructor chose,
which a program that calls ``skip_init`` promises to overwrite anyway."""

from __future__ import annotations

import inspect
from typing import Any

from ..module import Module


def skip_init(module_cls: type, *args: Any, **kwargs: Any) -> Module:
    """``module_cls(*args, **kwargs)`` for a Module class that takes ``device``."""
    if not issubclass(module_cls, Module):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    kwargs.pop("device", None)
    return module_cls(*args, **kwargs)


__all__ = ["skip_init"]
