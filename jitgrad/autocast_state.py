"""The state of an enabled ``torch.autocast("cpu", ...)`` region and the casts its ops apply.

PyTorch's CPU autocast runs a list of ops (the matrix products and convolutions) in the
region's lower-precision dtype and another list (losses, ``prod``) in float32, casting their
floating-point tensor arguments on the way in (differentiably: ``ToCopyBackward0``); every
other op runs on what it is given. :mod:`jitgrad.amp` sets :data:`STATE`; the listed ops
call :func:`lower` or :func:`upper` when ``STATE.dtype`` is set. As in PyTorch the state is
per thread: a region opened in one thread leaves the ops of every other thread alone, and a
new thread starts outside any region.
"""

from __future__ import annotations

import threading
from typing import Any

from . import dtypes as D


class _State(threading.local):
    """One thread's autocast state (``threading.local``: each thread sees its own fields,
    initialised by ``__init__`` on the thread's first read; no ``__slots__``, which would be
    shared by all threads)."""

    def __init__(self) -> None:
        #: the enabled CPU region's lower-precision dtype (float16 or bfloat16), else None
        self.dtype: D.dtype | None = None
        #: the dtypes the open regions of this thread replaced, innermost last
        self.saved: list[D.dtype | None] = []


STATE = _State()
_CAST_DOWN = (D.float32, *D.REDUCED)


def lower(*tensors: Any) -> tuple:
    """``tensors`` with each float32/float16/bfloat16 one cast to the region's dtype (float64
    and non-floating tensors, and None, pass unchanged), as PyTorch's lower-precision list."""
    dt = STATE.dtype
    return tuple(
        t.to(dt) if getattr(t, "_dtype", D.float64) in _CAST_DOWN else t for t in tensors
    )


def upper(*tensors: Any) -> tuple:
    """``tensors`` with each float16/bfloat16 one cast to float32 (PyTorch's float32 list)."""
    return tuple(
        t.to(D.float32) if t is not None and getattr(t, "_dtype", None) in D.REDUCED else t
        for t in tensors
    )
