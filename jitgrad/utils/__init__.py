"""``jitgrad.utils``: PyTorch's ``torch.utils`` namespace (``utils.data``)."""

from __future__ import annotations

from ..helpers import missing_attribute
from . import data

__all__ = ["data"]

#: ``jitgrad.utils.<name>`` for a PyTorch name jitgrad lacks says so (AttributeError).
__getattr__ = missing_attribute("jitgrad.utils")
