"""A replayed plain group's kernel call on 0-d operands through its compiled entry point.

A scalar graph (issue 16's Rogozhnikov graph) replays a small fused backward group every
few ops: :meth:`.group_layout.GroupLayout.launch_buffers`'s plain lane calls the kernel on
the saved 0-d arrays and numbers as they are. Through the Numba dispatcher that call first
types every argument (~5k instructions for a group of a few operands, most of the call);
the compiled overload's entry point skips that, but checks no type itself. So the lane
learns, on a dispatcher call, what fixes each argument's Numba type (an exact
``np.ndarray``'s dtype, with no dimension: a 0-d array is C-contiguous, and a read-only one
is read the same; a NumPy number's class) and takes the entry only while every argument
still matches. The gradient buffers need no check: the layout allocates them itself
(``np.empty`` of its own shape and dtype). Anything else (arrays with dimensions, a subclass,
a Python number, tier 0's interpreter or ``JITGRAD_DEBUG``'s wrapper in place of the
dispatcher) keeps the dispatcher.
"""

from __future__ import annotations

from typing import Any

import numpy as np

_ND = np.ndarray
_GENERIC = np.generic


def call(layout: Any, kernel: Any, arrays: list, buffers: list) -> None:
    """``kernel.fn(*arrays, *buffers)``, through the entry point ``layout.entry`` keeps
    (None: not learnt yet; False: this layout's arguments have none) where ``arrays`` match
    its kinds; learning it on the first dispatcher call that can."""
    entry = layout.entry
    if entry:
        kinds = entry[1]
        i = 0
        for a in arrays:  # (indexed: a zip costs ~0.8k instructions to make, the whole check
            k = kinds[i]  # a few hundred; the layout fixes how many arguments there are)
            i += 1
            if type(a) is _ND:
                if a.dtype is not k or a.ndim:
                    break
            elif type(a) is not k:
                break
        else:
            entry[0](*arrays, *buffers)
            return
    kernel.fn(*arrays, *buffers)
    if entry is None and kernel.fn is kernel.dispatcher:  # (tier 0, debug: learn later)
        layout.entry = learn(kernel, arrays, buffers, layout.allocs)


def learn(kernel: Any, arrays: list, buffers: list, allocs: list) -> tuple | bool:
    """``(entry point, kinds)`` for arguments like ``arrays`` (each array's dtype, each
    number's class), or False where the lane does not apply: an argument with dimensions or
    of another kind, a buffer not allocated by ``np.empty``, no compiled overload."""
    kinds = []
    for a in arrays:
        if type(a) is _ND and not a.ndim:
            kinds.append(a.dtype)
        elif isinstance(a, _GENERIC) and not isinstance(a, _ND):
            kinds.append(type(a))
        else:
            return False
    for b, alloc in zip(buffers, allocs):
        if alloc[2] is not np.empty or type(b) is not _ND or b.ndim:
            return False
    entry = kernel.entry_for((*arrays, *buffers))
    return (entry, tuple(kinds)) if entry is not None else False
