"""``jitgrad.utils``: PyTorch's ``torch.utils`` namespace (``utils.data``)."""

from __future__ import annotations

from . import data

__all__ = ["data"]
