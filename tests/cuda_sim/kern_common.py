"""Helpers for the CUDA kernel tests (``kern_*.py``): in Numba's CUDA simulator, or on a GPU.

These modules are named ``kern_*.py`` so that a plain ``pytest`` never collects them: the
simulator needs ``NUMBA_ENABLE_CUDASIM=1`` set before ``numba.cuda`` is first imported, so
``tests/test_cuda_kernels.py`` runs each in a subprocess with that environment, and once more
without it when a GPU is present. :data:`SIM` says which; the few checks that differ (bitwise
equalities that a GPU's fused multiply-adds may break, the cuBLAS path) look at it.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import threading
from types import CodeType, ModuleType

import numpy as np
import pytest
from numba import cuda
from numba.core import types
from numba.np import numpy_support

#: True in the simulator, False on a real GPU.
SIM = os.environ.get("NUMBA_ENABLE_CUDASIM") == "1"
if not SIM and not cuda.is_available():
    pytest.skip("no CUDA GPU (run through tests/test_cuda_kernels.py)", allow_module_level=True)


# Simulator limitations, worked around here when SIM (the kernels are not changed).
# 1. The simulator runs each CUDA thread as a Python thread, and its block manager waits for
#    them by polling in a loop that holds the GIL between checks: a block's threads and the
#    poller share one core, so with CPython's default 5 ms switch interval a block of 8
#    threads spent most of its time waiting for the GIL (1.8 s for a 20-block row
#    reduction), and with the 1e-5 s interval this file set before, most CPU went to GIL
#    hand-offs. :func:`_run_block` below waits on the threads and runs syncthreads() as a
#    condition-variable barrier instead, so a waiting thread sleeps and the default interval
#    serves (perf/RESULTS.md, "Run simtime").

_lock = threading.Lock()
_orig_shared_array = None
_swaps: dict[int, tuple[int, dict]] = {}


def _locked_shared_array(self, shape, dtype):
    """2. The simulator's ``cuda.shared.array`` without its race: it looks the block's array
    up by call site and creates it when missing, unlocked, so two threads of a block that
    reach the line together can each get a private "shared" array (seen as wrong or
    uninitialised results, one run in a few, more often with the short switch interval).
    Same key, same behaviour, under a lock."""
    if shape == 0:  # dynamic shared memory: one buffer, no race
        return _orig_shared_array(self, shape, dtype)
    if isinstance(dtype, types.Type):
        dtype = numpy_support.as_dtype(dtype)
    caller = sys._getframe(1)
    key = (caller.f_code.co_filename, caller.f_lineno)
    with _lock:
        res = self._allocations.get(key)
        if res is None:
            res = self._allocations[key] = np.empty(shape, dtype)
    return res


class _BlockBarrier:
    """syncthreads() of one simulated block: it opens when every thread still running waits
    (a thread that has returned no longer counts, as in the simulator's own manager); a
    thread's exception breaks it, so the others stop with the simulator's abort error."""

    def __init__(self, n: int) -> None:
        self.cond = threading.Condition(threading.Lock())
        self.live, self.waiting, self.generation, self.broken = n, 0, 0, False
        self.first_failed: threading.Thread | None = None

    def _open(self) -> None:
        self.waiting = 0
        self.generation += 1
        self.cond.notify_all()

    def wait(self) -> None:
        with self.cond:
            if self.broken:
                raise RuntimeError("abort flag set on syncthreads call")
            generation = self.generation
            self.waiting += 1
            if self.waiting == self.live:
                self._open()
            while generation == self.generation and not self.broken:
                self.cond.wait()
            if self.broken:
                raise RuntimeError("abort flag set on syncthreads clear")

    def leave(self, failed: bool) -> None:
        with self.cond:
            self.live -= 1
            if failed:
                if not self.broken:
                    self.first_failed = threading.current_thread()
                self.broken = True
                self.cond.notify_all()
            elif self.live and self.waiting == self.live:
                self._open()


def _run_block(self, grid_point, *args):
    """1. ``BlockManager.run`` without its polling loop: start the block's threads, join them,
    re-raise the exception of the thread that failed first (the others stopped with the
    abort error), with its thread and block ids as the simulator does. A kernel whose threads
    never wait for each other runs them in turn instead (:func:`_run_in_turn`)."""
    if IN_TURN and not self._debug and _independent(self._f):
        return _run_in_turn(self, grid_point, args)
    barrier = self.barrier = _BlockBarrier(int(np.prod(self._block_dim)))

    def target():
        failed = True
        try:
            self._f(*args)
            failed = False
        finally:
            barrier.leave(failed)

    threads = [
        _sim_kernel.BlockThread(target, self, grid_point, point, self._debug)
        for point in np.ndindex(*self._block_dim)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for t in [barrier.first_failed, *threads]:
        if t is not None and t.exception:
            raise t.exception[0].with_traceback(t.exception[1])


#: A name a kernel uses to wait for, or read from, the other threads of its block or grid
#: (barriers, warp votes and shuffles, fences, shared memory, cooperative groups)
_WAITS = re.compile(r"sync|shfl|fence|shared|activemask|lanemask|ballot|this_grid|^cg$")
_independent_of: dict = {}
#: ``JITGRAD_SIM_IN_TURN=0``: every block in threads (the A/B of perf/RESULTS.md, Run simcorpus)
IN_TURN = os.environ.get("JITGRAD_SIM_IN_TURN", "1") != "0"
#: Attributes :func:`_run_in_turn` gives the launching thread while it plays a CUDA thread
_THREAD_ATTRS = ("_manager", "blockIdx", "threadIdx", "thread_id")


def _names(code: CodeType) -> set[str]:
    """The global and attribute names ``code`` and the functions nested in it use."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, CodeType):
            names |= _names(const)
    return names


def _independent(fn, seen: set | None = None) -> bool:
    """Whether kernel or device function ``fn`` and the device functions it calls (by global
    name, as a module's attribute or from a closure) use none of :data:`_WAITS`: its threads
    then never wait on each other. Conservative: a name is looked up in every module the
    function names, so a false "waits" only costs the threaded runner."""
    known = _independent_of.get(fn)
    if known is not None:
        return known
    seen = set() if seen is None else seen
    if fn in seen:  # a recursive device function: decided by its other names
        return True
    seen.add(fn)
    names = _names(fn.__code__)
    result = not any(_WAITS.search(n) for n in names)
    if result:
        refs = [fn.__globals__.get(n) for n in names]
        for cell in fn.__closure__ or ():
            with contextlib.suppress(ValueError):  # an empty cell
                refs.append(cell.cell_contents)
        refs += [getattr(m, n, None) for m in refs if isinstance(m, ModuleType) for n in names]
        result = all(
            _independent(r.fn, seen) for r in refs if isinstance(r, _sim_kernel.FakeCUDAKernel)
        )
    _independent_of[fn] = result
    return result


def _run_in_turn(self, grid_point, args):
    """1b. A block of a kernel whose threads never wait on each other (:func:`_independent`)
    runs its threads one after another in the launching thread, which takes each one's ids
    in turn: a schedule the block could have had on a GPU, and nearly the one it had in
    threads (a small kernel's thread finishes within CPython's 5 ms switch interval), without
    starting a Python thread per CUDA thread (~66 us of CPU each, two thirds of it system
    time; most launches of the cases are such kernels). The first failing thread's exception
    is raised with its ids, as the threaded runner raises it; later threads do not run. A
    barrier the check missed fails loudly (the launching thread has no ``syncthreads``)."""
    me = threading.current_thread()
    saved = {k: me.__dict__[k] for k in _THREAD_ATTRS if k in me.__dict__}
    bx, by = self._block_dim[0], self._block_dim[1]
    me._manager, me.blockIdx = self, _sim_api.Dim3(*grid_point)
    failed = None
    try:
        for point in np.ndindex(*self._block_dim):
            me.threadIdx = _sim_api.Dim3(*point)
            me.thread_id = point[0] + bx * (point[1] + by * point[2])
            try:
                self._f(*args)
            except Exception as e:  # as BlockThread.run words it
                ids = f"tid={list(point)} ctaid={list(grid_point)}"
                failed = (type(e)(f"{ids}: {e}" if str(e) else ids), sys.exc_info()[2])
                break
    finally:
        for k in _THREAD_ATTRS:
            me.__dict__.pop(k, None)
        me.__dict__.update(saved)
    if failed is not None:
        raise failed[0].with_traceback(failed[1])


def _syncthreads(self):
    self._manager.barrier.wait()


@contextlib.contextmanager
def _counted_swap(fn, fake_cuda_module):
    """3. The simulator's ``swapped_cuda_module`` made safe for threads. Each call of a device
    function points the ``cuda`` name in its module's globals at the fake module and restores
    it on return; when the threads of a block call a device function of another module (here
    ``common.block_fold``) together, the first to return restores the real ``numba.cuda``
    under the others ("module 'numba.cuda' has no attribute 'threadIdx'", one run in a few).
    Counted per globals dict: the first caller swaps, the last one restores."""
    g = fn.__globals__
    with _lock:
        n, orig = _swaps.get(id(g), (0, {}))
        if n == 0:
            orig = {k: v for k, v in g.items() if v is cuda}
            g.update(dict.fromkeys(orig, fake_cuda_module))
        _swaps[id(g)] = (n + 1, orig)
    try:
        yield
    finally:
        with _lock:
            n, orig = _swaps.pop(id(g))
            if n == 1:
                g.update(orig)
            else:
                _swaps[id(g)] = (n - 1, orig)


def _strict_reshape(self, *shape, **kws):
    """4. Not a simulator bug but a difference: numba's real ``DeviceNDArray.reshape`` refuses
    some reshapes that numpy allows (any whose memory extent changes, e.g. an empty (3, 0) to
    (0,)), and the simulator's array is numpy's. The same refusal here, so the simulator
    catches code that would fail on a GPU."""
    newshape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
    if tuple(newshape) != tuple(self.shape):
        desc = dummyarray.Array.from_desc(0, self.shape, self.strides, self.dtype.itemsize)
        _, extents = desc.reshape(*newshape, **kws)
        if extents != [desc.extent]:
            raise NotImplementedError("operation requires copying")
    return _orig_reshape(self, *shape, **kws)


_orig_reshape = None


def _load_dummyarray():
    """numba's real ``cuda/cudadrv/dummyarray.py`` (pure Python), which the simulator's module
    redirection hides: the shape logic ``DeviceNDArray.reshape`` uses."""
    import importlib.util

    import numba

    path = os.path.join(os.path.dirname(numba.__file__), "cuda", "cudadrv", "dummyarray.py")
    spec = importlib.util.spec_from_file_location("_real_dummyarray", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


if SIM:
    dummyarray = _load_dummyarray()
    from numba.cuda.simulator import kernel as _sim_kernel
    from numba.cuda.simulator import kernelapi as _sim_api
    from numba.cuda.simulator.cudadrv import devicearray as _sim_arrays

    _sim_kernel.BlockManager.run = _run_block
    _sim_kernel.BlockThread.syncthreads = _syncthreads
    _orig_shared_array = _sim_api.FakeCUDAShared.array
    _sim_api.FakeCUDAShared.array = _locked_shared_array
    _sim_kernel.swapped_cuda_module = _counted_swap
    _orig_reshape = _sim_arrays.FakeCUDAArray.reshape
    _sim_arrays.FakeCUDAArray.reshape = _strict_reshape

FLOATS = (np.float32, np.float64)


def dev(a: np.ndarray):
    """A device copy of ``a`` (contiguous)."""
    return cuda.to_device(np.ascontiguousarray(a))


def host(d) -> np.ndarray:
    return d.copy_to_host()
