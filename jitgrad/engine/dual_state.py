"""The forward-AD switch that the Tensor front end reads (see :mod:`.forward_ad`).

A leaf module with no imports, so ``frontend/tensor.py`` and ``function.py`` can read it without
importing the forward-AD machinery (which sits above them). :mod:`.forward_ad` fills in the
callbacks when it is imported; until a dual tensor is made, ``hidden`` stays False and the
hooks cost one attribute read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class DualState:
    """``level``: the open dual level (0) or None. ``hidden``: a dual tensor whose primal does
    not require grad was ever made, so some recorded graphs exist only to carry tangents and
    must not show as ``requires_grad``. ``evaluating``: a tangent is being computed (custom
    Functions whose outputs carry a ``jvp`` tangent stop the sweep there)."""

    __slots__ = ("level", "hidden", "evaluating", "visible", "describe", "function_jvp")

    def __init__(self) -> None:
        self.level: int | None = None
        self.hidden = False
        self.evaluating = False
        self.visible: Callable[[Any], bool] = lambda t: True
        self.describe: Callable[[Any, list], None] = lambda t, suffixes: None
        self.function_jvp: Callable[..., Any] = lambda cls, ctx, args, out: out


DUAL = DualState()
