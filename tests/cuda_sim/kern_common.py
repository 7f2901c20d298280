"""Helpers for the CUDA kernel tests (``kern_*.py``): in Numba's CUDA simulator, or on a GPU.

These modules are named ``kern_*.py`` so that a plain ``pytest`` never collects them: the
simulator needs ``NUMBA_ENABLE_CUDASIM=1`` set before ``numba.cuda`` is first imported, so
``tests/test_cuda_backend_b.py`` runs them in a subprocess with that environment (with the
second group of device case files), and once more without it when a GPU is present.
:data:`SIM` says which; the few checks that differ (bitwise equalities that a GPU's fused
multiply-adds may break, the cuBLAS path) look at it.
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
    pytest.skip("no CUDA GPU (run through tests/test_cuda_backend_b.py)", allow_module_level=True)


# Simulator limitations, worked around here when SIM (the kernels are not changed).
# 1. The simulator runs each CUDA thread as a Python thread, and its block manager waits for
#    them by polling in a loop that holds the GIL between checks: a block's threads and the
#    poller share one core, so with CPython's default 5 ms switch interval a block of 8
#    threads spent most of its time waiting for the GIL (1.8 s for a 20-block row
#    reduction), and with the 1e-5 s interval this file set before, most CPU went to GIL
#    hand-offs. :func:`_run_block` below waits on the threads and runs syncthreads() as a
#    condition-variable barrier instead, so a waiting thread sleeps and the default interval
#    serves (perf/RESULTS.md, "Run simtime"). Most blocks need no thread at all: those of a
#    kernel that never waits run their threads in turn, and those of a kernel whose threads
#    meet only at syncthreads() statements run them as generators, stepped barrier to barrier
#    (tests/cuda_sim/sim_steps.py; Runs simcorpus and simtime16). 5-7 below cut the
#    simulator's own cost per attribute read, launch and device-function call.

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
    never wait for each other runs them in turn instead, and one whose threads meet only at
    barrier statements runs them as generators stepped barrier to barrier (both in the
    launching thread: tests/cuda_sim/sim_steps.py)."""
    if IN_TURN and not self._debug:
        swaps = (_callee_globals(self._f), _counted_swap)
        if _independent(self._f):
            return sim_steps.run_in_turn(self, grid_point, args, swaps)
        stepped = sim_steps.stepped(self._f) if STEPPED else None
        if stepped not in (None, sim_steps.NO_BARRIER):
            return sim_steps.run_stepped(self, grid_point, args, stepped, swaps)
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
_callee_globals_of: dict = {}
#: ``JITGRAD_SIM_IN_TURN=0``: every block in threads (the A/B of perf/RESULTS.md, Run simcorpus)
IN_TURN = os.environ.get("JITGRAD_SIM_IN_TURN", "1") != "0"
#: ``JITGRAD_SIM_STEPPED=0``: barrier kernels in threads (the A/B of perf/RESULTS.md, Run simtime16)
STEPPED = os.environ.get("JITGRAD_SIM_STEPPED", "1") != "0"


