"""``JITGRAD_DEBUG``: every kernel launch and compile, reported through the ``jitgrad`` logger.

Level 1 reports each launch of every kernel, generated (fusion) or hand-written (reductions,
losses, indexing, optimizers) or BLAS (matmul): its name, the shapes and dtypes of its array
arguments, the time it took, the bytes its arrays hold (read or written once: a lower bound
on the traffic) and so its GB/s next to this machine's copy bandwidth (measured once, with
``np.copyto``), like tinygrad's ``DEBUG=2``; and every compile or disk-cache load with its
time. Level 2 adds the fusion plan and the generated source.

Messages go to ``logging.getLogger("jitgrad")`` at DEBUG level, so they can be filtered or
redirected with the ``logging`` module. When ``JITGRAD_DEBUG`` is set and the program has
configured no handler (neither on ``jitgrad`` nor on the root logger) one handler writing
``[jitgrad] message`` lines to stderr is attached at import.

Nothing here costs anything with ``JITGRAD_DEBUG=0``: hand-written dispatchers are wrapped
(:func:`wrap`) and :data:`matmul` replaced only when the flag is set at import, and a
generated kernel's launches go through :meth:`jitgrad.fusion.diskcache.Kernel._debug_call`
only then.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

import numpy as np
from numba.core import types

from . import helpers

LOG = logging.getLogger("jitgrad")
_copy_gbps: list[float] = []


def _configure() -> None:
    if helpers.DEBUG <= 0:
        return
    LOG.setLevel(logging.DEBUG)
    if not LOG.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("[jitgrad] %(message)s"))
        LOG.addHandler(handler)
        LOG.propagate = False  # a root handler added later would print every line twice


_configure()


def copy_bandwidth() -> float:
    """This machine's memory copy bandwidth in GB/s (bytes read + written by ``np.copyto``
    of 32 MiB, best of 5), measured on first use."""
    if not _copy_gbps:
        src = np.ones(1 << 22)  # 32 MiB: beyond the caches
        dst = np.empty_like(src)
        best = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            np.copyto(dst, src)
            best = min(best, time.perf_counter() - start)
        _copy_gbps.append(2 * src.nbytes / best / 1e9)
        LOG.debug(f"copy bandwidth of this machine: {_copy_gbps[0]:.1f} GB/s (np.copyto)")
    return _copy_gbps[0]


def describe(args: tuple) -> tuple[str, int]:
    """``"f32[512,784] f32[784,10]"`` for the array arguments, and the bytes they hold."""
    parts = []
    nbytes = 0
    for a in args:
        if isinstance(a, np.ndarray):
            dims = ",".join(map(str, a.shape))
            parts.append(f"{a.dtype.kind}{a.dtype.itemsize * 8}[{dims}]")
            nbytes += a.size * a.itemsize
        elif isinstance(a, (list, tuple)) and a and isinstance(a[0], np.ndarray):
            inner, more = describe(tuple(a))  # an optimizer's parameters, say
            parts.append(f"[{len(a)} arrays: {inner}]" if len(a) <= 4 else f"[{len(a)} arrays]")
            nbytes += more
    return " ".join(parts), nbytes


def _size(nbytes: int) -> str:
    return f"{nbytes / 1e6:.2f} MB" if nbytes >= 1e5 else f"{nbytes / 1e3:.1f} KB"


def report_launch(name: str, args: tuple, seconds: float, note: str = "") -> None:
    """One launch line: name, arrays, time, bytes and bandwidth."""
    shapes, nbytes = describe(args)
    gbps = nbytes / seconds / 1e9 if seconds > 0 else 0.0
    LOG.debug(
        f"launch {name} {shapes} {seconds * 1e3:.3f} ms {_size(nbytes)} "
        f"{gbps:.1f} GB/s ({100 * gbps / copy_bandwidth():.0f}% of copy){note}"
    )


def timed_call(dispatcher: Any, name: str, args: tuple) -> Any:
    """Call a Numba ``dispatcher``, reporting a compile or disk load and the launch."""
    overloads = len(dispatcher.overloads)
    hits = sum(dispatcher.stats.cache_hits.values())
    start = time.perf_counter()
    result = dispatcher(*args)
    seconds = time.perf_counter() - start
    note = ""
    if len(dispatcher.overloads) != overloads:
        loaded = sum(dispatcher.stats.cache_hits.values()) != hits
        what = "loaded from disk" if loaded else "compiled"
        LOG.debug(f"{what} {name} in {seconds * 1e3:.1f} ms")
        note = f" (includes the {'load' if loaded else 'compile'})"
    report_launch(name, args, seconds, note)
    return result


class LoggedDispatcher:
    """A hand-written kernel's dispatcher that reports every call (``JITGRAD_DEBUG>0``).

    Called from Python it times the launch; called from another ``@njit`` function it is
    typed as the dispatcher it wraps (``_numba_type_``), so compiled callers are unchanged.
    Every other attribute is the dispatcher's.
    """

    def __init__(self, dispatcher: Any) -> None:
        self.dispatcher = dispatcher
        self._numba_type_ = types.Dispatcher(dispatcher)
        self.__name__ = dispatcher.__name__
        self.__doc__ = dispatcher.__doc__

    def __call__(self, *args: Any) -> Any:
        return timed_call(self.dispatcher, self.__name__, args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.dispatcher, name)


def wrap(dispatcher: Any) -> Any:
    """``dispatcher`` itself, or with ``JITGRAD_DEBUG>0`` one that reports its launches."""
    return LoggedDispatcher(dispatcher) if helpers.DEBUG > 0 else dispatcher


def _logged_matmul(a: Any, b: Any) -> np.ndarray:
    start = time.perf_counter()
    out = np.matmul(a, b)
    report_launch("matmul (BLAS)", (a, b, out), time.perf_counter() - start)
    return out


#: ``np.matmul``; with ``JITGRAD_DEBUG>0`` one that reports each product.
matmul = _logged_matmul if helpers.DEBUG > 0 else np.matmul
