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

#: A loop's key: (dtype, the op codes it has: :func:`.interp.codeset`)
Key = tuple[str, frozenset[int]]
#: key -> the loop, compiled (or loaded) for the one signature replays call it with
_READY: dict[Key, Any] = {}
#: key -> the thread compiling it, or why the compile failed (a str)
_BUILDING: dict[Key, threading.Thread | str] = {}


def background() -> bool:
    """Whether a loop missing from the disk cache compiles in a background thread (the
    default) while the compiled function's calls run eagerly, or the first replay waits for
    it (``JITGRAD_CAPTURE_BACKGROUND=0``: what the tests use, so that every replay they
    check runs the tape)."""
    return os.environ.get("JITGRAD_CAPTURE_BACKGROUND", "1") != "0"


def ready(dtype: str, codes: frozenset[int] = interp.ALL) -> Any:
    """A compiled loop for ``dtype`` having the op codes ``codes`` if one can run now, else
    None.

    A loop with those codes (or more: :func:`_superset`) already loaded, or on disk, serves;
    else the loop of exactly ``codes`` is built (its compile grows with its codes: ~4 s of
    CPU plus ~0.07 s per code, the full loop ~14-18 s: perf/RESULTS.md, Run tapecodes). A
    loop that must compile is compiled by a child process that a daemon thread waits on, then
    loaded; None is returned until it is loaded, so the caller runs its step eagerly
    meanwhile (the same results: eager is what a replay reproduces). A compile that failed
    leaves None for good (the calls stay eager; :func:`failure` says why)."""
    have = _READY.get((dtype, codes))
    if have is not None or (dtype, codes) in _BUILDING:  # (building, or it failed)
        return have
    key, have = _superset(dtype, codes)
    if have is not None or key in _BUILDING:
        return have
    loop = interp.kernel(*key)  # (the module first: it takes its own lock)
    with _LOCK:
        if key in _BUILDING:
            return _READY.get(key)
        if not background() or jit.has_cached_code(loop):
            pass  # build here, below (outside the lock: a compile takes Numba's own)
        else:
            t = threading.Thread(target=_background, args=key, daemon=True,
                                 name=f"jitgrad-capture-{dtype}")  # fmt: skip
            _BUILDING[key] = t
            t.start()
            if helpers.COMPILE_NOTICE:  # one line, not silence (the child's output is not shown)
                sys.stderr.write(
                    f"jitgrad: compiling capture's tape interpreter for {dtype} ({len(key[1])} "
                    "op codes) in a background process (seconds, once: cached in "
                    f"{helpers.cache_dir()}); compiled calls run eagerly until it is ready "
                    "(JITGRAD_COMPILE_NOTICE=0 hides this line)\n"
                )
            return None
    return _build(*key)


def _superset(dtype: str, codes: frozenset[int]) -> tuple[Key, Any]:
    """The loop a tape of ``codes`` runs on: one loaded in this process or being built here
    whose codes include them (the loop, or None while it builds), else the smallest such loop
    on disk (:func:`_on_disk`; loaded here), else ``codes``' own (key, None): to build.

    Any loop with more codes runs the tape's rows with the same rendered statements, so the
    same bits (tests/test_capture_tapecodes.py), at the same speed (the branches of codes a
    tape does not use are never taken)."""
    for key in sorted((*_READY, *_BUILDING), key=lambda k: len(k[1])):
        if key[0] != dtype or not codes <= key[1]:
            continue
        have = _READY.get(key)
        if have is not None:
            return key, have
        if isinstance(_BUILDING.get(key), threading.Thread):
            return key, None  # (building)
    built = _index(dtype)
    for wider in _on_disk(dtype, codes, built):
        have = _build(dtype, wider)  # a load from the disk cache
        if have is not None:
            return (dtype, wider), have
    return (dtype, _rent_or_buy(codes, built)), None


def loop_codes(dtype: str, codes: frozenset[int]) -> frozenset[int]:
    """The code set of the loop a tape of ``codes`` would run on, built or not: a loaded one
    or one on disk having its codes, else the one :func:`_rent_or_buy` picks (what
    straight-line source calls for its rows over whole slots, :mod:`.straight`)."""
    for dt, have in sorted(_READY, key=lambda k: len(k[1])):
        if dt == dtype and codes <= have:
            return have
    built = _index(dtype)
    wider = _on_disk(dtype, codes, built)
    return wider[0] if wider else _rent_or_buy(codes, built)


#: a loop's compile in op codes' worth: its skeleton costs about as much as this many codes
#: (~0.7 s of CPU, each code ~0.06-0.08 s: perf/interp_codesets.py, Run tapecodes)
SKELETON = 10
#: the share of the full loop's compile that small loops of a dtype may cost a cache before
#: the full loop is built instead (its first one or two small loops): a test suite that
#: captures every op pays about this much more than one full loop per dtype
#: (perf/RESULTS.md, Run tapecodes: 0.5 cost its capture files ~8 CPU s)
RENT = 0.3


