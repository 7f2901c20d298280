"""One persistent thread pool that runs serial ``nogil`` kernels on chunks of their work.

Why threads over serial kernels instead of Numba's ``parallel=True``: a ``prange`` kernel
compiled 5-11x slower than the same loop compiled serially (5.6 s against 0.5 s for a
generated elementwise kernel on the project machine), and its scalar reductions are combined
in an order that depends on the thread count. A serial kernel compiled with ``nogil=True``
releases the GIL while it runs, so a few Python threads each running it over their own slice
of the work use every core; the caller decides the slices, so results can be made the same
for any number of threads. The reductions (:mod:`.reduce_parallel`) and the generated
elementwise kernels (:mod:`jitgrad.fusion.chunked`) share this pool.

The pool holds ``NUMBA_NUM_THREADS - 1`` workers (the calling thread works too) and is made on
first use. How many threads one launch uses is :func:`threads`, which follows
``numba.set_num_threads`` (a per-thread setting) like a ``prange`` kernel does.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numba

from ... import helpers

_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()  # two threads' first launches make one pool


def _forget_pool() -> None:
    """In a forked child: the parent's workers do not exist there, and a pool that still
    counts them would queue tasks nobody runs (a hang); the child makes its own."""
    global _POOL, _POOL_LOCK
    _POOL = None
    _POOL_LOCK = threading.Lock()


os.register_at_fork(after_in_child=_forget_pool)


@functools.cache
def max_threads() -> int:
    """The most threads a launch may use: Numba's thread count, at most the CPU count (fixed
    for the process; read once, as reading it took ~10 us)."""
    return max(1, min(numba.config.NUMBA_NUM_THREADS, os.cpu_count() or 1))


def threads() -> int:
    """Threads a launch from this thread uses now (``numba.get_num_threads()``, capped)."""
    return max(1, min(numba.get_num_threads(), max_threads()))


def _pool() -> ThreadPoolExecutor:
    global _POOL
    if _POOL is None:
        with _POOL_LOCK:
            if _POOL is None:
                workers = max(1, max_threads() - 1)
                _POOL = ThreadPoolExecutor(workers, thread_name_prefix="jitgrad-worker")
    return _POOL


def run(fn: Callable[..., Any], tasks: Sequence[tuple], nthreads: int = 0) -> None:
    """Run ``fn(*args)`` for every args tuple in ``tasks`` on up to :func:`threads` threads,
    the calling thread included. Each thread takes the next task not yet started, and the
    caller waits only for tasks that have started: a helper the OS has not scheduled yet (on
    a loaded machine that can take milliseconds) leaves its share to the caller instead of
    holding the call up, and finds nothing to do when it runs. Callers make the results
    independent of which thread runs which task. The first exception raised is re-raised
    once every started task has finished (never while one may still be writing), and no
    task starts after one has failed. ``nthreads``: :func:`threads` if the caller has it."""
    n = len(tasks)
    helpers = min(nthreads or threads(), n) - 1 if n > 1 else 0
    if helpers <= 0:
        for t in tasks:
            fn(*t)
        return
    launch = _Launch(fn, tasks)
    pool = _pool()
    for _ in range(helpers):
        pool.submit(launch.work)
    launch.work()
    launch.finish()


def ranges(n: int, parallel: bool) -> list[tuple[int, int]]:
    """``[lo, hi)`` ranges covering ``range(n)``: one, or with ``parallel`` up to four per
    thread (the pool's threads take them in turn, so a slow thread holds up less)."""
    pieces = min(n, 4 * threads()) if parallel and n > 1 else 1
    step = -(-n // pieces) if n else 1
    return [(lo, min(n, lo + step)) for lo in range(0, n, step)] or [(0, 0)]


def by_planes(kernel: Callable[..., Any], size: int) -> Callable[..., None]:
    """``call(first, *rest)``: ``kernel(first, p0, p1, *rest)`` over every plane ``[0,
    first.shape[0])`` of a plane-wise kernel (conv's im2col/col2im, the pools), in one call
    below ``PARALLEL_THRESHOLD`` elements (``size``), else on plane ranges run by :func:`run`.
    Planes are independent, so both give the same bits. This replaces each such kernel's
    ``prange`` twin, whose compile cost about twice the serial kernel's."""
    if size < helpers.PARALLEL_THRESHOLD:
        return lambda first, *rest: kernel(first, 0, first.shape[0], *rest)

    def call(first: Any, *rest: Any) -> None:
        run(kernel, [(first, lo, hi, *rest) for lo, hi in ranges(first.shape[0], True)])

    return call


class _Launch:
    """One :func:`run` call's shared state: the next task, how many are running, the first
    error. The tasks (and the arrays in them) live here, not in a closure, so that
    :meth:`finish` can drop them: a helper still queued behind a busy or unscheduled worker
    would otherwise keep every buffer of the launch alive until the OS ran it, and a freed
    graph's memory would come back late (seen under CI load)."""

    __slots__ = ("fn", "tasks", "n", "next", "running", "error", "lock", "done")

    def __init__(self, fn: Callable[..., Any], tasks: Sequence[tuple]) -> None:
        self.fn, self.tasks, self.n = fn, tasks, len(tasks)
        self.next = self.running = 0
        self.error: BaseException | None = None
        self.lock, self.done = threading.Lock(), threading.Event()

    def _take(self) -> tuple | None:
        with self.lock:
            if self.tasks is None or self.next >= self.n or self.error is not None:
                return None
            task = self.tasks[self.next]
            self.next += 1
            self.running += 1
            return task

    def work(self) -> None:
        """Run tasks until none is left (or one failed); the caller and every helper run it."""
        while (task := self._take()) is not None:
            try:
                self.fn(*task)
            except BaseException as e:
                with self.lock:
                    self.error = self.error or e
            finally:
                del task
                with self.lock:
                    self.running -= 1
                    if not self.running and (self.next >= self.n or self.error):
                        self.done.set()

    def finish(self) -> None:
        """Wait for the started tasks, let go of the tasks, re-raise the first error."""
        with self.lock:
            if not self.running:
                self.done.set()
        self.done.wait()
        with self.lock:
            self.tasks = None  # a helper that starts later finds nothing and holds nothing
        error, self.error = self.error, None
        if error is not None:
            raise error
