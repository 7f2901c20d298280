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
    lock = threading.Lock()
    done = threading.Event()
    # The tasks (and the arrays in them) live in ``state`` rather than in the closure, so
    # that the caller can drop them on return: a helper still queued behind a busy or
    # unscheduled worker would otherwise keep every buffer of the launch alive until the
    # OS ran it, and a freed graph's memory would come back late (seen under CI load).
    state: dict[str, Any] = {"next": 0, "running": 0, "error": None, "tasks": tasks}

    def work() -> None:
        while True:
            with lock:
                i = state["next"]
                pending = state["tasks"]
                if pending is None or i >= n or state["error"] is not None:
                    return
                task = pending[i]
                del pending
                state["next"] = i + 1
                state["running"] += 1
            try:
                fn(*task)
            except BaseException as e:
                with lock:
                    state["error"] = state["error"] or e
            finally:
                del task
                with lock:
                    state["running"] -= 1
                    if not state["running"] and (state["next"] >= n or state["error"]):
                        done.set()

    pool = _pool()
    for _ in range(helpers):
        pool.submit(work)
    work()
    with lock:
        if not state["running"]:
            done.set()
    done.wait()
    with lock:
        state["tasks"] = None  # a helper that starts later finds nothing and holds nothing
    error = state["error"]
    if error is not None:
        state["error"] = None
        raise error
