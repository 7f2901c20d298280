"""The compiled-kernel cache: in memory per process, on disk across processes.

Each generated kernel is a module under ``<cache dir>/kernels/<build key>/`` (Numba caches
compiled code only for functions with a real source file); its compiled code is kept beside it
by :func:`jitgrad.kernels.cpu.jit.cached_njit`, which verifies every file before loading it.
The build key hashes jitgrad's version, Numba's version and the source of every module that
shapes generated code, so an upgrade never runs a stale kernel.

The module is always executed from the source jitgrad rendered, never from the file, which
exists only so Numba can cache: a file that differs is rewritten (with a warning: something
damaged it), and if it cannot be written (a read-only cache) the kernel runs from memory
without a disk cache. Files are written through unique temporary names and renamed, so
threads and processes sharing a directory never see half a file; a read-only directory is
read and never written, and nothing is put in the system's temporary folder.

Concurrency: :data:`LOCK` makes "look up, else create" one step, so threads asking for the
same new kernel at once share one module and one dispatcher, hence one compile (Numba
compiles a dispatcher's signature once, under its global compiler lock).
"""

from __future__ import annotations

import hashlib
import linecache
import sys
import threading
import time
import types
from pathlib import Path
from typing import Any

import numba

from .. import helpers, launchlog
from ..kernels.cpu import jit
from ..kernels.cpu.entry_points import entry_point

#: KernelSpec -> Kernel, for this process.
MEMORY: dict[Any, Kernel] = {}
#: Held while a kernel missing from MEMORY is created (see the module docstring).
LOCK = threading.Lock()
#: Held while a kernel makes its first, timed call (so the stats count one compile).
#: Reentrant: a chunked launcher's first call may run its serial twin's first call (a launch
#: that fits one chunk), in the same thread, under this lock.
_FIRST_CALL = threading.RLock()
_stats = {"compiled": 0, "disk_hits": 0, "compile_seconds": 0.0}
_dir: Path | None = None


def _build_key() -> str:
    # every hand-written kernel module (a generated kernel inlines the scalar helpers of any
    # of them: fastmath, scalar, the special functions...), this module and the renderer. A
    # hand-picked list missed kernels/cpu/special*.py once, and a cache from before a change
    # of erfcx's argument type crashed the process that loaded it.
    parts = [numba.__version__, _version(), jit.library_digest().hex()]
    parts.append(Path(__file__).read_bytes().hex())
    codegen_file = Path(__file__).with_name("codegen.py")
    parts.append(codegen_file.read_bytes().hex())
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:16]


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("jitgrad")
    except Exception:  # not installed (running from a source tree)
        return "source"


def kernel_dir() -> Path:
    """The directory of this build's generated modules (created on first use if possible;
    an unwritable one is only read)."""
    global _dir
    if _dir is None:
        candidate = helpers.cache_dir() / "kernels" / _build_key()
        try:
            candidate.mkdir(parents=True, exist_ok=True)
        except OSError:
            pass
        _dir = candidate
    return _dir


def reset_dir() -> None:
    """Forget the cache directory (after ``JITGRAD_CACHE_DIR`` changed or the cache was cleared)."""
    global _dir
    _dir = None


