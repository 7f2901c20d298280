"""A compiled overload's entry point: a kernel call without Numba's type resolution.

A call through a Numba dispatcher first works out every argument's Numba type (~0.5 us for
a few small arrays and ints), then runs the compiled code. A caller that calls one kernel
on arguments whose types cannot vary (a scalar graph's 0-d elementwise ops, a softmax over a
few stacked scalars) can keep the overload's ``entry_point`` and call it directly (~0.2 us
less per argument set). It checks no type: only arguments of exactly the overload's types
may reach it.
"""

from __future__ import annotations

from typing import Any

from numba.core.registry import CPUDispatcher
from numba.core.types import Array
from numba.core.typing.typeof import Purpose, typeof


def entry_point(dispatcher: Any, args: tuple) -> Any:
    """The entry point of ``dispatcher``'s compiled overload for exactly the Numba types of
    ``args`` (an input array matching as read-only too: the code reads it the same), or
    None: ``dispatcher`` is not a Numba dispatcher (a launch-reporting wrapper under
    ``JITGRAD_DEBUG``), an argument has no Numba type, or no overload takes these types
    (call it through the dispatcher first: that compiles or loads the overload)."""
    if not isinstance(dispatcher, CPUDispatcher):
        return None
    try:
        sig = [typeof(a, Purpose.argument) for a in args]
    except (TypeError, ValueError):
        return None
    readable = [t.copy(readonly=True) if isinstance(t, Array) else t for t in sig]
    for params, compiled in dispatcher.overloads.items():
        if len(params) == len(sig) and all(
            p == t or p == r for p, t, r in zip(params, sig, readable, strict=True)
        ):
            return compiled.entry_point
    return None
