"""A namespace of settable flags, the shape of ``torch.backends.cudnn`` and its kin.

Its own module so that :mod:`jitgrad.backends` and :mod:`jitgrad.backends.cuda` (which holds
``torch.backends.cuda.matmul``) both import it without importing each other.
"""

from __future__ import annotations


class Flags:
    """A namespace of settable flags (``torch.backends.cudnn``-style)."""

    def __init__(self, **flags: object) -> None:
        self.__dict__.update(flags)
