"""Environment flags and small shared utilities.

Every environment variable jitgrad reads is read here, so the README's list of flags and the
code cannot drift apart.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import uuid
import warnings
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import FunctionType, ModuleType
from typing import Any


def getenv(name: str, default: int = 0) -> int:
    """An integer environment flag (``JITGRAD_DEBUG=2``); unset or empty gives ``default``."""
    value = os.environ.get(name, "")
    try:
        return int(value) if value else default
    except ValueError:
        return default


#: ``JITGRAD_DEBUG``: 1 reports every kernel launch (name, shapes, time, bytes, GB/s) and
#: compile through the ``jitgrad`` logger, 2 adds the fusion plan and generated source (see
#: :mod:`jitgrad.launchlog`).
DEBUG = getenv("JITGRAD_DEBUG")
#: ``JITGRAD_COMPILE_NOTICE=0`` hides the one stderr line a process prints when it first spends
#: noticeable time compiling kernels (see :mod:`jitgrad.kernels.cpu.jit`).
COMPILE_NOTICE = bool(getenv("JITGRAD_COMPILE_NOTICE", 1))
#: ``JITGRAD_FUSE=0`` starts the process with the fusion pass off.
FUSE_DEFAULT = bool(getenv("JITGRAD_FUSE", 1))
#: Elements from which elementwise kernels run as chunk kernels on the thread pool
#: (:mod:`jitgrad.fusion.chunked`). Measured for the earlier prange variant on the 2-core
#: project machine, median of 15 (float32, forward): tanh 16K elements 24 -> 19 us, 32K 47 ->
#: 32 us, 4M 5.4 -> 3.2-3.9 ms; mul (memory-bound) even at 16K-32K (8.0 vs 8.8,
#: 11.4 vs 11.0 us), 64K 23 -> 16 us. 32K is where neither kind loses.
PARALLEL_THRESHOLD = getenv("JITGRAD_PARALLEL_THRESHOLD", 1 << 15)

#: How long Numba's OpenMP worker threads spin after a parallel kernel before they sleep
#: (GNU OpenMP's ``GOMP_SPINCOUNT``; its default is 300000). Spinning workers keep back-to-back
#: kernels fast, but while they spin they take cores from the BLAS threads of the next matmul,
#: and BLAS threads left spinning after a matmul slow the next parallel kernel. Measured on the
#: 2-core project machine, median of 30, the 784-512-10 MLP training step (batch 512): 19.1-19.9
#: ms with the default, 10.5-10.9 ms with 10000 (numpy's hand-written step: about 9 ms); tanh
#: and mul at 16K-128K elements run back to back are unchanged (within noise). A user's own
#: ``GOMP_SPINCOUNT`` or ``OMP_WAIT_POLICY`` is left alone. Set at import, before Numba starts
#: its threads (on the first parallel kernel); a library that loads GNU OpenMP later in the
#: process, or a child process, sees it too.
OMP_SPINCOUNT = 10000
#: Whether jitgrad set ``GOMP_SPINCOUNT`` (the user set neither variable).
SET_SPINCOUNT = "GOMP_SPINCOUNT" not in os.environ and "OMP_WAIT_POLICY" not in os.environ
if SET_SPINCOUNT:
    os.environ["GOMP_SPINCOUNT"] = str(OMP_SPINCOUNT)


def cache_dir() -> Path:
    """Where generated kernel modules and Numba's cache files live.

    ``JITGRAD_CACHE_DIR`` if set, else the platform's per-user cache directory. Never the
    package folder, which may be read-only.
    """
    env = os.environ.get("JITGRAD_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    if sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    elif os.name == "nt":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "jitgrad"


def atomic_write(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` through a temporary file beside it and a rename.

    Readers (other threads or processes) see the old file or the whole new one, never half a
    file; the temporary name is unique (not just the process id), so concurrent writers of
    the same file never share one. False, with nothing left behind, when the directory is
    not writable: callers treat the cache as read-only.
    """
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:16]}.tmp")
    try:
        with open(tmp, "xb") as f:  # "x": never reuse a file another writer opened
            f.write(data)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        return False
    return True


