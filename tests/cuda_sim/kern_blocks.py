"""kern_common.py's block runner for the simulator (workaround 1: threads joined, syncthreads()
a condition-variable barrier, in place of numba's polling manager) keeps the simulator's
semantics: a barrier orders shared-memory writes before reads, threads that returned do not
hold it, and a thread's exception is the one raised, with its thread and block ids."""

from __future__ import annotations

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
