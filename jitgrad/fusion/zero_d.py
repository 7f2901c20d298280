"""A generated kernel called on 0-d arguments through its compiled entry point.

A scalar graph's backward calls a small kernel per node (an elementwise op's gradients, a
fused group's replay) on 0-d arrays and NumPy scalars. Through Numba's dispatcher each call
first works out every argument's Numba type (~1k instructions per argument, ~5k for a
two-operand op's backward: more than the kernel itself). The forward's ``Plan.entry`` skips
that where the plan fixes the types; here the types are read from the arguments, cheaply: a
0-d array's Numba type is fixed by its dtype (it is always C-contiguous; a read-only one
reads the same) and a NumPy scalar's by its type, so the entry point found once
(``Kernel.entry_for``) serves every later call of the same kinds.

Kept apart from :mod:`.diskcache`: that module's source is part of the kernel cache's build
key, so a change there recompiles every user's kernels.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: the NumPy scalar types an argument may be (its Numba type is fixed by the type)
_NUMPY_SCALARS = frozenset(np.dtype(c).type for c in "?bhilqBHILQefdFD")

#: (kernel, kind of each argument) -> the compiled entry point for those kinds
_ENTRIES: dict[tuple, Any] = {}

#: how many entries are kept in all (each holds compiled code that lives anyway)
LIMIT = 4096


def call_zero_d(kernel: Any, args: list) -> None:
    """``kernel.fn(*args)``; for arguments that are all 0-d arrays or NumPy scalars, through
    the entry point :meth:`.diskcache.Kernel.entry_for` finds once the kernel is compiled
    code (before that, in tier 0 or with ``JITGRAD_DEBUG``, every call goes to ``fn``).
    Anything else (an array of one or more dimensions, a Python number, whose Numba type
    the key would not fix) is a plain ``kernel.fn(*args)``."""
    key = [kernel]
    for x in args:
        kind = type(x)
        if kind is np.ndarray and not x.ndim:
            key.append(x.dtype)
        elif kind in _NUMPY_SCALARS:
            key.append(kind)
        else:
            kernel.fn(*args)
            return
    found = tuple(key)
    entry = _ENTRIES.get(found)
    if entry is not None:
        entry(*args)
        return
    kernel.fn(*args)  # (read each call: the first call's wrapper replaces itself)
    if len(_ENTRIES) < LIMIT and (entry := kernel.entry_for(tuple(args))) is not None:
        _ENTRIES[found] = entry