def debug_print(level: int, message: str) -> None:
    """Log ``message`` to the ``jitgrad`` logger when ``JITGRAD_DEBUG >= level`` (stderr by
    default: see :mod:`jitgrad.launchlog`)."""
    if DEBUG >= level:
        logging.getLogger("jitgrad").debug(message)


def missing_attribute(module: str, unloaded: frozenset[str] = frozenset()):
    """A module ``__getattr__`` for names PyTorch has and jitgrad does not (yet): the error
    says so instead of a bare "has no attribute". Dunder probes get Python's own message, as
    do ``unloaded`` submodules (jitgrad has them, and, as PyTorch, loads them only when
    imported by name: ``torch.nn.utils.prune``)."""

    def __getattr__(name: str):
        if (name.startswith("__") and name.endswith("__")) or name in unloaded:
            raise AttributeError(f"module '{module}' has no attribute '{name}'")
        raise AttributeError(
            f"module '{module}' has no attribute '{name}' (not implemented in jitgrad)"
        )

    return __getattr__


def namespace_module(name: str, members: dict[str, Any], package: bool = False) -> ModuleType:
    """A module object ``name`` holding ``members``, registered in ``sys.modules``: PyTorch's
    submodule import paths (``torch.nn.modules.linear``, ``torch.distributions.normal``) where
    jitgrad keeps the classes in other files. Names it lacks say they are not implemented.
    ``package``: it has submodules (an empty ``__path__``: their entries are registered too)."""
    space = ModuleType(name)
    # a spec, as imported modules have: importlib.util.find_spec(name) raises without one
    space.__spec__ = ModuleSpec(name, None, is_package=package)
    if package:
        space.__path__ = []  # type: ignore[attr-defined]
    space.__dict__.update(members)
    space.__getattr__ = missing_attribute(name)  # type: ignore[attr-defined]
    sys.modules[name] = space
    return space


#: code objects of the frames a warning's location skips: a backend's op wrappers (meta, cuda)
#: sit between a user's call and the op once a meta or device tensor exists
PASS_THROUGH_CODES: set = set()


def pass_through(fn: Any) -> Any:
    """``fn``, a wrapper that stands between a user's call and an op (a backend's, an
    argument check, ``out=``, ``axis=``), marked as a frame :func:`warn` does not count, so the
    op's warnings point at the user's line; every such wrapper goes through here."""
    PASS_THROUGH_CODES.add(fn.__code__)
    return fn


def warn(message: Any, category: type | None = None, stacklevel: int = 1) -> None:
    """``warnings.warn`` whose ``stacklevel`` does not count backend wrapper frames, so a
    warning points at the user's line whether or not a backend has wrapped the op (PyTorch's
    warnings point at the caller)."""
    frame = sys._getframe(1)
    depth = counted = 1
    while counted < stacklevel and frame.f_back is not None:
        frame = frame.f_back
        depth += 1
        if frame.f_code not in PASS_THROUGH_CODES:
            counted += 1
    warnings.warn(message, category, stacklevel=depth + 1)


def own_code(fn: Any) -> Any:
    """``fn`` with a code object of its own, for a hot recorder that each caller (a plan, a
    lane) keeps a copy of. CPython 3.11 specializes an attribute site for the class it last
    saw, in the code object: one shared recorder sees a different node class from one call to
    the next (a scalar graph's ``SoftplusBackward0``, ``AddBackward0``, ``UnbindBackward0``,
    ``SoftmaxBackward0``...), so its node stores kept missing and ran generic (~0.2k
    instructions each, ~10 per op: Run eager19 in perf/RESULTS.md); a caller's copy sees its
    own node class only. Same globals, defaults and behaviour."""
    code = fn.__code__.replace()  # (a new code object: its own inline caches)
    return FunctionType(code, fn.__globals__, fn.__name__, fn.__defaults__, fn.__closure__)
