"""Generated kernels above the parallel threshold run as serial ``nogil`` chunk kernels on a
thread pool (jitgrad.fusion.chunked): same results as the serial kernel, bitwise the same at
1 and 2 threads, NaN/inf propagated, every size including empty and odd ones."""

from __future__ import annotations

import multiprocessing
import threading
import weakref
from dataclasses import replace

import numba
import numpy as np
import pytest

import jitgrad
from jitgrad.fusion import chunked, codegen
from jitgrad.kernels.cpu import workers

F32 = "float32"
#: out = x * s + y, loss = sum(out * out): a store and a full reduction over one 1-D loop.
SPEC_1D = codegen.KernelSpec(
    "test_chunk1",
    (("x", False), ("y", False), ("s", True)),
    (("v", "x_ * s + y_"), ("sq", "v * v")),
    (("out", "v", codegen.STORE, F32), ("loss", "sq", codegen.REDUCE, F32)),
    1,
    parallel=True,
)
#: The same over a 2-D loop, plus a row sum accumulated into a (rows, 1) view.
SPEC_2D = codegen.KernelSpec(
    "test_chunk2",
    (("x", False), ("y", False), ("s", True)),
    (("v", "x_ * s + y_"), ("sq", "v * v")),
    (
        ("out", "v", codegen.STORE, F32),
        ("rows", "v", codegen.ACCUMULATE_ROW, F32),
        ("loss", "sq", codegen.REDUCE, F32),
    ),
    2,
    parallel=True,
)

#: out = x * s + y alone: no reduced output, so a one-chunk launch runs the serial kernel.
SPEC_STORE = codegen.KernelSpec(
    "test_chunk_store",
    (("x", False), ("y", False), ("s", True)),
    (("v", "x_ * s + y_"),),
    (("out", "v", codegen.STORE, F32),),
    1,
    parallel=True,
)


def _threads(n: int):
    """Run with ``numba.set_num_threads(n)`` (capped at what this machine has)."""
    return min(n, numba.config.NUMBA_NUM_THREADS)


def _launch(spec, x, y, threads):
    numba.set_num_threads(_threads(threads))
    try:
        out = np.full_like(x, -7.0)
        loss = np.zeros(1, np.float32)
        args = [x, y, np.float32(0.5), out]
        if spec.ndim == 2:
            rows = np.zeros((x.shape[0], 1), np.float32)
            args.append(np.lib.stride_tricks.as_strided(rows, x.shape, (rows.strides[0], 0)))
        codegen.get_kernel(spec).fn(*args, loss)
        return (out, loss) if spec.ndim == 1 else (out, loss, rows)
    finally:
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)


def _data(shape, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(shape).astype(np.float32) for _ in range(2))


def test_a_parallel_spec_renders_a_nogil_chunk_kernel_without_prange():
    source = codegen.render_source(SPEC_1D)
    assert "prange" not in source and "parallel=True" not in source
    assert "nogil=True" in source and "part_loss, lo_, hi_):" in source
    assert "for i_blk in range(lo_, hi_):" in source
    serial = codegen.render_source(replace(SPEC_1D, parallel=False))
    assert "nogil" not in serial and "lo_" not in serial


def test_1d_chunk_kernel_indexes_slices_and_compiles_without_gathers():
    """``x[i]`` with ``i`` from ``range(lo_, hi_)`` keeps Numba's negative-index select and the
    loop compiled to gathers and scatters (a 4M-element mul into a fresh array took 45 ms
    instead of 2 ms); the chunk's slices indexed from 0 vectorize."""
    spec = codegen.KernelSpec(
        "test_chunk_store",
        (("x", False), ("y", False)),
        (("v", "x_ * y_"),),
        (("out", "v", codegen.STORE, F32),),
        1,
        parallel=True,
    )
    source = codegen.render_source(spec)
    assert "c_x = x[lo_:hi_]" in source and "for i0 in range(hi_ - lo_):" in source
    x, y = _data(100_000, 3)
    out = np.empty_like(x)
    kernel = codegen.get_kernel(spec)
    kernel.fn(x, y, out)
    np.testing.assert_array_equal(out, x * y)
    asm = "\n".join(kernel.dispatcher.inspect_asm().values()).lower()
    assert "gather" not in asm and "scatter" not in asm


