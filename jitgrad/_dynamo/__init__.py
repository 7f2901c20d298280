"""``torch._dynamo``: the few functions programs call (``reset``, ``list_backends``),
``exc.InvalidBackend`` and the common ``config`` settings. There is no
tracer: see :mod:`jitgrad.capture`."""

from __future__ import annotations

from ..capture import list_backends, reset
from ..helpers import missing_attribute
from . import config, exc

__all__ = ["config", "exc", "list_backends", "reset"]

__getattr__ = missing_attribute("jitgrad._dynamo")
