"""jit.one_overload_per_layout: a call whose types were mapped to a normal form runs through
Numba's C dispatcher afterwards, without coming back to Python."""

from __future__ import annotations

import threading

import numba
import numpy as np

from jitgrad.kernels.cpu import jit


def _scale(x, out, k):  # pragma: no cover - compiled
    for i in range(x.shape[0]):
        out[i] = x[i] * k


def _spied_dispatcher():
    """A dispatcher under one_overload_per_layout, and the list of calls that reached its
    Python-level compile hook (a call the C dispatcher resolves never does)."""
    dispatcher = numba.njit(_scale)
    jit.one_overload_per_layout(dispatcher, 1)
    hook = dispatcher._compile_for_args
    reached = []

    def spy(*args, **kws):
        reached.append(args)
        return hook(*args, **kws)

    dispatcher._compile_for_args = spy
    return dispatcher, reached


def test_mapped_call_skips_the_python_hook():
    dispatcher, reached = _spied_dispatcher()
    x, out = np.arange(4, dtype=np.float32), np.empty(4, np.float32)
    dispatcher(x, out, np.float32(2))
    assert len(reached) == 1  # the first call compiles the read-only form and maps x's type
    dispatcher(x, out, np.float32(3))
    assert len(reached) == 1
    np.testing.assert_array_equal(out, x * 3)


def test_signature_mapped_by_two_first_calls_at_once_stays_fast():
    # Two pool threads making the first call of a chunk kernel both miss and both map the
    # signature; mapped twice, Numba's C dispatcher found it ambiguous and sent every later
    # call to the Python hook (0.5 ms a call). The race, made deterministic: the hook twice.
    dispatcher, reached = _spied_dispatcher()
    x, out = np.arange(4, dtype=np.float32), np.empty(4, np.float32)
    dispatcher._compile_for_args(x, out, np.float32(2))
    dispatcher._compile_for_args(x, out, np.float32(2))
    reached.clear()
    for k in range(3):
        dispatcher(x, out, np.float32(k))
    assert reached == []
    np.testing.assert_array_equal(out, x * 2)


def test_first_calls_from_threads_stay_fast():
    dispatcher, reached = _spied_dispatcher()
    x, out = np.arange(4096, dtype=np.float32), np.empty(4096, np.float32)
    barrier = threading.Barrier(4)

    def first_call():
        barrier.wait()
        dispatcher(x, out, np.float32(2))

    threads = [threading.Thread(target=first_call) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    reached.clear()
    dispatcher(x, out, np.float32(5))
    assert reached == []
    np.testing.assert_array_equal(out, x * 5)