@pytest.mark.parametrize("n", [0, 1, 4095, 4097, 3 * 4096, 100_003, 262_145])
def test_1d_chunked_is_bitwise_the_serial_kernel_at_1_and_2_threads(n):
    x, y = _data(n)
    serial = codegen.get_kernel(replace(SPEC_1D, parallel=False))
    out_s, loss_s = np.full_like(x, -7.0), np.zeros(1, np.float32)
    serial.fn(x, y, np.float32(0.5), out_s, loss_s)
    for threads in (2, 1, 2):  # the first call compiles (in whichever thread is first)
        out, loss = _launch(SPEC_1D, x, y, threads)
        np.testing.assert_array_equal(out, out_s)
        assert loss.tobytes() == loss_s.tobytes(), (threads, loss, loss_s)
    ref = x.astype(np.float64) * 0.5 + y
    np.testing.assert_allclose(out, ref.astype(np.float32), rtol=1e-6)
    np.testing.assert_allclose(loss[0], (ref * ref).sum(), rtol=1e-5)


@pytest.mark.parametrize("shape", [(0, 5), (1, 40_000), (37, 1001), (513, 129)])
def test_2d_chunked_is_bitwise_the_same_at_1_and_2_threads(shape):
    x, y = _data(shape, 1)
    one = _launch(SPEC_2D, x, y, 1)
    two = _launch(SPEC_2D, x, y, 2)
    for a, b in zip(one, two, strict=True):
        assert a.tobytes() == b.tobytes()
    out, loss, rows = two
    ref = x.astype(np.float64) * 0.5 + y
    np.testing.assert_allclose(out, ref.astype(np.float32), rtol=1e-6)
    np.testing.assert_allclose(rows[:, 0], ref.sum(1), rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(loss[0], (ref * ref).sum(), rtol=1e-5)


@pytest.mark.parametrize("spec", [SPEC_1D, SPEC_2D], ids=["1d", "2d"])
def test_nan_and_inf_in_any_chunk_propagate(spec):
    shape = (300_001,) if spec.ndim == 1 else (300, 1001)
    x, y = _data(shape, 2)
    flat = x.reshape(-1)
    flat[-1] = np.nan  # in the last chunk
    flat[flat.size // 2] = np.inf
    for threads in (1, 2):
        res = _launch(spec, x, y, threads)
        out = res[0].reshape(-1)
        assert np.isnan(out[-1]) and out[flat.size // 2] == np.inf
        assert np.isnan(res[1][0])
        assert np.isfinite(out[:100]).all()


def test_a_one_chunk_launch_without_reductions_runs_the_serial_kernel():
    """Under two chunks' worth of elements (or on one thread) a chunk kernel with no reduced
    output runs the serial kernel of its spec (the same op on smaller tensors compiled it
    already) and is not compiled itself; on two threads a larger loop runs the chunk kernel.
    Both give what NumPy gives."""
    kernel = codegen.get_kernel(SPEC_STORE)
    chunk_dispatcher = kernel.dispatcher.dispatcher  # the Launcher's Numba dispatcher
    half = np.float32(0.5)
    for n, threads in [(2 * chunked.CHUNK_ELEMENTS - 1, 2), (2 * chunked.CHUNK_ELEMENTS, 1)]:
        x, y = _data(n, seed=n)
        out = np.full_like(x, -7.0)
        numba.set_num_threads(_threads(threads))
        try:
            kernel.fn(x, y, half, out)
        finally:
            numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        np.testing.assert_array_equal(out, x * half + y)
        assert chunk_dispatcher.signatures == [], n
    assert numba.config.NUMBA_NUM_THREADS >= 2, "this test needs two threads"
    x, y = _data(2 * chunked.CHUNK_ELEMENTS, seed=1)
    out = np.full_like(x, -7.0)
    numba.set_num_threads(2)
    try:
        kernel.fn(x, y, half, out)
    finally:
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    np.testing.assert_array_equal(out, x * half + y)
    assert len(chunk_dispatcher.signatures) == 1


def test_chunks_cover_the_range_once_in_order():
    for n, inner in [(0, 5), (1, 1 << 20), (7, 1), (1000, 4096), (100_003, 1)]:
        spans = [t[-2:] for t in chunked.chunks((), n, inner, 2)]
        assert spans[0][0] == 0 and spans[-1][1] == n
        assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
        assert all(hi > lo for lo, hi in spans) or n == 0


def test_pool_runs_every_task_once_and_reraises_after_all_finished():
    seen, lock = [], threading.Lock()
    numba.set_num_threads(_threads(2))

    def task(i):
        with lock:
            seen.append(i)

    workers.run(task, [(i,) for i in range(50)])
    assert sorted(seen) == list(range(50))

    running = []

    def failing(i):
        running.append(i)
        if i == 3:
            raise ValueError("task 3 failed")

    with pytest.raises(ValueError, match="task 3 failed"):
        workers.run(failing, [(i,) for i in range(8)])
    assert 3 in running and len(running) == len(set(running))
    workers.run(task, [])  # nothing to do is fine


def test_pool_reraises_from_a_worker_thread():
    numba.set_num_threads(_threads(2))
    main = threading.get_ident()
    started = threading.Event()

    def task(i):
        if threading.get_ident() != main:
            started.set()
            raise RuntimeError("from a worker")
        started.wait(10)  # keep the calling thread busy until a worker has taken a task

    assert numba.config.NUMBA_NUM_THREADS >= 2, "this test needs two threads"
    with pytest.raises(RuntimeError, match="from a worker"):
        workers.run(task, [(i,) for i in range(4)])


def test_a_queued_helper_does_not_keep_the_launch_buffers_alive():
    """Every worker busy: the caller runs all the tasks, and a helper still queued must not
    hold the launch's arrays (a freed graph's buffers came back late under CI load)."""
    numba.set_num_threads(_threads(2))
    assert numba.config.NUMBA_NUM_THREADS >= 2, "this test needs two threads"
    release, busy = threading.Event(), []
    for _ in range(workers.max_threads() - 1):  # occupy every worker of the pool
        busy.append(workers._pool().submit(release.wait, 30))
    try:
        buf = np.ones(1 << 10)
        ref = weakref.ref(buf)
        out = []
        workers.run(lambda a, i: out.append(a[i]), [(buf, i) for i in range(4)])
        assert out == [1.0] * 4
        del buf
        assert ref() is None  # nothing queued still refers to it
    finally:
        release.set()
        for f in busy:
            f.result(30)


def _square_sum_in_pool(n):
    numba.set_num_threads(_threads(2))
    out = []
    workers.run(lambda i: out.append(i * i), [(i,) for i in range(n)])
    return sum(out)


def test_a_forked_child_gets_its_own_pool():
    """A child forked after the pool started must not wait on the parent's (absent) workers."""
    assert _square_sum_in_pool(6) == 55  # the pool exists now
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(1) as child:
        assert child.apply_async(_square_sum_in_pool, (6,)).get(timeout=60) == 55


def test_fused_gelu_forward_backward_same_at_1_and_2_threads():
    (X,) = list(_data(200_003, 5))[:1]
    results = []
    for threads in (1, 2):
        numba.set_num_threads(_threads(threads))
        try:
            x = jitgrad.tensor(X, requires_grad=True)
            loss = (0.5 * x * (1 + jitgrad.tanh(0.79788456 * (x + 0.044715 * x**3)))).mean()
            loss.backward()
            results.append((loss.item(), x.grad.numpy().copy()))
        finally:
            numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    assert results[0][0] == results[1][0]
    np.testing.assert_array_equal(results[0][1], results[1][1])
    d = X.astype(np.float64)
    t = np.tanh(0.79788456 * (d + 0.044715 * d**3))
    np.testing.assert_allclose(results[0][0], (0.5 * d * (1 + t)).mean(), rtol=1e-5)
