"""``jitgrad.compile`` (``torch.compile``) and ``torch.compiler``'s functions.

Capture is not implemented yet: a compiled function or module runs eagerly, with the
replay cache of backward plans every eager program gets, so its results are eager's bit for
bit and it is not faster than eager. See :mod:`.api` for what the wrappers do and why.

Why there is no kernel tape yet (what issue 16's capture needs first): a tape of
(compiled kernel, buffer slots) has to see every launch and every buffer, and jitgrad has no
single place where either happens. Generated kernels are called as ``kernel.fn(...)`` from
nine sites (``ops/pointwise.py``, ``fusion/group_layout.py``, ``fusion/pending.py``);
hand-written Numba dispatchers are called directly from about twenty modules (``launchlog.wrap``
wraps them only when ``JITGRAD_DEBUG`` is set at import); BLAS goes through
``launchlog.matmul``; and NumPy does real work between kernels: about 80 direct
``np.empty``/``np.zeros`` allocations, views for indexing and iteration, ``np.stack`` and
``np.concatenate``, gradient seeds and accumulation in the engine. A tape that missed one of
those would replay wrong values silently. The way in is one launch function and one
allocation function that every op goes through (then recording is a switch in those two
places, and replay needs no Tensor or Node); that change crosses the op, fusion and engine
modules and is left to a session that owns them.
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
