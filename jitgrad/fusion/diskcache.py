"""The compiled-kernel cache: in memory per process, on disk across processes.

Numba's ``cache=True`` needs a real source file, so each generated kernel is written as a
module under ``<cache dir>/kernels/<build key>/`` and imported from there; Numba then keeps
its compiled code beside it in ``__pycache__``. The build key hashes jitgrad's version,
Numba's version and the source of every helper module generated code calls, so an upgrade
never runs a stale kernel. Files are written to a temporary name and renamed into place, so
processes sharing a directory never see half a file; anything unreadable is rewritten or
recompiled, never fatal.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numba

from .. import helpers

#: KernelSpec -> Kernel, for this process.
MEMORY: dict[Any, Kernel] = {}
_stats = {"compiled": 0, "disk_hits": 0, "compile_seconds": 0.0}
_dir: Path | None = None
#: Held by a kernel's first call while it loads or compiles and is timed: another thread's
#: first call of it waits, then runs the compiled code (no second timing, no double count).
_FIRST_CALLS = threading.Lock()


def _build_key() -> str:
    from ..kernels.cpu import fastmath, scalar

    parts = [numba.__version__, _version()]
    for module in (scalar, fastmath, sys.modules[__name__]):
        parts.append(Path(module.__file__).read_bytes().hex())  # type: ignore[arg-type]
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
    """The directory this process writes generated modules to (created on first use)."""
    global _dir
    if _dir is None:
        candidate = helpers.cache_dir() / "kernels" / _build_key()
        try:
            candidate.mkdir(parents=True, exist_ok=True)
            probe = candidate / f".probe-{os.getpid()}"
            probe.write_text("")
            probe.unlink()
        except OSError:
            # Unwritable cache: compile into a private temporary directory instead of failing.
            candidate = Path(tempfile.mkdtemp(prefix="jitgrad-kernels-"))
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
        with _FIRST_CALLS:
            if self.fn is self.dispatcher:  # another thread's first call came first
                self.dispatcher(*args)
                return None
            self._timed(args)
            self.fn = self.dispatcher
        return None

    def _timed(self, args: tuple) -> None:
        stats = self.dispatcher.stats
        hits, misses = sum(stats.cache_hits.values()), sum(stats.cache_misses.values())
        start = time.perf_counter()
        try:
            self.dispatcher(*args)
        except Exception:
            # A corrupt or foreign Numba cache file for this kernel: drop it and compile.
            if not self._drop_compiled_cache():
                raise
            self.dispatcher(*args)
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

    def _drop_compiled_cache(self) -> bool:
        removed = False
        for f in self.path.parent.glob(f"__pycache__/{self.path.stem}.*"):
            try:
                f.unlink()
                removed = True
            except OSError:
                pass
        return removed

    def _debug_call(self, *args: Any) -> None:
        self._timed(args)
        shape = next((a.shape for a in args if hasattr(a, "shape")), ())
        helpers.debug_print(1, f"launch {self.name} over {shape}")


def load(name: str, source: str, label: str) -> Kernel:
    """Import (writing it first if needed) the generated module ``name`` and wrap its kernel."""
    directory = kernel_dir()
    path = directory / f"{name}.py"
    try:
        fresh = not path.exists() or path.read_text() != source
    except OSError:
        fresh = True
    if fresh:
        _atomic_write(path, source)
        helpers.debug_print(2, f"generated {path}:\n{source}")
    module = _import(name, path)
    if module is None:  # an unreadable or corrupt file: write it again and retry once
        _atomic_write(path, source)
        module = _import(name, path)
        if module is None:
            raise RuntimeError(f"jitgrad could not import its generated kernel {path}")
    return Kernel(name, label, source, path, getattr(module, name))


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def _import(name: str, path: Path) -> Any:
    module_name = name  # unique: the name carries the spec hash
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    # Registered before executing: a Numba cache hit looks the module up by name.
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception:
        del sys.modules[module_name]
        return None
    return module


def info() -> dict[str, Any]:
    """Counts and sizes for ``jitgrad.cache_info()``."""
    directory = kernel_dir()
    files = list(directory.glob("_gen_*.py"))
    disk_bytes = sum(f.stat().st_size for f in directory.rglob("*") if f.is_file())
    return {
        "in_memory": len(MEMORY),
        "on_disk": len(files),
        "disk_bytes": disk_bytes,
        "directory": str(directory),
        "compiled": _stats["compiled"],
        "disk_hits": _stats["disk_hits"],
        "compile_seconds": round(_stats["compile_seconds"], 4),
    }


def clear(disk: bool = True) -> None:
    """Drop every kernel from memory and, with ``disk``, delete this build's files."""
    MEMORY.clear()
    if disk:
        import shutil

        shutil.rmtree(kernel_dir(), ignore_errors=True)
        reset_dir()
