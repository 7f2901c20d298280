"""``torch.compiler``: see :mod:`jitgrad.capture` (compiled functions are captured and
replayed where the tape can keep them, else run eagerly)."""

from __future__ import annotations

from .capture import disable, is_compiling, list_backends, reset
from .helpers import missing_attribute

__all__ = ["disable", "is_compiling", "list_backends", "reset"]

__getattr__ = missing_attribute("jitgrad.compiler")
