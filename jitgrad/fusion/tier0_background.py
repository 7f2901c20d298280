"""Tier 0's kernels that get hot compile in a background process, and their heat outlives it.

Why: tier 0 (:mod:`.tier0`) compiles a kernel in the calling process once interpreting it has
cost :data:`.tier0.BUDGET` more than compiled code would (~1900 calls of a 0-d add). A short
program of small ops stays under that in every run, so its kernels were never compiled, never
cached, and every run paid the interpreter again (Rogozhnikov's 200-op graph in a fresh cache:
~30-40 us per op-iteration against 18.7 compiled; perf/RESULTS.md "Run lead13"). Compiling
them in the program's own thread would make the first run wait (0.1-0.9 s each); in a thread
of its process, the compile's Python half would share the GIL with the program and hold
Numba's compiler lock (capture13 measured that: ``capture/build.py``).

What: once a kernel in tier 0 has cost :data:`HOT` (a quarter of the budget: ~500 calls of a
0-d kernel), :func:`request` sends its module file and the Numba signature of the call to one
child process per program, which compiles it into the kernel cache (``nice``, on another
core) while the program goes on interpreting. When the child says the code is written, the
kernel's next call loads it (a disk hit, ~3 ms) and runs compiled from then on; the code is
the very code an inline compile produces (same source file, signature and cache entry, under
the same entry lock), so results stay bitwise. A program that exits first leaves the child to
finish: its next run loads the kernels from disk. A kernel that reaches the budget before
the child is done compiles inline as before (waiting for the child's entry lock if the child
is at it, then loading its file): a first version kept it interpreted until the child
delivered, and a kernel called 10,000 times in Rogozhnikov's first process ran interpreted
for 8,000 calls more than before while the child started up (63 against 43 us per
op-iteration).

Across runs: each process adds the cost its tier-0 kernels ran up to a small file in the
cache (:data:`HEAT_FILE`, written at exit through a rename), and a kernel starts its next
process with that cost, so a kernel hot over several short runs gets compiled too. The file
is an estimate: a damaged, foreign or racing file only moves when a kernel compiles (values
are clamped to [0, :data:`CAP`], anything unreadable counts as no heat); it never changes a
result.

``JITGRAD_TIER0_BACKGROUND=0`` turns both off (each process compiles a kernel at its own
budget, as before): the tests do, so their compiles and cache files stay those of the calls
they make (``tests/test_tier0_background.py`` turns it on). The child imports only the
modules generated kernels use (``jitgrad.kernels.cpu`` and this package's cache code, not
``jitgrad/__init__``: ~0.4 s of CPU instead of ~1 s) and exits after :data:`IDLE_S` without
work.
"""

from __future__ import annotations

import atexit
import base64
import json
import math
import os
import pickle
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from .. import helpers
from ..kernels.cpu import jit
from . import diskcache

#: False when ``JITGRAD_TIER0_BACKGROUND=0``: no background compiles, no heat carried over.
ENABLED = os.environ.get("JITGRAD_TIER0_BACKGROUND", "1") != "0"
#: Estimated extra seconds (interpreted minus compiled) after which a kernel is sent to the
#: child: a compile costs 0.1-0.2 s of CPU for a small kernel, and a program that has already
#: lost 5 ms on one kernel in one run is likely to run it again.
HOT = 0.005
#: The most heat a kernel carries into a process: tier 0's budget (a kernel past it compiles).
CAP = 0.02
#: Seconds the child waits for more work before it exits.
IDLE_S = 30.0
#: The heat file's name in the kernel directory, and the most kernels it keeps (the hottest).
HEAT_FILE, HEAT_KEEP, HEAT_MAX_BYTES = "tier0-heat.json", 2048, 1 << 20

_LOCK = threading.Lock()
_child: list = [None, 0]  # the running child (a Popen) or None, and the process that started it
_failed: list = [False]  # a child exited with an error: no more background compiles here
_pending: dict[str, Any] = {}  # kernel name -> its Tier0, sent to the child, not yet delivered
_tracked: list = []  # every Tier0 of this process, for the heat file at exit
_heat: list = [None]  # kernel name -> seconds carried from earlier processes (loaded lazily)
_said: list = [False]