def _rent_or_buy(codes: frozenset[int], built: list[frozenset[int]]) -> frozenset[int]:
    """``codes``, or every code once this cache's loops of the dtype (``built``) and this one
    would cost more than :data:`RENT` of the full loop's compile: then the full loop, which
    serves every later tape. A program's first tapes get loops of their own codes (a
    fraction of the full compile); many different tapes (a test suite's, a notebook trying
    ops) compile at most about 1 + RENT times the full loop."""
    spent = sum(SKELETON + len(b) for b in built) + SKELETON + len(codes)
    return interp.ALL if spent > RENT * (SKELETON + len(interp.ALL)) else codes


#: the file in the kernel cache listing the loops compiled there (dtype, module, code names)
INDEX = "tape-interpreters.txt"


def _index(dtype: str) -> list[frozenset[int]]:
    """The code sets of ``dtype``'s loops this jitgrad compiled into the disk cache
    (:data:`INDEX`: a loop's module is named by the hash of its source, which its codes
    regenerate)."""
    try:
        lines = (diskcache.kernel_dir() / INDEX).read_text().splitlines()
    except OSError:
        return []
    found: list[frozenset[int]] = []
    for line in lines:
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != dtype:
            continue
        names = parts[2].split(",")
        if all(n in interp.CODE for n in names):
            codes = frozenset(interp.CODE[n] for n in names)
            if codes not in found and interp.source(dtype, codes)[0] == parts[1]:
                found.append(codes)
    return found


def _on_disk(dtype: str, codes: frozenset[int], built: list[frozenset[int]]) -> list:
    """The sets of ``built`` that include ``codes``, smallest first, whose loops have
    compiled code in the disk cache."""
    wider = sorted((b for b in built if codes <= b), key=len)
    return [w for w in wider if jit.has_cached_code(interp.kernel(dtype, w))]


def _record(dtype: str, codes: frozenset[int]) -> None:
    """Add a compiled loop to :data:`INDEX` (one appended line: workers may write at once)."""
    name = interp.module(dtype, codes).__name__
    line = f"{dtype} {name} {','.join(interp.OPS[c] for c in sorted(codes))}\n"
    path = diskcache.kernel_dir() / INDEX
    try:
        if line not in (path.read_text() if path.exists() else ""):
            with open(path, "a") as f:
                f.write(line)
    except OSError:
        pass  # an unwritable cache: later processes compile again, as they would anyway


def _background(dtype: str, codes: frozenset[int]) -> Any:
    """The background thread: compile the loop in a child process, then load it here."""
    _precompile(dtype, codes)
    return _build(dtype, codes)


#: what the child process runs: the loop compiled (as :func:`_build` does) into the disk cache
_CHILD = (
    "import sys\nfrom jitgrad.capture import build\n"
    "build._build(sys.argv[1], frozenset(map(int, sys.argv[2].split(','))))\n"
)


def _precompile(dtype: str, codes: frozenset[int]) -> None:
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
        arg = ",".join(map(str, sorted(codes)))
        subprocess.run([sys.executable, "-c", _CHILD, dtype, arg], env=env, check=False,
                       stdin=quiet, stdout=quiet, stderr=quiet, timeout=1800)  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        pass


def failure(dtype: str, codes: frozenset[int] = interp.ALL) -> str | None:
    """Why the background compile of a loop ``codes`` needed failed, if it did."""
    for (dt, have), why in list(_BUILDING.items()):
        if dt == dtype and codes <= have and type(why) is str:
            return why
    return None


def wait(dtype: str, codes: frozenset[int] = frozenset()) -> Any:
    """A compiled loop for ``dtype`` having ``codes`` (any loop if none are given), waiting
    for the background compiles that could give one, else built here."""
    for (dt, have), t in list(_BUILDING.items()):
        if dt == dtype and codes <= have and isinstance(t, threading.Thread):
            t.join()
    return ready_now(dtype, codes) or _build(dtype, interp.codeset(codes))


def ready_now(dtype: str, codes: frozenset[int]) -> Any:
    """A loop loaded in this process whose codes include ``codes``, or None."""
    for (dt, have), loop in list(_READY.items()):
        if dt == dtype and codes <= have and loop is not None:
            return loop
    return None


def _build(dtype: str, codes: frozenset[int] = interp.ALL) -> Any:
    """Compile (or load) the loop for the argument types :class:`~.tape.Program` passes
    (fresh C-contiguous arrays), by running it on an empty tape; listed in :data:`INDEX`."""
    try:
        fn = interp.kernel(dtype, codes)
        fn(np.zeros((0, interp.WIDTH), np.int32), np.zeros(1, np.float64), np.zeros(1, dtype))
    except Exception as e:  # noqa: BLE001 - reported by explain(); the calls stay eager
        _BUILDING[dtype, codes] = f"the tape interpreter failed to compile: {e!r}"
        if threading.current_thread() is threading.main_thread():
            raise
        return None
    _READY[dtype, codes] = fn
    _record(dtype, codes)
    return fn
