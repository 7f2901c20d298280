"""The one line a process prints when it starts waiting on Numba: "say what is compiling".

Why a timer: the line used to be written when a compile *ended* with the process's compile
time past :data:`NOTICE_SECONDS`, so a long compile (tier 0's interpreter, ~5 s; capture's,
~20 s of CPU per dtype) ran in silence and was announced after the wait. Now the outermost
compile that would pass the threshold says so while it runs: a daemon timer, started only
while the line is still due and cancelled when the compile ends, writes it once the
process's compile time (finished compiles plus the running one) reaches the threshold. After
that line, a single compile still running after :data:`LONG_SECONDS` (3 s) gets a line of its own
(an interpreter built after the program's first kernels, which had used the line up). It
listens to Numba's ``numba:compile`` event, which fires only when a signature is really
compiled (not on a disk-cache load, never on a call), so warm processes and the per-op path
pay nothing; Numba compiles under its global lock, so one thread at a time.
``JITGRAD_COMPILE_NOTICE=0`` (or ``enabled = False``) silences it.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Any

from numba.core import event

from ... import helpers

#: Compile seconds after which a process says, once, that it is compiling.
NOTICE_SECONDS = 0.5
#: Seconds one compile runs before it is announced on its own (after the first line): above
#: the 0.1-1 s of ordinary kernels (a reduction or cross-entropy kernel took 2 s of wall time
#: at load 30), below tier 0's (~5 s of CPU) and capture's (~20 s) interpreter builds.
LONG_SECONDS = 3.0


def _name(ev: Any) -> str:
    """The compiling function: a generated kernel's own name, else module.qualname (tier 0's
    interpreter reads as ``jitgrad.fusion.tier0_interp._run``)."""
    fn = ev.data["dispatcher"].py_func
    name = getattr(fn, "__qualname__", "?")
    module = getattr(fn, "__module__", "") or ""
    return name if module in ("", name) else f"{module}.{name}"


class CompileNotice(event.Listener):
    """One line on stderr once this process has spent :data:`NOTICE_SECONDS` compiling,
    written while the compile that passes it runs; never again after."""

    def __init__(self) -> None:
        self.enabled = helpers.COMPILE_NOTICE  # the first line is still due
        self.long = helpers.COMPILE_NOTICE  # announce long compiles after it
        self.depth = 0
        self.start = 0.0
        self.seconds = 0.0  # outermost compile time of this process (finished compiles)
        self.count = 0  # outermost compiles of this process (finished)
        self.timer: threading.Timer | None = None
        self._lock = threading.Lock()

    def on_start(self, ev: Any) -> None:
        self.depth += 1
        if self.depth > 1:
            return
        self.start = time.perf_counter()
        if self.enabled:
            wait = max(NOTICE_SECONDS - self.seconds, 0.0)
            self.timer = threading.Timer(wait, self.say, (_name(ev), True))
        elif self.long:
            self.timer = threading.Timer(LONG_SECONDS, self.say_long, (_name(ev), self.start))
        else:
            return
        self.timer.daemon = True
        self.timer.start()

    def on_end(self, ev: Any) -> None:
        self.depth -= 1
        if self.depth:
            return
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        self.count += 1
        self.seconds += time.perf_counter() - self.start
        if self.enabled and self.seconds >= NOTICE_SECONDS:
            self.say(_name(ev), False)  # (the timer had not run yet)

    def say(self, name: str, running: bool) -> None:
        """Write the line, once per process (the timer's thread or the compiling one)."""
        with self._lock:  # (held while writing: the line is out when another thread looks)
            if not self.enabled:
                return
            self.enabled = False
            seconds = self.seconds + (time.perf_counter() - self.start if running else 0.0)
            now = "now" if running else "latest"
            sys.stderr.write(
                f"jitgrad: compiling kernels ({self.count + running} so far, {seconds:.1f} s, "
                f"{now} {name}); they are cached in {helpers.cache_dir()} so later runs load "
                "them (JITGRAD_COMPILE_NOTICE=0 hides this line)\n"
            )
            sys.stderr.flush()

    def say_long(self, name: str, start: float) -> None:
        """The line of a compile still running after :data:`LONG_SECONDS` (not if it ended)."""
        with self._lock:
            if not self.depth or start != self.start:
                return
            sys.stderr.write(
                f"jitgrad: still compiling {name} ({time.perf_counter() - start:.0f} s so far; "
                f"cached in {helpers.cache_dir()} for later runs) (JITGRAD_COMPILE_NOTICE=0 "
                "hides this line)\n"
            )
            sys.stderr.flush()


NOTICE = CompileNotice()
event.register("numba:compile", NOTICE)
