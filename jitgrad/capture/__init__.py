"""``jitgrad.compile`` (``torch.compile``) and ``torch.compiler``'s functions.

Capture is not implemented yet: a compiled function or module runs eagerly, with the
replay cache of backward plans every eager program gets, so its results are eager's bit for
bit and it is not faster than eager. See :mod:`.api` for what the wrappers do and why.
"""

from __future__ import annotations

from .api import (
    InvalidBackend,
    OptimizedModule,
    compile,  # noqa: A004 - PyTorch's name
    disable,
    is_compiling,
    list_backends,
    reset,
)

__all__ = [
    "InvalidBackend",
    "OptimizedModule",
    "compile",
    "disable",
    "is_compiling",
    "list_backends",
    "reset",
]
