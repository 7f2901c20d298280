"""What fusion's backward groups call in the Tensor front end above them.

Fusion sits below the front end (the front end imports it to run its kernels), so it may not
import the front end back: :mod:`jitgrad.frontend.lazy` fills these slots when it is
imported, as the engine's ``sweep.ABOVE`` is filled by the layers above the engine.
``import jitgrad`` loads the front end before any backward can run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class _Front:
    """The front end's functions fusion calls.

    ``make(array, dtype, fresh=True)``: a Tensor around a gradient buffer (``tensor._make``);
    ``pending_reduction(t)``: ``t``'s deferred full reduction not computed yet, or None;
    ``joint_saved(members)``: the group members' saved tuples for a joint forward+backward
    kernel, computing none of the deferred chain, or None (see :mod:`jitgrad.frontend.lazy`).
    """

    __slots__ = ("make", "pending_reduction", "joint_saved")

    def __init__(self) -> None:
        self.make: Callable[..., Any] = _unset
        self.pending_reduction: Callable[[Any], Any] = _unset
        self.joint_saved: Callable[[list], list[tuple] | None] = _unset


def _unset(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("jitgrad.fusion: the Tensor front end was not imported (import jitgrad)")


FRONT = _Front()
