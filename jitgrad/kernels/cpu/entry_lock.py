"""Cross-process locks on kernel cache entries, so two processes sharing a cold cache compile
each kernel once: the second waits for the first's file and loads it.

Why: ``pytest -n auto`` runs two workers on one empty cache, and both start with the same
common kernels (add, mul, sum, the tier-0 interpreter): each compiled what the other was
compiling at that moment (a census of 14 test files on ``-n 2``: 61 of 341 compiles, a fifth
of the compile CPU, repeated work; perf/RESULTS.md "Run firstrun9"). Files are written
atomically, so the duplicate was never wrong, only wasted.

How: one lock file per cache directory (``.compile.lock``, empty), and one byte of it per
entry, locked with POSIX record locks (``fcntl.lockf``): a byte chosen by the entry file's
name, so no lock file per kernel is left behind. Record locks belong to the process, which
matches what they guard: Numba compiles under its own process-wide lock, so threads of one
process never race here, and a byte this process already holds (a re-entrant compile) is not
locked twice. They vanish with the process, so a crashed compiler never blocks anyone.

A lock is only a saving, never a condition for correctness: without ``fcntl`` (Windows), in
an unwritable directory, or after :data:`WAIT_SECONDS` of waiting on a holder that does not
finish, the process compiles the kernel itself, as before.
"""

from __future__ import annotations

import contextlib
import os
import time
import zlib
from pathlib import Path
from typing import Any

from numba.core import event

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no cross-process locks, compile as before
    fcntl = None  # type: ignore[assignment]

#: Seconds a process waits for another to finish compiling an entry before compiling it too
#: (a compile takes 0.05-7 s idle; the wait only matters when the holder hangs).
WAIT_SECONDS = 120.0
_NAME = ".compile.lock"
_fds: dict[Path, int | None] = {}  # directory -> its lock file, open for the process's life
_held: dict[tuple[Path, int], tuple[str, Any]] = {}  # (directory, byte) -> (file name, owner)


def _fd(directory: Path) -> int | None:
    """The directory's lock file (None: no locking there). Kept open: closing any descriptor
    of a file drops every record lock the process holds on it."""
    if directory not in _fds:
        fd = None
        if fcntl is not None:
            with contextlib.suppress(OSError):
                directory.mkdir(parents=True, exist_ok=True)
                fd = os.open(directory / _NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        _fds[directory] = fd
    return _fds[directory]


def _slot(path: Path) -> tuple[Path, int]:
    return path.parent, zlib.crc32(path.name.encode()) & 0x7FFFFFFF


def acquire(path: Path, owner: Any = None, wait: float | None = None) -> bool:
    """Take the lock of cache entry ``path`` for ``owner`` (a dispatcher's cache: a failed
    compile releases what its cache holds), waiting up to ``wait`` seconds (default
    :data:`WAIT_SECONDS`; 0: only if free now). True when this call took it: the caller must
    :func:`release` it. False when another process still holds it after the wait, when this
    process holds it already, or when there is no locking here."""
    slot = _slot(path)
    fd = _fd(slot[0])
    if fd is None or slot in _held:
        return False
    deadline = time.monotonic() + (WAIT_SECONDS if wait is None else wait)
    pause = 0.002
    while True:
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, slot[1])
        except OSError:  # held by another process (EAGAIN/EACCES), or the file went away
            if time.monotonic() >= deadline:
                return False
            time.sleep(pause)
            pause = min(pause * 2, 0.05)
            continue
        _held[slot] = (path.name, owner)
        return True


def claim(path: Path) -> bool:
    """Take ``path``'s lock if it is free now: False only when another process or thread
    holds it (True without taking anything where there is no locking; :func:`release` is
    harmless then)."""
    return acquire(path, wait=0) or _fd(path.parent) is None


def release(path: Path) -> None:
    """Let other processes take ``path``'s lock (nothing when this process does not hold it)."""
    slot = _slot(path)
    if _held.pop(slot, None) is not None:
        with contextlib.suppress(OSError):
            fcntl.lockf(_fds[slot[0]], fcntl.LOCK_UN, 1, slot[1])


def held() -> list[str]:
    """Entry files whose locks this process holds (for tests: none once compiles are over)."""
    return sorted(name for name, _ in _held.values())


class _ReleaseOnError(event.Listener):
    """A compile that raises (a typing error, Numba retrying with literal arguments) never
    reaches the cache's save, which releases the entry on success: release it here."""

    def on_start(self, ev: Any) -> None:
        pass

    def on_end(self, ev: Any) -> None:
        dispatcher = ev.data["dispatcher"]
        # Failed: no overload added (not ``ev.is_failed``: Numba 0.68 answers it inverted).
        if tuple(ev.data["args"]) not in dispatcher.overloads:
            owner = getattr(dispatcher, "_cache", None)
            for slot, (name, who) in list(_held.items()):
                if who is owner:
                    release(slot[0] / name)


event.register("numba:compile", _ReleaseOnError())