def _names(code: CodeType) -> set[str]:
    """The global and attribute names ``code`` and the functions nested in it use."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, CodeType):
            names |= _names(const)
    return names


def _device_refs(fn) -> list:
    """The device functions ``fn`` names: by global name, as a module's attribute, or from a
    closure (conservative: a name is looked up in every module the function names)."""
    names = _names(fn.__code__)
    refs = [fn.__globals__.get(n) for n in names]
    for cell in fn.__closure__ or ():
        with contextlib.suppress(ValueError):  # an empty cell
            refs.append(cell.cell_contents)
    refs += [getattr(m, n, None) for m in refs if isinstance(m, ModuleType) for n in names]
    return [r for r in refs if isinstance(r, _sim_kernel.FakeCUDAKernel)]


def _independent(fn, seen: set | None = None) -> bool:
    """Whether kernel or device function ``fn`` and the device functions it calls
    (:func:`_device_refs`) use none of :data:`_WAITS`: its threads then never wait on each
    other. Conservative: a false "waits" only costs a slower runner."""
    known = _independent_of.get(fn)
    if known is not None:
        return known
    seen = set() if seen is None else seen
    if fn in seen:  # a recursive device function: decided by its other names
        return True
    seen.add(fn)
    result = not any(_WAITS.search(n) for n in _names(fn.__code__))
    if result:
        result = all(_independent(r.fn, seen) for r in _device_refs(fn))
    _independent_of[fn] = result
    return result


def _callee_globals(fn) -> list:
    """The globals of the modules whose device functions ``fn`` reaches (any depth), but for
    ``fn``'s own (the launch swaps the fake ``cuda`` module into those): a block run in the
    launching thread swaps it into these once, so its device calls skip the swap (7. below)."""
    known = _callee_globals_of.get(fn)
    if known is None:
        known, todo, seen = [], [fn], {fn}
        while todo:
            for r in _device_refs(todo.pop()):
                if r.fn not in seen:
                    seen.add(r.fn)
                    todo.append(r.fn)
                    g = r.fn.__globals__
                    if g is not fn.__globals__ and all(g is not k for k in known):
                        known.append(g)
        _callee_globals_of[fn] = known
    return known


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
    a = self._ary
    if not kws and a.size and a.flags.c_contiguous and _same_size(newshape, a.size):
        pass  # a C-contiguous array of that size reshapes in place on a GPU too (fast path)
    elif tuple(newshape) != tuple(self.shape):
        desc = dummyarray.Array.from_desc(0, self.shape, self.strides, self.dtype.itemsize)
        _, extents = desc.reshape(*newshape, **kws)
        if extents != [desc.extent]:
            raise NotImplementedError("operation requires copying")
    return _orig_reshape(self, *shape, **kws)


def _same_size(shape, size: int) -> bool:
    n = 1
    for d in shape:
        if not isinstance(d, (int, np.integer)) or d < 0:
            return False
        n *= int(d)
    return n == size


_orig_reshape = None
_orig_call = None
#: numpy array type -> the names ``dir()`` lists for its instances (:func:`_within_getattr`)
_ARRAY_ATTRS: dict[type, frozenset] = {}


def _within_getattr(self, attrname):
    """5. The simulator's in-kernel array (``FakeWithinKernelCUDAArray``) without a ``dir()``
    of the numpy array at every attribute read: ``x.shape`` or ``x.dtype`` inside a kernel
    listed all ~160 attributes to tell an array attribute from a record field (~7 us a read,
    the largest single cost of the case groups: perf/RESULTS.md, Run simtime16). The same test
    against the names of the array's type, listed once (an array with an instance dict is
    listed at every read, as before); the rest as the simulator's own, word for word."""
    try:
        ary = self._item._ary
        names = _ARRAY_ATTRS.get(type(ary))
        if names is None:
            names = frozenset(dir(ary))
            if not hasattr(ary, "__dict__"):
                _ARRAY_ATTRS[type(ary)] = names
        if attrname in names:  # For e.g. array size.
            return self._FakeWithinKernelCUDAArray__wrap_if_fake(getattr(ary, attrname))
        return self._FakeWithinKernelCUDAArray__wrap_if_fake(self._item.__getitem__(attrname))
    except Exception as e:
        if not isinstance(e, AttributeError):
            raise AttributeError(attrname) from e


def _fake_module_init(self, grid_dim, block_dim, dynshared_size):
    """6. ``FakeCUDAModule.__init__`` without setting the ~100 vector types (``float32x4``...)
    on every launch's module: they are class attributes, set once (:func:`_install`)."""
    self.gridDim = _sim_api.Dim3(*grid_dim)
    self.blockDim = _sim_api.Dim3(*block_dim)
    self._cg = _sim_api.FakeCUDACg()
    self._local = _sim_api.FakeCUDALocal()
    self._shared = _sim_api.FakeCUDAShared(dynshared_size)
    self._const = _sim_api.FakeCUDAConst()
    self._atomic = _sim_api.FakeCUDAAtomic()
    self._fp16 = _sim_api.FakeCUDAFp16()


def _device_call(self, *args):
    """7. A device function called in a block that the launching thread runs alone
    (tests/cuda_sim/sim_steps.py), from a module that already holds the fake ``cuda`` module
    for an enclosing frame (the launch, or a caller): called directly, without the counted
    swap's lock and scan of the module's globals (~100k such calls in group A). Any other
    call: the simulator's own."""
    if self._device and sim_steps.alone() and id(self.fn.__globals__) in _swaps:
        return self.fn(*args)
    return _orig_call(self, *args)


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
    import sim_steps

    dummyarray = _load_dummyarray()
    from numba.cuda.simulator import kernel as _sim_kernel
    from numba.cuda.simulator import kernelapi as _sim_api
    from numba.cuda.simulator import vector_types as _sim_vectors
    from numba.cuda.simulator.cudadrv import devicearray as _sim_arrays

    _sim_kernel.BlockManager.run = _run_block
    _sim_kernel.BlockThread.syncthreads = _syncthreads
    _orig_shared_array = _sim_api.FakeCUDAShared.array
    _sim_api.FakeCUDAShared.array = _locked_shared_array
    _sim_kernel.swapped_cuda_module = _counted_swap
    _orig_reshape = _sim_arrays.FakeCUDAArray.reshape
    _sim_arrays.FakeCUDAArray.reshape = _strict_reshape
    _sim_arrays.FakeWithinKernelCUDAArray.__getattr__ = _within_getattr
    for _name, _vty in _sim_vectors.vector_types.items():
        for _alias in (_name, *_vty.aliases):
            setattr(_sim_api.FakeCUDAModule, _alias, _vty)
    _sim_api.FakeCUDAModule.__init__ = _fake_module_init
    _orig_call = _sim_kernel.FakeCUDAKernel.__call__
    _sim_kernel.FakeCUDAKernel.__call__ = _device_call

FLOATS = (np.float32, np.float64)


def dev(a: np.ndarray):
    """A device copy of ``a`` (contiguous)."""
    return cuda.to_device(np.ascontiguousarray(a))


def host(d) -> np.ndarray:
    return d.copy_to_host()
