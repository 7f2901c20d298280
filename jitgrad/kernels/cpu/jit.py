"""``@cached_njit``: Numba's ``@njit`` with an on-disk cache that cannot crash or lie.

Every jitgrad kernel, hand-written or generated, is compiled through this decorator instead
of ``@njit(cache=True)``, because Numba's own cache trusts its files:

- it unpickles a data file straight into LLVM; a few flipped bytes in the object code abort
  every later process inside LLVM (``LLVM ERROR ... e_shoff``, SIGABRT: nothing to catch),
  until someone deletes the file;
- nothing ties a data file to the function that loads it: two files of the same size swapped
  between kernels load without error and compute wrong numbers;
- its index is read, extended and rewritten by every process that compiles a new signature,
  and data files are numbered in that index, so processes racing on one function can leave an
  index naming another signature's file;
- an unwritable directory makes its locator fall back to the package folder or
  ``~/.cache/numba``, or raise when the function is decorated.

Here each compiled overload is one file, ``<function>.<hash of its identity>.nbc``, and there
is no index. The file holds a magic string, the source stamp it was compiled from and a SHA-256
of (the overload's identity: function, signature, target CPU, bytecode, Numba version and the
file's name; the stamp; the payload), checked before a byte is unpickled. A truncated, zeroed,
bit-flipped or swapped file therefore never reaches pickle or LLVM: it is removed, the first
one in a process is reported with a warning, and the function is compiled again. A file that
verifies holds exactly the bytes a compile of this function by this Numba produced for this
CPU, so loading it is as safe as compiling (no need to isolate the load in a subprocess). A
file with a valid digest but an older source stamp is stale, not damaged: it is a quiet miss.

The stamp hashes the function's source file and every module of this package, since kernels
inline helpers from other files (``fastmath``, ``scalar``) whose changes Numba's file stamp
would miss (numba issue 1833). Compiled code lives under ``JITGRAD_CACHE_DIR``: beside a
generated module that already lives there, else in ``<cache dir>/numba/<source folder>``. Files
are written through unique temporary names and renamed; an unwritable directory is read but
never written, with no error and nothing written elsewhere. A process about to compile an
overload waits for another one compiling it (:mod:`.entry_lock`) and loads its file instead.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import inspect
import os
import pickle
import sys
import threading
from pathlib import Path
from typing import Any

import numba
from numba.core import types
from numba.core.caching import CompileResultCacheImpl, FunctionCache, _CacheLocator
from numba.core.serialize import dumps

from ... import helpers, launchlog
from ...helpers import warn as warn_user
from . import entry_lock
from .compile_notice import NOTICE  # noqa: F401 - jit.NOTICE: the demo silences it

MAGIC = b"jitgrad-nbc-1\n"
_DIGEST = 32  # bytes of a SHA-256
_HEADER = len(MAGIC) + 2 * _DIGEST  # magic, source stamp, digest
_warned = False
#: Overloads compiled and loaded from disk by every :class:`KernelCache` in this process, for
#: ``jitgrad.cache_info()`` (what the demo's first step compiled or loaded).
STATS = {"compiled": 0, "loaded": 0}
# (NOTICE, the one "compiling kernels" line: .compile_notice, re-exported for the demo)


def cached_njit(*args: Any, inputs: int | None = None, **options: Any) -> Any:
    """``numba.njit(**options)`` whose compiled code is cached by :class:`KernelCache`.

    Used as ``@cached_njit`` or ``@cached_njit(error_model="numpy", parallel=True)``, in place
    of ``@njit(cache=True, ...)``. A function without a source file (made with ``exec``) is
    compiled in memory only. With ``JITGRAD_DEBUG>0`` a hand-written kernel's dispatcher is
    wrapped to report its launches (:func:`jitgrad.launchlog.wrap`); a generated one reports
    through its :class:`jitgrad.fusion.diskcache.Kernel`. ``inputs=n``: a kernel whose first
    ``n`` parameters are arrays it only reads and whose loops take any strides gets
    :func:`one_overload_per_layout` (per dtype, one compile for all-C calls and one for every
    other mix of layouts, instead of one per mix: a strided copy saw four).
    """
    _refuse_loaded_bits_drift(options)

    def decorate(fn: Any) -> Any:
        dispatcher = numba.njit(**options)(fn)
        if os.path.isfile(inspect.getfile(fn)):
            # What Dispatcher.enable_caching does, with our cache class.
            dispatcher._cache = KernelCache(fn)
        if inputs is not None:
            one_overload_per_layout(dispatcher, inputs)
        if fn.__module__.startswith("_gen_"):
            return dispatcher
        return launchlog.wrap(dispatcher)

    if args and callable(args[0]):
        return decorate(args[0])
    return decorate


def _refuse_loaded_bits_drift(options: dict) -> None:
    """Refuse ``parallel=True`` with fast-math ``contract``: the compiling process calls the
    ``prange`` body compiled on its own, a loading one the kernel's re-optimized copy, and
    ``contract`` fuses each differently: other bits (perf/cache_bits.py, Run cachebits17)."""
    flags = options.get("fastmath", False)
    if options.get("parallel") and (flags is True or {"contract", "fast"} & set(flags or ())):
        msg = "parallel=True with fastmath 'contract' gives other bits loaded than compiled"
        raise ValueError(f"cached_njit: {msg}; fuse with fastmath_base._fma instead")


def one_overload_per_layout(dispatcher: Any, inputs: int) -> None:
    """Let two compiled overloads of ``dispatcher`` serve every call: one for calls whose arrays
    are all C-contiguous, one for every other combination of layouts, instead of one compile
    per combination of layouts and read-only flags.

    Numba compiles a new specialization for each combination of argument types, and an
    array's type includes its layout (C, F or any) and whether it is read-only: a generated
    kernel called on ``(view, x, out)``, ``(x, view, out)`` and ``(saved, x, out)`` (a
    read-only saved tensor) compiled three times, each the same loop; a backward called on
    ``(saved, saved, out)`` and the same forward on ``(x, x, out)`` twice more. Here the first
    call of a combination compiles (or loads from the disk cache) its normal form, the first
    ``inputs`` parameters typed read-only (a kernel never writes them; the loop is the same
    code) and, unless every array is C-contiguous, every array typed as any-layout; each later
    combination with the same normal form is mapped to it in the dispatcher's type table:
    called at C speed, never compiled again. All-C calls (the common case, whose loops
    vectorize) keep a C specialization; an output that is itself read-only goes the ordinary
    way (Numba refuses to write into it).
    """
    compile_exact = dispatcher._compile_for_args
    # Each signature is mapped once: the first calls of a chunk kernel come from several pool
    # threads at once, and a signature inserted twice is ambiguous to Numba's C dispatcher,
    # which then sends every later call here (0.5 ms each: the mse step's joint kernel paid it
    # on every chunk).
    mapped: set[tuple[int, ...]] = set()
    lock = threading.Lock()

    def compile_for_args(*args: Any, **kws: Any) -> Any:
        if kws:
            return compile_exact(*args, **kws)
        actual = [dispatcher.typeof_pyval(a) for a in args]
        normal = _normal_form(actual, inputs)
        if normal is None:
            return compile_exact(*args, **kws)
        entry = dispatcher.compile(tuple(normal))
        codes = tuple(t._code for t in actual)
        with lock:
            if normal != actual and codes not in mapped:
                mapped.add(codes)
                dispatcher._insert(list(codes), entry, False)
        return entry  # what Numba's C dispatcher then calls with the arguments

    dispatcher._compile_for_args = compile_for_args
    dispatcher._jitgrad_inputs = inputs  # (for compiled_signature)


def compiled_signature(dispatcher: Any, actual: list) -> tuple:
    """The argument types ``dispatcher`` compiles (or loads) for a call whose arguments have
    the Numba types ``actual``: their normal form under :func:`one_overload_per_layout`, else
    themselves (what a background compile must be sent to serve that call)."""
    inputs = getattr(dispatcher, "_jitgrad_inputs", None)
    normal = None if inputs is None else _normal_form(actual, inputs)
    return tuple(actual if normal is None else normal)


def _normal_form(actual: list, inputs: int) -> list | None:
    """The argument types a call of these types is served by: the first ``inputs`` arrays
    read-only, every array any-layout unless all are C-contiguous; None when an output array is
    read-only (the ordinary compile then refuses to write into it, as Numba does)."""
    contiguous = True
    normal = []
    for i, t in enumerate(actual):
        if not isinstance(t, types.Array):
            normal.append(t)
            continue
        if i >= inputs and not t.mutable:
            return None
        contiguous = contiguous and t.layout == "C"
        normal.append(t.copy(readonly=i < inputs))
    if not contiguous:
        normal = [t.copy(layout="A") if isinstance(t, types.Array) else t for t in normal]
    return normal


def warn_damaged(path: Path | str, reason: str) -> None:
    """Report a damaged cache file: a warning for the first one in a process, then quietly.

    The file has already been dropped and its kernel is being rebuilt, so nothing is wrong
    with the results; one warning tells the user the cache directory is being damaged.
    """
    global _warned
    message = f"jitgrad: damaged kernel cache file {path} ({reason}); replaced by a new compile"
    helpers.debug_print(1, message)
    if not _warned:
        _warned = True
        warn_user(message + " (further damaged files are replaced silently)", stacklevel=2)


def has_cached_code(dispatcher: Any) -> bool:
    """Whether ``dispatcher`` has compiled code in its cache directory (for ``explain``)."""
    cache = getattr(dispatcher, "_cache", None)
    return isinstance(cache, KernelCache) and any(cache._cache_file.files())


#: A source file -> other files its functions compile in (not this package's: those are in
#: every stamp), whose changes make its compiled code stale: tier 0's interpreter loop
#: (fusion/tier0_interp.py) compiles the op table of tier0_eval.py and tier0_libm.py, and an
#: op code renumbered there ran a cached loop on rows it read as other ops.
_ALSO_STAMPED: dict[str, tuple[str, ...]] = {}


def stamp_with(py_file: str, *others: str) -> None:
    """Make the compiled code of ``py_file``'s functions stale when any of ``others`` changes
    (call before the first of them is compiled or loaded)."""
    _ALSO_STAMPED[os.path.realpath(py_file)] = tuple(map(os.path.realpath, others))


@functools.cache
def _file_digest(path: str, mtime_ns: int, size: int) -> bytes:
    """SHA-256 of a file, memoized on its modification time and size."""
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).digest()


@functools.lru_cache(maxsize=1)
def library_digest() -> bytes:
    """SHA-256 over the modules of this package: the helpers a kernel may inline (a generated
    kernel's build key includes it too: see :mod:`jitgrad.fusion.diskcache`)."""
    h = hashlib.sha256()
    for f in sorted(Path(__file__).parent.glob("*.py")):
        h.update(f.name.encode() + f.read_bytes())
    return h.digest()


class _Locator(_CacheLocator):
    """Where a function's compiled code lives, and the stamp of the source it came from."""

    def __init__(self, py_func: Any, py_file: str) -> None:
        self._py_file = py_file
        self._lineno = py_func.__code__.co_firstlineno
        self._cache_path = self._directory(py_file, str(helpers.cache_dir()))

    @classmethod
    @functools.cache
    def _directory(cls, py_file: str, cache_dir: str) -> str:
        """The cache directory for functions of ``py_file`` (memoized: resolving paths for
        each of about a hundred kernels would add 10 ms to ``import jitgrad``)."""
        source = Path(py_file).resolve()
        root = Path(cache_dir).resolve()
        if root in source.parents:  # a generated module: its compiled code beside it
            return str(source.parent / "__pycache__")
        return str(root / "numba" / cls.get_suitable_cache_subpath(py_file))

    def ensure_cache_path(self) -> None:
        """Create the directory; no probe file (two threads would share its name)."""
        os.makedirs(self._cache_path, exist_ok=True)

    def get_cache_path(self) -> str:
        return self._cache_path

    def get_source_stamp(self) -> bytes:
        own = b""
        for path in (self._py_file, *_ALSO_STAMPED.get(os.path.realpath(self._py_file), ())):
            st = os.stat(path)
            own += _file_digest(path, st.st_mtime_ns, st.st_size)
        return hashlib.sha256(own + library_digest()).digest()

    def get_disambiguator(self) -> str:
        return str(self._lineno)


class _Impl(CompileResultCacheImpl):
    """Numba's CompileResult (de)serialization with :class:`_Locator` as the only locator
    (``NUMBA_CACHE_LOCATOR_CLASSES`` must not move jitgrad's cache elsewhere)."""

    def __init__(self, py_func: Any) -> None:
        self._lineno = py_func.__code__.co_firstlineno
        py_file = inspect.getfile(py_func)
        self._locator = _Locator(py_func, py_file)
        fullname = f"{Path(py_file).stem}.{py_func.__qualname__}"
        self._filename_base = self.get_filename_base(fullname, getattr(sys, "abiflags", ""))


class KernelCache(FunctionCache):
    """A Numba function cache whose files are verified before they are loaded (see above)."""

    _impl_class = _Impl

    def __init__(self, py_func: Any) -> None:  # Cache.__init__ would build Numba's file class
        self._name = repr(py_func)
        self._py_func = py_func
        self._impl = _Impl(py_func)
        self._cache_path = self._impl.locator.get_cache_path()
        stamp = self._impl.locator.get_source_stamp()
        self._cache_file = _VerifiedFiles(self._cache_path, self._impl.filename_base, stamp)
        self.enable()

    def identity(self) -> str:
        """This function's cache path and source stamp as a short hex name, which a file saying
        "compiled" must name (tier 0's ``.ready`` markers: a second copy of the package or an
        edited op table sharing the cache has its own files to compile; Run t0build17)."""
        return hashlib.sha256(self._cache_path.encode() + self._cache_file._stamp).hexdigest()[:16]

    def _load_overload(self, sig: Any, target_context: Any) -> Any:
        if not self._enabled:
            return None
        key = self._index_key(sig, target_context.codegen())
        try:
            payload = self._cache_file.load(key)
            if payload is None and self._cache_file.lock(key, self):  # held until it is saved
                payload = self._cache_file.load(key)  # (or the compile fails) unless loaded now
                if payload is not None:
                    self._cache_file.unlock(key)
            if payload is None:
                return None
            result = self._impl.rebuild(target_context, payload)
            STATS["loaded"] += 1
            return result
        except Exception as exc:  # verified, yet unusable here: compile instead
            self._cache_file.drop(key, f"could not be loaded: {type(exc).__name__}: {exc}")
            return None

    def _save_overload(self, sig: Any, data: Any) -> None:
        STATS["compiled"] += 1  # Numba calls this after each compile of a cached function
        key = self._index_key(sig, data.codegen)
        try:
            if self._enabled and self._impl.check_cachable(data):
                self._cache_file.save(key, self._impl.reduce(data))
        finally:
            self._cache_file.unlock(key)  # processes waiting for this entry load it now


class _VerifiedFiles:
    """One file per overload: ``MAGIC | source stamp | digest | pickled payload``."""

    def __init__(self, cache_path: str, filename_base: str, source_stamp: bytes) -> None:
        self._dir = Path(cache_path)
        self._base = filename_base
        self._prefix = filename_base[:120]  # the identity hash keeps shortened names apart
        self._stamp = source_stamp

    def _locate(self, key: Any) -> tuple[Path, bytes]:
        """The file for overload ``key`` and the identity its digest is keyed with."""
        identity = f"{self._base}|{key!r}|numba {numba.__version__}"
        name = f"{self._prefix}.{hashlib.sha256(identity.encode()).hexdigest()[:16]}.nbc"
        return self._dir / name, f"{identity}|{name}".encode()

    def files(self) -> list[Path]:
        return list(self._dir.glob(f"{self._prefix}.*.nbc"))

    def flush(self) -> None:
        """Forget every overload of the function (``Dispatcher.recompile``)."""
        for f in self.files():
            _unlink(f)

    def load(self, key: Any) -> Any:
        path, identity = self._locate(key)
        try:
            blob = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:  # unreadable (permissions): a miss, not damage
            helpers.debug_print(1, f"cannot read kernel cache file {path}: {exc}")
            return None
        if len(blob) < _HEADER or not blob.startswith(MAGIC):
            return self._damaged(path, "truncated" if len(blob) < _HEADER else "bad header")
        stamp = blob[len(MAGIC) : len(MAGIC) + _DIGEST]
        digest = blob[len(MAGIC) + _DIGEST : _HEADER]
        payload = memoryview(blob)[_HEADER:]
        if hashlib.sha256(identity + stamp + payload).digest() != digest:
            return self._damaged(path, "contents do not match this kernel's digest")
        if stamp != self._stamp:  # compiled from another version of the source: stale
            return None
        return pickle.loads(payload)

    def save(self, key: Any, payload: Any) -> None:
        path, identity = self._locate(key)
        data = dumps(payload)
        digest = hashlib.sha256(identity + self._stamp + data).digest()
        try:
            self._dir.mkdir(parents=True, exist_ok=True)
        except OSError:
            return  # a read-only cache: compiled in memory only
        helpers.atomic_write(path, MAGIC + self._stamp + digest + data)

    def lock(self, key: Any, owner: Any) -> bool:  # wait out a process compiling it; hold it
        return entry_lock.acquire(self._locate(key)[0], owner)

    def unlock(self, key: Any) -> None:
        entry_lock.release(self._locate(key)[0])

    def drop(self, key: Any, reason: str) -> None:
        self._damaged(self._locate(key)[0], reason)

    @staticmethod
    def _damaged(path: Path, reason: str) -> None:
        _unlink(path)
        warn_damaged(path, reason)


def _unlink(path: Path) -> None:
    with contextlib.suppress(OSError):  # already gone, or a read-only directory
        path.unlink()
