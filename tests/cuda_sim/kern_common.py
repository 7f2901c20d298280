"""Helpers for the CUDA kernel tests that run in Numba's CUDA simulator.

These modules are named ``kern_*.py`` so that a plain ``pytest`` never collects them: they
need ``NUMBA_ENABLE_CUDASIM=1`` set before ``numba.cuda`` is first imported, so
``tests/test_cuda_kernels.py`` runs them in a subprocess with that environment.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading

import numpy as np

assert os.environ.get("NUMBA_ENABLE_CUDASIM") == "1", "run through tests/test_cuda_kernels.py"

from numba import cuda  # noqa: E402 - after the simulator check
from numba.core import types  # noqa: E402
from numba.cuda.simulator import kernel as sim_kernel  # noqa: E402
from numba.cuda.simulator import kernelapi  # noqa: E402
from numba.np import numpy_support  # noqa: E402

# The simulator runs each CUDA thread as a Python thread and every syncthreads() is a barrier
# between them; with CPython's default 5 ms switch interval a block of 8 threads spends most
# of its time waiting for the GIL (measured: 1.8 s -> 0.09 s for a 20-block row reduction).
sys.setswitchinterval(1e-5)

_shared_lock = threading.Lock()
_shared_array = kernelapi.FakeCUDAShared.array


def _locked_shared_array(self, shape, dtype):
    """The simulator's ``cuda.shared.array`` without its race: it looks the block's array up
    by call site and creates it when missing, unlocked, so two threads of a block that reach the
    line together can each get a private "shared" array (seen here as wrong or uninitialised
    results, one run in a few, more often with the short switch interval above). Same key, same
    behaviour, under a lock."""
    if shape == 0:  # dynamic shared memory: one buffer, no race
        return _shared_array(self, shape, dtype)
    if isinstance(dtype, types.Type):
        dtype = numpy_support.as_dtype(dtype)
    caller = sys._getframe(1)
    key = (caller.f_code.co_filename, caller.f_lineno)
    with _shared_lock:
        res = self._allocations.get(key)
        if res is None:
            res = self._allocations[key] = np.empty(shape, dtype)
    return res


kernelapi.FakeCUDAShared.array = _locked_shared_array

_swap_lock = threading.Lock()
_swaps: dict[int, tuple[int, dict]] = {}


@contextlib.contextmanager
def _counted_swap(fn, fake_cuda_module):
    """The simulator's ``swapped_cuda_module`` made safe for threads. Each call of a device
    function points the ``cuda`` name in its module's globals at the fake module and restores
    it on return; when the threads of a block call a device function of another module (here
    ``common.block_fold``) together, the first to return restores the real ``numba.cuda``
    under the others ("module 'numba.cuda' has no attribute 'threadIdx'", one run in a few).
    Counted per globals dict: the first caller swaps, the last one restores."""
    g = fn.__globals__
    with _swap_lock:
        n, orig = _swaps.get(id(g), (0, {}))
        if n == 0:
            orig = {k: v for k, v in g.items() if v is cuda}
            g.update(dict.fromkeys(orig, fake_cuda_module))
        _swaps[id(g)] = (n + 1, orig)
    try:
        yield
    finally:
        with _swap_lock:
            n, orig = _swaps.pop(id(g))
            if n == 1:
                g.update(orig)
            else:
                _swaps[id(g)] = (n - 1, orig)


sim_kernel.swapped_cuda_module = _counted_swap

FLOATS = (np.float32, np.float64)
#: Relative tolerance against a float64 numpy reference, per dtype.
RTOL = {np.float32: 2e-6, np.float64: 1e-13}


def dev(a: np.ndarray):
    """A device copy of ``a`` (contiguous)."""
    return cuda.to_device(np.ascontiguousarray(a))


def host(d) -> np.ndarray:
    return d.copy_to_host()


def close(got: np.ndarray, ref: np.ndarray, dtype, scale: float = 1.0) -> None:
    """``got`` (dtype) matches the float64 ``ref`` to the dtype's rounding, times ``scale``."""
    assert got.dtype == np.dtype(dtype), (got.dtype, dtype)
    assert got.shape == ref.shape, (got.shape, ref.shape)
    tol = RTOL[dtype] * scale
    np.testing.assert_allclose(
        got, ref, rtol=tol, atol=tol * max(1.0, float(np.abs(ref).max(initial=0)))
    )
