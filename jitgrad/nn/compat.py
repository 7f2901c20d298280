"""``nn.Container`` (PyTorch's deprecated Module holding its keyword arguments as children)
and ``nn.factory_kwargs`` (the ``device``/``dtype``/``memory_format`` dictionary layers pass
to their factory calls)."""

from __future__ import annotations

from typing import Any

from ..helpers import warn as warn_user
from .module import Module

_SIMPLE_KEYS = {"device", "dtype", "memory_format"}


class Container(Module):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__()
        warn_user(
            "`nn.Container` is deprecated. All of its functionality is now implemented in "
            "`nn.Module`. Subclass that instead.",
            FutureWarning,
            stacklevel=2,
        )
        for key, value in kwargs.items():
            self.add_module(key, value)


def factory_kwargs(kwargs: dict | None) -> dict:
    """The factory keyword arguments in ``kwargs``, merged with its ``factory_kwargs``
    entry; a key given in both, or any other key, is a TypeError (PyTorch's words)."""
    if kwargs is None:
        return {}
    unexpected = kwargs.keys() - _SIMPLE_KEYS - {"factory_kwargs"}
    if unexpected:
        raise TypeError(f"unexpected kwargs {unexpected}")
    out = dict(kwargs.get("factory_kwargs", {}))
    for key in (k for k in kwargs if k in _SIMPLE_KEYS):
        if key in out:
            raise TypeError(f"{key} specified twice, in **kwargs and in factory_kwargs")
        out[key] = kwargs[key]
    return out
