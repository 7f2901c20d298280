"""How many threads the OpenBLAS under numpy's matrix products runs, set without threadpoolctl.

numpy's wheels bundle OpenBLAS, which starts one thread per core and keeps them spinning for
work between calls. On small products (the demo's 64x128 layers) on a machine whose cores are
busy, those threads fight the Python thread for the cores: the demo's 690 training steps took
40-56 s with two OpenBLAS threads at load average 6-10 on two cores, and 3.2-3.4 s with one
(``OPENBLAS_NUM_THREADS=1``; perf/RESULTS.md, run Y). threadpoolctl changes this at run time
but is not a dependency, and the environment variable is read once, when numpy loads the
library, before a program can set it. This calls the library's own
``openblas_set_num_threads`` (whose name carries a prefix and suffix in numpy's and scipy's
wheels) on every OpenBLAS loaded in the process, found in ``/proc/self/maps``: Linux only;
elsewhere, or where none is loaded, :func:`limit` changes nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
from collections.abc import Iterator

#: Symbol name prefixes and suffixes of OpenBLAS builds: plain, 64-bit integer, and the
#: renamed ones numpy's and scipy's wheels bundle (``scipy_openblas_set_num_threads64_``).
_PREFIXES = ("openblas", "scipy_openblas")
_SUFFIXES = ("", "64_", "_64_")


def _loaded_openblas() -> list[str]:
    """Paths of the OpenBLAS shared libraries mapped into this process."""
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "openblas" in line.lower()}
    except OSError:
        return []
    return sorted(p for p in paths if p.startswith("/") and ".so" in os.path.basename(p))


def _entry_points(path: str) -> tuple | None:
    """(get_num_threads, set_num_threads) of the library at ``path``, or None."""
    try:  # RTLD_NOLOAD: a handle on the copy already mapped, never a second load
        lib = ctypes.CDLL(path, mode=os.RTLD_NOLOAD | os.RTLD_LAZY)
    except (OSError, AttributeError):
        return None
    for prefix in _PREFIXES:
        for suffix in _SUFFIXES:
            get = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
            put = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
            if get is not None and put is not None:
                get.restype = ctypes.c_int
                put.argtypes = [ctypes.c_int]
                put.restype = None
                return get, put
    return None


def threads() -> dict[str, int]:
    """Each loaded OpenBLAS's thread count, by library path (for tests and reports)."""
    found = {p: _entry_points(p) for p in _loaded_openblas()}
    return {p: int(e[0]()) for p, e in found.items() if e is not None}


@contextlib.contextmanager
def limit(n: int) -> Iterator[None]:
    """Run the block with every loaded OpenBLAS using at most ``n`` threads, then restore
    each library's previous count."""
    saved = []
    for path in _loaded_openblas():
        entry = _entry_points(path)
        if entry is not None:
            get, put = entry
            before = int(get())
            if before > n:
                put(n)
                saved.append((put, before))
    try:
        yield
    finally:
        for put, before in saved:
            put(before)
