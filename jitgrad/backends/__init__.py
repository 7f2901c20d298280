"""Device backends. Only :data:`STATE` lives here: the CPU modules read it to decide, at the
cost of one attribute read, whether a call may involve a device tensor at all.

``STATE.active`` stays False until the first tensor is moved to (or created on) a device;
until then every CPU path runs exactly as if no backend existed.
"""

from __future__ import annotations


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