class Kernel:
    """A compiled kernel plus what ``explain`` reports about it.

    ``fn`` is what callers invoke. Until the first call it is a timing wrapper, which then
    replaces itself with the Numba dispatcher so warm calls pay nothing extra.
    """

    __slots__ = (
        "name",
        "label",
        "source",
        "path",
        "dispatcher",
        "fn",
        "compile_seconds",
        "from_disk",
        "calls",
        "spec",
        "compacted",
    )

    def __init__(self, name: str, label: str, source: str, path: Path, dispatcher: Any) -> None:
        self.spec: Any = None  # the KernelSpec it was generated from (set by codegen)
        self.compacted: dict = {}  # compact pattern -> the variant for 1-D broadcast operands
        self.name = name
        self.label = label
        self.source = source
        self.path = path
        self.dispatcher = dispatcher
        self.compile_seconds: float | None = None
        self.from_disk: bool | None = None
        self.calls = 0
        self.fn = self._first_call if helpers.DEBUG == 0 else self._debug_call

    def _first_call(self, *args: Any) -> Any:
        with _FIRST_CALL:
            if self.fn is not self.dispatcher:  # not done meanwhile by another thread
                self._timed(args)
                self.fn = self.dispatcher
                return None
        return self.dispatcher(*args)

    def _timed(self, args: tuple) -> float:
        stats = self.dispatcher.stats
        hits, misses = sum(stats.cache_hits.values()), sum(stats.cache_misses.values())
        start = time.perf_counter()
        self.dispatcher(*args)  # a damaged cache file is a miss (jit.KernelCache), not an error
        elapsed = time.perf_counter() - start
        self.calls += 1
        new_hits = sum(stats.cache_hits.values()) - hits
        new_misses = sum(stats.cache_misses.values()) - misses
        if new_hits or new_misses:
            self.from_disk = bool(new_hits) and not new_misses
            self.compile_seconds = (self.compile_seconds or 0.0) + elapsed
            key = "disk_hits" if self.from_disk else "compiled"
            _stats[key] += 1
            _stats["compile_seconds"] += elapsed
            what = "loaded from disk" if self.from_disk else "compiled"
            helpers.debug_print(1, f"{what} {self.name} in {elapsed * 1e3:.1f} ms")
        return elapsed

    def entry_for(self, args: tuple) -> Any:
        """The compiled code's entry point for arguments of exactly the Numba types of
        ``args``: a call that skips the dispatcher's type resolution (~0.5 us -> ~0.2 us for
        three 0-d arrays, the whole kernel call of a scalar op), so the caller must pass
        arguments of those types only. None while the kernel is not yet called through its
        dispatcher (before its first call, in tier 0, with ``JITGRAD_DEBUG``: those paths
        time or interpret every call) or no compiled signature takes exactly these types
        (or an input array of them as read-only: the code reads it the same)."""
        if self.fn is not self.dispatcher:
            return None
        return entry_point(self.dispatcher, args)

    def has_cached_code(self) -> bool:
        """Whether compiled code for this kernel is on disk (for ``explain``)."""
        return jit.has_cached_code(self.dispatcher)

    def _debug_call(self, *args: Any) -> None:
        """With ``JITGRAD_DEBUG>0``: every call timed and reported (see jitgrad.launchlog)."""
        if self.calls == 0:
            with _FIRST_CALL:
                elapsed = self._timed(args)
            launchlog.report_launch(self.name, args, elapsed, " (first call)")
            return
        self.calls += 1
        launchlog.timed_call(self.dispatcher, self.name, args)


def load(name: str, source: str, label: str) -> Kernel:
    """Execute the generated module ``name`` from ``source`` and wrap its kernel.

    Call with :data:`LOCK` held. The module's file is (re)written if missing or different;
    if that fails the module gets a file name that does not exist, so it compiles in memory.
    """
    path = kernel_dir() / f"{name}.py"
    data = source.encode()
    try:
        current: bytes | None = path.read_bytes()
    except OSError:
        current = None
    if current != data:
        if current is not None:
            jit.warn_damaged(path, "not the source jitgrad generated")
        if helpers.atomic_write(path, data):
            helpers.debug_print(2, f"generated {path}:\n{source}")
        else:  # a read-only cache without this kernel
            path = path.with_name(f"<jitgrad in-memory {name}>")
    return Kernel(name, label, source, path, getattr(execute(name, source, path), name))


def execute(name: str, source: str, path: Path) -> types.ModuleType:
    """The module ``name`` executed from ``source``, its code attributed to ``path``."""
    module = types.ModuleType(name)
    module.__file__ = str(path)
    if not path.is_file():  # tracebacks and Numba's error messages can still show the source
        linecache.cache[str(path)] = (len(source), None, source.splitlines(True), str(path))
    # Registered before executing: loading cached code looks the module up by name.
    sys.modules[name] = module  # unique: the name carries the spec hash
    try:
        exec(compile(source, str(path), "exec"), module.__dict__)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def compiled_count() -> int:
    """Generated kernels this process has compiled (not loaded): :mod:`.tier0` builds its
    interpreter once a process has shown it compiles many."""
    return _stats["compiled"]


def info() -> dict[str, Any]:
    """Counts and sizes for ``jitgrad.cache_info()``."""
    directory = kernel_dir()
    files = list(directory.glob("_gen_*.py"))
    disk_bytes = sum(_size(f) for f in directory.rglob("*"))
    return {
        "in_memory": len(MEMORY),
        "on_disk": len(files),
        "disk_bytes": disk_bytes,
        "directory": str(directory),
        "compiled": _stats["compiled"],
        "disk_hits": _stats["disk_hits"],
        "compile_seconds": round(_stats["compile_seconds"], 4),
    }


def _size(path: Path) -> int:
    """Bytes in a regular file; 0 for a folder or a file another process just renamed."""
    try:
        return path.stat().st_size if path.is_file() else 0
    except OSError:
        return 0


def clear(disk: bool = True) -> None:
    """Drop every kernel from memory and, with ``disk``, delete this build's files."""
    MEMORY.clear()
    if disk:
        import shutil

        shutil.rmtree(kernel_dir(), ignore_errors=True)
        reset_dir()
