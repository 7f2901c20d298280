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

# nnmore: the rarer optimizers (NumPy per-parameter updates, PyTorch's single-tensor formulas).
from .adamax import Adamax  # noqa: E402
from .asgd import ASGD  # noqa: E402
from .lbfgs import LBFGS  # noqa: E402
from .nadam import NAdam  # noqa: E402
from .radam import RAdam  # noqa: E402
from .rprop import Rprop  # noqa: E402
from .sparse_adam import SparseAdam  # noqa: E402

__all__ += ["ASGD", "LBFGS", "Adamax", "NAdam", "RAdam", "Rprop", "SparseAdam"]

from . import swa_utils  # noqa: E402  (apinn: stochastic weight averaging)

__all__ += ["swa_utils"]

#: ``jitgrad.optim.<name>`` for a PyTorch name jitgrad lacks says so (AttributeError).
__getattr__ = missing_attribute("jitgrad.optim")
del annotations, missing_attribute  # not PyTorch's names
