"""``jitgrad.optim``: SGD, Adam and AdamW whose ``step()`` is one Numba kernel per group."""

from __future__ import annotations

from .adam import Adam, AdamW
from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["SGD", "Adam", "AdamW", "Optimizer"]
