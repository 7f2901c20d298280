"""Building the tape interpreter without making the program wait (issue 16 section 2).

The interpreter's loop (:mod:`.interp`) is one Numba function per dtype whose compile takes
~10-15 s of CPU: the largest single compile a new user's first captured program meets. Its
compiled code is cached on disk, so this happens once per machine (and jitgrad/Numba
version). :func:`ready` is what a compiled function asks before a replay: the loop if it can
run now (loaded from disk, or compiled), else None while a child process compiles it, and the
call runs eagerly meanwhile (eager's results, which a replay reproduces bit for bit).
``JITGRAD_CAPTURE_BACKGROUND=0`` makes the first replay wait for the compile instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import numpy as np

from .. import helpers
from ..fusion import diskcache
from ..kernels.cpu import jit
from . import interp

_LOCK = threading.Lock()

#: dtype -> the loop, compiled (or loaded) for the one signature replays call it with
_READY: dict[tuple[str, bool], Any] = {}
#: dtype -> the thread compiling it, or why the compile failed (a str)
_BUILDING: dict[tuple[str, bool], threading.Thread | str] = {}


def background() -> bool:
    """Whether a loop missing from the disk cache compiles in a background thread (the
    default) while the compiled function's calls run eagerly, or the first replay waits for
    it (``JITGRAD_CAPTURE_BACKGROUND=0``: what the tests use, so that every replay they
    check runs the tape)."""
    return os.environ.get("JITGRAD_CAPTURE_BACKGROUND", "1") != "0"


def ready(dtype: str, full: bool = False) -> Any:
    """The compiled loop for ``dtype`` if it can run now, else None.

    A loop whose compiled code is on disk loads here (a fraction of a second). One that must
    compile (~10-15 s of CPU per dtype: the largest single compile a new user's first captured
    program meets) is compiled by a child process that a daemon thread waits on, then loaded;
    None is returned until it is loaded, so the caller runs its step eagerly meanwhile (the
    same results: eager is what a replay reproduces). A compile that failed leaves None for
    good (the calls stay eager; :func:`failure` says why). A tape without the activations'
    codes runs on the full loop when that one is ready (:func:`_full_instead`)."""
    key = (dtype, full)
    have = _READY.get(key)
    if have is not None or key in _BUILDING:  # (building, or it failed)
        return have
    if not full and (have := _full_instead(dtype)) is not None:
        return have
    loop = interp.kernel(dtype, full)  # (the module first: it takes its own lock)
    with _LOCK:
        if key in _BUILDING:
            return _READY.get(key)
        if not background() or jit.has_cached_code(loop):
            pass  # build here, below (outside the lock: a compile takes Numba's own)
        else:
            t = threading.Thread(target=_background, args=(dtype, full), daemon=True,
                                 name=f"jitgrad-capture-{dtype}")  # fmt: skip
            _BUILDING[key] = t
            t.start()
            if helpers.COMPILE_NOTICE:  # one line, not silence (the child's output is not shown)
                what = f"{dtype}{' (with activations)' if full else ''}"
                sys.stderr.write(
                    f"jitgrad: compiling capture's tape interpreter for {what} in a background "
                    f"process (~10-15 s, once: cached in {helpers.cache_dir()}); compiled calls "
                    "run eagerly until it is ready (JITGRAD_COMPILE_NOTICE=0 hides this line)\n"
                )
            return None
    return _build(dtype, full)


def _full_instead(dtype: str) -> Any:
    """The full loop (with the activations' codes) for a tape of common codes, when it is
    loaded in this process or compiled on disk: else None (the common loop is built).

    The full loop runs every common code with the same rendered statement, so the same bits,
    at the same speed (perf/interp_full_speed.py: 1.006x the common loop's time on
    Rogozhnikov's 1k-op tape); only its compile is longer (~1.8x). The common loop exists so
    that a program without activations does not pay that longer compile; once the full one
    exists, compiling the common one as well (~10-15 s of CPU) buys nothing. Asking costs
    ~30 ms of CPU once per process (the full module's source is written and executed; nothing
    compiles)."""
    full = _READY.get((dtype, True))
    if full is None and (dtype, True) not in _BUILDING:
        if jit.has_cached_code(interp.kernel(dtype, True)):
            full = _build(dtype, True)  # a load from the disk cache
    if full is not None:
        _READY[dtype, False] = full
    return full


def _background(dtype: str, full: bool) -> Any:
    """The background thread: compile the loop in a child process, then load it here."""
    _precompile(dtype, full)
    return _build(dtype, full)


#: what the child process runs: the loop compiled (as :func:`_build` does) into the disk cache
_CHILD = (
    "import sys\nfrom jitgrad.capture import build\nbuild._build(sys.argv[1], sys.argv[2] == '1')\n"
)


def _precompile(dtype: str, full: bool) -> None:
    """Compile ``dtype``'s loop into the kernel cache in a child process (this jitgrad, this
    cache directory), so that this process then only loads it.

    Compiled in a thread of this process, the ~10-15 s compile would hold Numba's global
    compiler lock throughout: the first call of any other kernel the program makes meanwhile
    (even one loaded from disk) waits for all of it, and the compile's Python half shares the
    GIL with the program's eager calls (perf/capture_first_run.py measured eager steps
    stopping at the first new kernel, 655 steps in, for the rest of the build). A child holds
    neither. If the child cannot run or the cache cannot be written, :func:`_build` compiles
    here instead (the thread's fallback). The child writes nothing to this process's streams
    (an inherited pipe would stay open after the program exits, until the compile ends); a
    program that exits first leaves it to finish, and its next run loads the loop."""
    directory = diskcache.kernel_dir()
    frozen = getattr(sys, "frozen", False)  # a frozen app's executable is not Python
    writable = directory.is_dir() and os.access(directory, os.W_OK)
    if not sys.executable or frozen or not writable:
        return
    root = str(Path(__file__).resolve().parents[2])  # the folder holding this jitgrad
    env = dict(os.environ, JITGRAD_CACHE_DIR=str(helpers.cache_dir()))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    try:
        quiet = subprocess.DEVNULL
        subprocess.run([sys.executable, "-c", _CHILD, dtype, str(int(full))], env=env, check=False,
                       stdin=quiet, stdout=quiet, stderr=quiet, timeout=1800)  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        pass


def failure(dtype: str, full: bool = False) -> str | None:
    """Why the background compile of ``dtype``'s loop failed, if it did."""
    why = _BUILDING.get((dtype, full))
    return why if type(why) is str else None


def wait(dtype: str, full: bool = False) -> Any:
    """The compiled loop for ``dtype``, waiting for a background compile to end."""
    t = _BUILDING.get((dtype, full))
    if isinstance(t, threading.Thread):
        t.join()
    return _READY.get((dtype, full)) or _build(dtype, full)


def _build(dtype: str, full: bool = False) -> Any:
    """Compile (or load) the loop for the argument types :class:`~.tape.Program` passes
    (fresh C-contiguous arrays), by running it on an empty tape."""
    try:
        fn = interp.kernel(dtype, full)
        fn(np.zeros((0, interp.WIDTH), np.int32), np.zeros(1, np.float64), np.zeros(1, dtype))
    except Exception as e:  # noqa: BLE001 - reported by explain(); the calls stay eager
        _BUILDING[dtype, full] = f"the tape interpreter failed to compile: {e!r}"
        if threading.current_thread() is threading.main_thread():
            raise
        return None
    _READY[dtype, full] = fn
    return fn