def signature(kernel: Any, args: tuple) -> Any:
    """The Numba signature a compile of ``kernel`` for ``args`` is for (None: not one the
    child can be sent)."""
    try:
        actual = [kernel.dispatcher.typeof_pyval(a) for a in args]
        return jit.compiled_signature(kernel.dispatcher, actual)
    except Exception:  # noqa: BLE001 - (no Numba type: the call compiles inline, as before)
        return None


def request(t0: Any) -> int:
    """Send the signatures of ``t0``'s kernel in ``t0.unsent`` to the child: 1 when sent
    (``t0.waiting`` counts down as their code lands on disk), -1 when they cannot be (off,
    a kernel without a module file, a child that failed): the caller then compiles at its
    budget."""
    kernel, sigs = t0.kernel, list(dict.fromkeys(s for s in t0.unsent if s is not None))
    t0.unsent = []
    if not ENABLED or _failed[0] or not sigs or not kernel.path.is_file():
        return -1
    try:
        line = base64.b64encode(pickle.dumps((kernel.name, str(kernel.path), sigs))) + b"\n"
    except Exception:  # noqa: BLE001 - a type Numba cannot pickle: compile inline
        return -1
    with _LOCK:
        if _child[1] != os.getpid():  # (a forked process: the child and its replies are not ours)
            _child[:] = [None, os.getpid()]
            _pending.clear()
        proc = _child[0] or _start()
        if proc is None:
            return -1
        _pending[kernel.name] = t0
        t0.waiting += 1
        try:
            proc.stdin.write(line)
            proc.stdin.flush()
        except (OSError, ValueError):  # the child is gone
            t0.waiting -= 1
            return -1
    return 1


def _start() -> subprocess.Popen | None:
    """The child, started (called under :data:`_LOCK`), with a daemon thread reading its
    replies; None where it cannot run (no Python executable, an unwritable cache)."""
    directory = diskcache.kernel_dir()
    if not sys.executable or getattr(sys, "frozen", False) or not os.access(directory, os.W_OK):
        _failed[0] = True
        return None
    env = dict(os.environ, JITGRAD_CACHE_DIR=str(helpers.cache_dir()), JITGRAD_COMPILE_NOTICE="0")
    try:
        proc = subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(Path(__file__).resolve().parents[1])],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
        )  # fmt: skip
    except OSError:
        _failed[0] = True
        return None
    _child[0] = proc
    threading.Thread(target=_replies, args=(proc,), daemon=True, name="jitgrad-tier0").start()
    if helpers.COMPILE_NOTICE and not _said[0]:
        _said[0] = True
        sys.stderr.write(
            "jitgrad: compiling hot kernels in a background process; they run interpreted until "
            f"each is ready, and are cached in {helpers.cache_dir()} for later runs "
            "(JITGRAD_COMPILE_NOTICE=0 hides this line)\n"
        )
    return proc


def _replies(proc: subprocess.Popen) -> None:
    """The child's replies: a kernel name when its code is on disk, ``!name`` when it could
    not be compiled there. At the child's end, what it did not deliver goes back to the
    budget rule (a child that failed stops background compiles in this process; one that
    exited idle is started again by the next request)."""
    for raw in proc.stdout:
        name = raw.decode(errors="replace").strip()
        with _LOCK:
            t0 = _pending.get(name.lstrip("!"))
            if t0 is None:
                continue
            t0.waiting -= 1
            if name.startswith("!"):
                t0.queued = -1
            if t0.waiting <= 0 or t0.queued == -1:
                del _pending[name.lstrip("!")]
    code = proc.wait()
    with _LOCK:
        if _child[0] is proc:
            _child[0] = None
        _failed[0] = _failed[0] or code != 0
        for t0 in _pending.values():
            t0.queued, t0.waiting = (-1 if code else 0), 0
        _pending.clear()


def wait(timeout: float = 600.0) -> bool:
    """Wait for the child to deliver what it was sent (for tests and benchmarks): True when
    nothing is pending."""
    deadline = time.monotonic() + timeout
    while _pending and time.monotonic() < deadline:  # (a child that dies empties it)
        time.sleep(0.02)
    return not _pending


# ---- the child ----------------------------------------------------------------------------

_CHILD = """
import sys, types
pkg = types.ModuleType("jitgrad")
pkg.__path__ = [sys.argv[1]]
sys.modules["jitgrad"] = pkg
from jitgrad.fusion import tier0_background
tier0_background.child_main()
"""


