"""``jitgrad.optim``: SGD, Adam, AdamW, RMSprop, Adagrad and Adadelta, whose ``step()`` is one Numba
kernel per group, and ``lr_scheduler``."""

from __future__ import annotations

from ..helpers import missing_attribute
from . import lr_scheduler
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["SGD", "Adadelta", "Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "lr_scheduler"]

#: ``jitgrad.optim.<name>`` for a PyTorch name jitgrad lacks says so (AttributeError).
__getattr__ = missing_attribute("jitgrad.optim")
