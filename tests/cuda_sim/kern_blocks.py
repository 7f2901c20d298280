"""kern_common.py's block runner for the simulator (workaround 1: threads joined, syncthreads()
a condition-variable barrier, in place of numba's polling manager) keeps the simulator's
semantics: a barrier orders shared-memory writes before reads, threads that returned do not
hold it, and a thread's exception is the one raised, with its thread and block ids. A kernel that
never waits on its block (no barrier or shared memory in it or its device functions) runs its
threads in turn in the launching thread, each with its own ids; one whose threads meet only at
``cuda.syncthreads()`` statements (in it or its device functions) runs them as generators
stepped barrier to barrier, also in the launching thread (tests/cuda_sim/sim_steps.py)."""

from __future__ import annotations

import threading
import types

import numpy as np
import pytest
from kern_common import SIM, dev, host
from numba import cuda

pytestmark = pytest.mark.skipif(not SIM, reason="checks the simulator's block runner")


@cuda.jit
def _reverse(out):
    # each thread reads the value another thread wrote before the barrier, twice over
    sm = cuda.shared.array(16, np.float32)
    t = cuda.threadIdx.x
    sm[t] = t
    cuda.syncthreads()
    v = sm[15 - t]
    cuda.syncthreads()
    sm[t] = v * 2
    cuda.syncthreads()
    out[cuda.blockIdx.x, t] = sm[15 - t]


@cuda.jit
def _early_return(out):
    t = cuda.threadIdx.x
    if t >= 4:
        return
    cuda.syncthreads()
    out[cuda.blockIdx.x * 4 + t] = 1.0


@cuda.jit
def _fails(out):
    t = cuda.threadIdx.x
    cuda.syncthreads()
    if t == 3:
        raise ValueError("thread 3 fails")
    cuda.syncthreads()
    out[t] = t


def test_a_barrier_orders_shared_writes_before_reads():
    out = cuda.device_array((3, 16), np.float32)
    _reverse[3, 16](out)
    np.testing.assert_array_equal(host(out), np.tile(np.arange(16, dtype=np.float32) * 2, (3, 1)))


def test_returned_threads_do_not_hold_the_barrier():
    out = dev(np.zeros(8, np.float32))
    _early_return[2, 8](out)
    assert host(out).tolist() == [1.0] * 8


def test_the_failing_threads_exception_is_raised():
    with pytest.raises(ValueError, match=r"^tid=\[3, 0, 0\] ctaid=\[0, 0, 0\]: thread 3 fails$"):
        _fails[2, 8](cuda.device_array(8, np.float32))


@cuda.jit
def _ids(out):
    i = cuda.grid(1)
    out[i, 0] = cuda.threadIdx.x
    out[i, 1] = cuda.blockIdx.x
    out[i, 2] = threading.get_ident()


@cuda.jit
def _lanes(out):
    out[cuda.blockIdx.x, cuda.threadIdx.y, cuda.threadIdx.x] = cuda.laneid


def test_a_kernel_without_a_barrier_runs_its_threads_in_turn_with_their_ids():
    out = dev(np.zeros((24, 3), np.int64))
    _ids[3, 8](out)
    got = host(out)
    assert got[:, 0].tolist() == list(range(8)) * 3
    assert got[:, 1].tolist() == [b for b in range(3) for _ in range(8)]
    assert set(got[:, 2].tolist()) == {threading.get_ident()}  # no thread started
    assert not hasattr(threading.current_thread(), "threadIdx")  # the launcher is itself again
    lanes = dev(np.zeros((2, 2, 4), np.int64))
    _lanes[2, (4, 2)](lanes)
    assert host(lanes).tolist() == [[[0, 1, 2, 3], [4, 5, 6, 7]]] * 2


@cuda.jit(device=True)
def _wait():
    cuda.syncthreads()


@cuda.jit(device=True)
def _swap_with_mirror(sm, v):
    # a device function that waits and returns a value: each thread gets its mirror's v
    t = cuda.threadIdx.x
    sm[t] = v
    cuda.syncthreads()
    r = sm[cuda.blockDim.x - 1 - t]
    cuda.syncthreads()
    return r


_callees = types.ModuleType("callees")  # a barrier reached as a module's attribute
_callees.wait = _wait


@cuda.jit
def _waits_in_a_callee(out):
    sm = cuda.shared.array(8, np.int64)
    sm2 = cuda.shared.array(8, np.int64)
    t = cuda.threadIdx.x
    sm[t] = t * 10 + cuda.blockIdx.x
    _callees.wait()
    out[cuda.blockIdx.x, t, 0] = sm[7 - t]
    out[cuda.blockIdx.x, t, 1] = _swap_with_mirror(sm2, t + 100) + 0 * _swap_with_mirror(sm2, 0)
    out[cuda.blockIdx.x, t, 2] = threading.get_ident()


def test_a_barrier_in_a_device_function_is_kept_and_its_block_is_stepped():
    out = dev(np.zeros((2, 8, 3), np.int64))
    _waits_in_a_callee[2, 8](out)
    got = host(out)
    mirror = np.arange(8)[::-1]
    assert got[:, :, 0].tolist() == [(mirror * 10 + b).tolist() for b in range(2)]
    assert got[:, :, 1].tolist() == [(mirror + 100).tolist()] * 2
    assert set(got[:, :, 2].ravel().tolist()) == {threading.get_ident()}  # no thread started
    assert not hasattr(threading.current_thread(), "threadIdx")  # the launcher is itself again


@cuda.jit
def _counts(out):
    # syncthreads_count exchanges a value at the barrier: not stepped, the block keeps threads
    t = cuda.threadIdx.x
    out[t, 0] = cuda.syncthreads_count(t % 3 == 0)
    out[t, 1] = threading.get_ident()


def test_a_barrier_the_rewrite_does_not_take_keeps_the_threads():
    out = dev(np.zeros((8, 2), np.int64))
    _counts[1, 8](out)
    got = host(out)
    assert got[:, 0].tolist() == [3] * 8
    idents = set(got[:, 1].tolist())
    assert len(idents) == 8 and threading.get_ident() not in idents


@cuda.jit
def _fails_in_turn(out):
    t = cuda.threadIdx.x
    if t == 5 and cuda.blockIdx.x == 1:
        raise ValueError("thread 5 fails")
    out[cuda.grid(1)] = t


def test_in_turn_the_first_failing_threads_exception_is_raised_with_its_ids():
    out = dev(np.full(16, -1, np.int64))
    with pytest.raises(ValueError, match=r"^tid=\[5, 0, 0\] ctaid=\[1, 0, 0\]: thread 5 fails$"):
        _fails_in_turn[2, 8](out)
    assert host(out).tolist() == [*range(8), *range(5), -1, -1, -1]  # later threads did not run


@cuda.jit
def _attributes(x, recs, out):
    # array attributes (kern_common's listing per type) and record fields as attributes
    i = cuda.grid(1)
    if i < x.size:
        out[i] = x.shape[0] * 100 + x.ndim * 10 + recs[i].b + recs[i].a * 1000


def test_in_kernel_arrays_read_their_attributes_and_record_fields():
    recs = np.zeros(6, dtype=[("a", np.int64), ("b", np.int64)])
    recs["a"], recs["b"] = np.arange(6), np.arange(6) + 1
    out = dev(np.zeros(6, np.int64))
    _attributes[2, 4](dev(np.zeros(6, np.float32)), dev(recs), out)
    assert host(out).tolist() == [600 + 10 + i + 1 + i * 1000 for i in range(6)]