def child_main() -> None:
    """The child's loop: compile each requested (module file, signature) into the cache and
    reply with its name; exit at the end of input or after :data:`IDLE_S` idle."""
    try:
        os.nice(5)  # (behind the program it works for)
    except (OSError, AttributeError):  # (not POSIX)
        pass
    lines: queue.SimpleQueue = queue.SimpleQueue()
    threading.Thread(target=_drain, args=(lines,), daemon=True).start()  # (never block a writer)
    modules: dict[str, Any] = {}
    while True:
        try:
            line = lines.get(timeout=IDLE_S)
        except queue.Empty:
            return
        if line is None:
            return
        name, reply = "?", "!?"
        try:
            name, path, sigs = pickle.loads(base64.b64decode(line))
            if name not in modules:
                source = Path(path).read_text()
                modules[name] = getattr(diskcache.execute(name, source, Path(path)), name)
            for sig in sigs:
                modules[name].compile(sig)
            reply = name
        except Exception:  # noqa: BLE001 - the parent compiles it itself
            reply = f"!{name}"
        try:
            sys.stdout.write(reply + "\n")
            sys.stdout.flush()
        except OSError:  # the program exited: finish the work for its next run
            pass


def _drain(lines: queue.SimpleQueue) -> None:
    for line in sys.stdin.buffer:
        lines.put(line)
    lines.put(None)


# ---- heat carried across processes --------------------------------------------------------


def carried(name: str) -> float:
    """Seconds of tier-0 cost earlier processes ran up on kernel ``name`` (0 when off)."""
    if not ENABLED:
        return 0.0
    if _heat[0] is None:
        _heat[0] = read_heat(diskcache.kernel_dir() / HEAT_FILE)
    return _heat[0].get(name, 0.0)


def track(t0: Any) -> None:
    """Remember ``t0`` so that its cost is added to the heat file when the process exits."""
    if ENABLED:
        if not _tracked:
            atexit.register(save_heat)
        _tracked.append(t0)


def read_heat(path: Path) -> dict[str, float]:
    """The heat file's entries: names to seconds clamped to [0, :data:`CAP`]. Whatever cannot
    be read as such (a missing, truncated, foreign or oversized file, odd entries) counts as
    no heat."""
    try:
        with open(path, "rb") as f:
            raw = f.read(HEAT_MAX_BYTES + 1)
        data = json.loads(raw) if len(raw) <= HEAT_MAX_BYTES else None
    except (OSError, ValueError, RecursionError):
        return {}
    if not isinstance(data, dict):
        return {}
    heat = {}
    for name, value in data.items():
        seconds = float(value) if type(value) is float else 0.0  # (ints, bools, lists: none)
        if math.isfinite(seconds) and seconds > 0:
            heat[name] = min(seconds, CAP)
    return heat


def save_heat() -> None:
    """Add this process's tier-0 cost to the heat file (at exit). Kernels that left tier 0
    (compiled, or loaded from the child's file) and kernels with compiled code in the cache
    are dropped from it: their code is on disk, so they never start in tier 0 again."""
    gained: dict[str, float] = {}
    done = set()
    for t0 in _tracked:
        if t0.kernel.fn is not t0:
            done.add(t0.kernel.name)
        elif t0.spent > t0.carried:
            gained[t0.kernel.name] = gained.get(t0.kernel.name, 0.0) + t0.spent - t0.carried
    if not gained and not done:
        return
    try:
        path = diskcache.kernel_dir() / HEAT_FILE
    except Exception:  # noqa: BLE001 - (at exit: a cache that went away)
        return
    heat = read_heat(path)  # (again: other processes may have added to it since)
    for name, seconds in gained.items():
        heat[name] = min(heat.get(name, 0.0) + seconds, CAP)
    try:  # kernels with compiled code on disk never start in tier 0 again (tier0._on_disk)
        done.update(e.name.split(".", 1)[0] for e in os.scandir(path.parent / "__pycache__"))
    except OSError:
        pass
    heat = {name: seconds for name, seconds in heat.items() if name[:120] not in done}
    keep = sorted(heat.items(), key=lambda kv: -kv[1])[:HEAT_KEEP]
    helpers.atomic_write(path, json.dumps(dict(keep), separators=(",", ":")).encode())
