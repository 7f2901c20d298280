"""``jitgrad.utils``: PyTorch's ``torch.utils`` namespace (``utils.data``,
``utils.checkpoint``)."""

from __future__ import annotations

from ..helpers import missing_attribute
from . import checkpoint, data

__all__ = ["checkpoint", "data"]

#: ``jitgrad.utils.<name>`` for a PyTorch name jitgrad lacks says so (AttributeError).
__getattr__ = missing_attribute("jitgrad.utils")
