"""Device backends, and PyTorch's ``torch.backends`` flags programs set.

:data:`STATE` is what the CPU modules read to decide, at the cost of one attribute read,
whether a call may involve a device tensor at all. ``STATE.active`` stays False until the
first tensor is moved to (or created on) a device; until then every CPU path runs exactly
as if no backend existed.

``cudnn`` and ``mps`` hold the flags training scripts set or ask
(``torch.backends.cudnn.benchmark = True``, ``torch.backends.mps.is_available()``): jitgrad
uses neither library, so the flags change nothing and nothing is available.
"""

from __future__ import annotations

from .flags import Flags


class _State:
    __slots__ = ("active", "backend", "elementwise")

    def __init__(self) -> None:
        self.active = False
        #: The backend module (:mod:`jitgrad.backends.cuda.api`) once active.
        self.backend = None
        #: ``elementwise(op, args, out_dtype, out)``: the device elementwise runner, which
        #: returns None when no operand is a device tensor.
        self.elementwise = None


STATE = _State()


class OutOfMemoryError(RuntimeError):
    """``torch.OutOfMemoryError`` (``torch.cuda.OutOfMemoryError`` is the same class): a
    device allocation failed, the caching allocator's idle blocks given back first. A
    RuntimeError, as PyTorch's; defined here, below every backend that raises it."""


def _no() -> bool:
    return False


cudnn = Flags(enabled=True, benchmark=False, deterministic=False, allow_tf32=True, is_available=_no)
mps = Flags(is_available=_no, is_built=_no)

from . import cuda as cuda  # noqa: E402 - torch.backends.cuda's flags; nothing heavy
