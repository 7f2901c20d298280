"""Launch a generated kernel's chunk form over a thread pool: large loops on every core.

A spec with ``parallel`` set (the loop has at least ``JITGRAD_PARALLEL_THRESHOLD`` elements and
no output accumulates across its first dimension) is rendered by :mod:`.codegen` as a serial
``nogil`` *chunk kernel*: the usual parameters, then one ``part_<name>`` array per reduced
output, then ``lo_, hi_``; it runs the outer loop's indices ``[lo_, hi_)`` (rows, or
4096-element blocks of a 1-D reduction) and writes each index's partial sum to ``part_<name>``.
A call with ``lo_ < 0`` adds the partials in index order to the output. :class:`Launcher`
splits the outer loop into contiguous chunks, runs them on :mod:`jitgrad.kernels.cpu.workers`'
pool and then makes that finishing call. A launch that would be one chunk (a loop under two
chunks' worth of elements, or one thread) of a spec with no reduced output calls the serial
kernel of the same spec instead: it computes the same elements with the same operations (so the
same bits), is usually compiled already (the same op on smaller tensors), and so a chunk kernel
is compiled only where chunks run on several threads (a cold demo's evaluation over 46,080
elements compiled six chunk kernels, each the twin of a serial kernel it had compiled).

Why not ``parallel=True``: a ``prange`` kernel compiled about 11x slower than the serial loop
(5.6 s against 0.5 s), and Numba combined its scalar reductions in an order that depended on
the thread count. Here every partial belongs to an outer index, never to a thread or a chunk,
so any chunking gives bitwise the same results, on 1 thread or many; a 1-D reduction is
bitwise the same as the serial kernel's (the same blocks, added in the same order).

:func:`install` makes the :class:`~jitgrad.fusion.diskcache.Kernel` call the launcher: it
replaces ``kernel.dispatcher`` (every launch site calls ``kernel.fn``, which becomes the
dispatcher after the first call); other attributes are the Numba dispatcher's.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..kernels.cpu import workers

#: Elements one chunk should at least get: below it the hand-off (~20-50 us) costs more than
#: a second core saves.
CHUNK_ELEMENTS = 1 << 15
#: Chunks per thread: a few more than one, so a thread the OS holds back (the project machine
#: is shared) leaves its share to the others.
CHUNKS_PER_THREAD = 4


class Launcher:
    """Callable with a serial kernel's arguments; runs the chunk kernel on the pool."""

    __slots__ = ("dispatcher", "shape_arg", "block", "parts", "serial")

    def __init__(
        self, dispatcher: Any, shape_arg: int, block: int, parts: tuple, serial: Any = None
    ) -> None:
        """``shape_arg``: the parameter whose shape is the loop's; ``block``: elements per
        outer index of a 1-D reduction (0: the outer index is a row); ``parts``: the partial
        sums' dtypes, one per reduced output; ``serial``: for a spec without ``parts``, a
        function returning the serial kernel of the same spec (see the module's docstring)."""
        self.dispatcher = dispatcher
        self.shape_arg = shape_arg
        self.block = block
        self.parts = tuple(np.dtype(p) for p in parts)
        self.serial = serial

    def __call__(self, *args: Any) -> None:
        shape = args[self.shape_arg].shape
        n = shape[0]
        if self.block:
            n, inner = (n + self.block - 1) // self.block, self.block
        else:
            inner = math.prod(shape[1:])  # (np.prod costs ~5 us here)
        full = args + tuple(np.empty(n, dt) for dt in self.parts)
        # (a first call compiles in whichever thread gets there first; Numba compiles under
        # its global lock and the others then find the compiled overload)
        nthreads = workers.threads() if n * inner >= 2 * CHUNK_ELEMENTS else 1
        if nthreads == 1 and self.serial is not None:
            if not hasattr(self.serial, "fn"):  # resolved once: the serial Kernel
                self.serial = self.serial()
            self.serial.fn(*args)
            return
        workers.run(self.dispatcher, chunks(full, n, inner, nthreads), nthreads)
        if self.parts:
            self.dispatcher(*full, -1, -1)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.dispatcher, name)


def chunks(args: tuple, n: int, inner: int, nthreads: int) -> list[tuple]:
    """Argument tuples for contiguous chunks of ``range(n)``, each at least
    :data:`CHUNK_ELEMENTS` elements (``inner`` per index) where there are enough, at most
    :data:`CHUNKS_PER_THREAD` per thread (one chunk when ``nthreads`` is 1)."""
    most = n * max(inner, 1) // CHUNK_ELEMENTS
    count = min(n, most, nthreads * CHUNKS_PER_THREAD if nthreads > 1 else 1)
    if count <= 1:
        return [(*args, 0, n)]
    bounds = [n * k // count for k in range(count + 1)]
    return [(*args, lo, hi) for lo, hi in zip(bounds, bounds[1:]) if hi > lo]


def install(kernel: Any, shape_arg: int, block: int, parts: tuple, serial: Any = None) -> None:
    """Make ``kernel`` (a chunk kernel) launch through a :class:`Launcher`."""
    kernel.dispatcher = Launcher(kernel.dispatcher, shape_arg, block, parts, serial)
