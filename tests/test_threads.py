"""Threads: grad mode, inference mode and ``jitgrad.fusion`` are per thread (as PyTorch's grad
and inference modes are), and the shared caches (replayed backward programs, deferred
forward chains, compiled kernels) give every thread the results it would get alone.

Threads meet at a ``threading.Barrier`` before every step, so their steps overlap: with the
GIL they interleave op by op, which is what a process-wide flag or a shared scratch buffer
gets wrong. Results are compared bitwise with the same computation run on one thread.

Each test runs its computation on one thread before starting threads, so every kernel is
compiled by then: the threads test the caches and modes here, not concurrent first compiles
of one kernel (``jitgrad.fusion.diskcache``'s business).
"""

from __future__ import annotations

import sys
import threading

import numpy as np
import pytest

import jitgrad
import jitgrad.nn.functional as F
from jitgrad.frontend import lazy as L

THREADS = 4
ITERS = 12
TIMEOUT = 120  # seconds a test waits for its threads (a hang fails instead of blocking)


@pytest.fixture(autouse=True)
def _switch_often():
    """Threads switch every 10 us instead of every 5 ms: steps interleave op by op."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    yield
    sys.setswitchinterval(interval)


def _run_threads(target, args_per_thread: list[tuple], barrier=None) -> list:
    """Run ``target(*args)`` on one thread per args tuple; their results in order, or the
    first exception a thread raised (re-raised here; it breaks ``barrier``, so the other
    threads stop waiting there)."""
    results: list = [None] * len(args_per_thread)
    errors: list[BaseException] = []

    def body(i: int, args: tuple) -> None:
        try:
            results[i] = target(*args)
        except BaseException as e:  # noqa: BLE001 - re-raised on the main thread
            errors.append(e)
            if barrier is not None:
                barrier.abort()

    threads = [
        threading.Thread(target=body, args=(i, a), daemon=True)
        for i, a in enumerate(args_per_thread)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a thread did not finish"
    if errors:
        raise errors[0]
    return results


def _pending(t: jitgrad.Tensor) -> bool:
    """Whether ``t``'s value is deferred and not computed yet."""
    return type(L.raw(t)) is L.Pending


def _assert_same(got: list, want: list) -> None:
    assert len(got) == len(want)
    for step, (g, w) in enumerate(zip(got, want, strict=True)):
        for k, (a, b) in enumerate(zip(g, w, strict=True)):
            assert np.array_equal(a, b), f"step {step}, result {k} differs from one thread's"


# ---- the example and grad mode --------------------------------------------------


def test_no_grad_in_another_thread_does_not_stop_recording():
    inside, release = threading.Event(), threading.Event()

    def other() -> None:
        with jitgrad.no_grad():
            inside.set()
            release.wait(TIMEOUT)

    x = jitgrad.ones(3, requires_grad=True)
    a = (x * x).sum()
    t = threading.Thread(target=other)
    t.start()
    assert inside.wait(TIMEOUT)
    b = (x * 3).sum()  # recorded here while the other thread is inside no_grad
    assert jitgrad.is_grad_enabled()
    release.set()
    t.join(TIMEOUT)
    (a + b).backward()
    np.testing.assert_array_equal(x.grad.numpy(), [5.0, 5.0, 5.0])


def test_no_grad_block_in_one_thread_while_another_records_many_steps():
    """One thread enters no_grad every step while three record: no step loses its graph
    and the no_grad thread's results never require grad."""

    def recorder(seed: int, sync) -> list:
        x = jitgrad.tensor(np.random.default_rng(seed).standard_normal(16), requires_grad=True)
        grads = []
        for _ in range(40):
            sync()
            x.grad = None
            y = (x * x + x * 2.0).sum()
            assert y.requires_grad and y.grad_fn is not None
            y.backward()
            grads.append(x.grad.numpy().copy())
        return grads

    def toggler(sync) -> list:
        x = jitgrad.ones(16, requires_grad=True)
        for _ in range(40):
            sync()
            with jitgrad.no_grad():
                y = x * 2.0 + 1.0
                assert not y.requires_grad and not jitgrad.is_grad_enabled()
            assert jitgrad.is_grad_enabled()
        return []

    recorder(0, lambda: None)  # compiles what the threads run
    toggler(lambda: None)
    barrier = threading.Barrier(THREADS, timeout=TIMEOUT)

    def run(i: int) -> list:
        return toggler(barrier.wait) if i == THREADS - 1 else recorder(i, barrier.wait)

    results = _run_threads(run, [(i,) for i in range(THREADS)], barrier)
    for i, grads in enumerate(results[:-1]):
        xn = np.random.default_rng(i).standard_normal(16)
        for g in grads:
            np.testing.assert_allclose(g, 2 * xn + 2.0, rtol=1e-12)


def test_set_grad_enabled_call_and_inference_mode_are_per_thread():
    ready, done = threading.Event(), threading.Event()
    seen: dict[str, object] = {}

    def other() -> None:
        jitgrad.set_grad_enabled(False)  # a plain call: this thread only, until changed
        seen["grad_after_call"] = jitgrad.is_grad_enabled()
        with jitgrad.inference_mode():
            seen["inference"] = jitgrad.is_inference_mode_enabled()
            ready.set()
            done.wait(TIMEOUT)
        child = {}

        def grandchild() -> None:  # a new thread starts with the defaults
            child["grad"] = jitgrad.is_grad_enabled()
            child["inference"] = jitgrad.is_inference_mode_enabled()

        t = threading.Thread(target=grandchild)
        t.start()
        t.join(TIMEOUT)
        seen["child"] = child

    t = threading.Thread(target=other)
    t.start()
    assert ready.wait(TIMEOUT)
    assert jitgrad.is_grad_enabled() and not jitgrad.is_inference_mode_enabled()
    x = jitgrad.ones(2, requires_grad=True)
    assert (x * 2).requires_grad
    done.set()
    t.join(TIMEOUT)
    assert seen["grad_after_call"] is False and seen["inference"] is True
    assert seen["child"] == {"grad": True, "inference": False}
    assert jitgrad.is_grad_enabled()


class _Blocking(jitgrad.autograd.Function):
    """x * 2 whose backward signals ``inside`` and waits for ``release``."""

    inside = threading.Event()
    release = threading.Event()

    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        _Blocking.inside.set()
        assert _Blocking.release.wait(TIMEOUT)
        return g * 2


def _fused_backward(loss: jitgrad.Tensor) -> None:
    with jitgrad.fusion(True):  # (replay needs fusion; a thread starts with the default)
        loss.backward()


def test_a_running_backward_or_replay_leaves_other_threads_recording():
    """The engine and the replay turn grad mode off while they run: in their thread only."""
    from jitgrad.fusion import replay

    x = jitgrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * x).sum().backward()
    x.grad = None
    with jitgrad.fusion(False):  # compiles what the other thread will run (nothing replays)
        _Blocking.release.set()
        (_Blocking.apply(x * 1.5) * x).sum().backward()
    for step in range(3):  # the first sweep records a program, the later ones replay it
        _Blocking.inside.clear()
        _Blocking.release.clear()
        x.grad = None
        loss = (_Blocking.apply(x * 1.5) * x).sum()
        before = replay.info()["replayed"]
        t = threading.Thread(target=_fused_backward, args=(loss,))
        t.start()
        try:
            assert _Blocking.inside.wait(TIMEOUT)
            assert jitgrad.is_grad_enabled()
            y = (x * x).sum()  # while the other thread is inside backward
            assert y.requires_grad and y.grad_fn is not None
        finally:
            _Blocking.release.set()
            t.join(TIMEOUT)
        assert replay.info()["replayed"] == before + (step > 0)
        np.testing.assert_array_equal(x.grad.numpy(), 6.0 * np.array([1.0, 2.0, 3.0]))


# ---- independent training steps on several threads, bitwise as on one -----------------


def _leaf(rng, *shape) -> jitgrad.Tensor:
    return jitgrad.tensor(rng.standard_normal(shape).astype(np.float32), requires_grad=True)


@jitgrad.fusion(True)  # (as fusion's default, whatever JITGRAD_FUSE says)
def _program(seed: int, iters: int, sync) -> list:
    """Four graphs per step on this thread's own tensors: a 100K-element elementwise chain
    (deferred, fused forward and backward in one kernel), a 16-element one, a matmul with a
    reduction over a dim, and an nn.Linear + cross_entropy step with SGD."""
    rng = np.random.default_rng(seed)
    a, b = _leaf(rng, 100_000), _leaf(rng, 100_000)
    s, t = _leaf(rng, 16), _leaf(rng, 16)
    x, w = _leaf(rng, 32, 20), _leaf(rng, 20, 10)
    feats = jitgrad.tensor(rng.standard_normal((24, 20)).astype(np.float32))
    labels = jitgrad.tensor(rng.integers(0, 5, 24))
    lin = jitgrad.nn.Linear(20, 5)
    with jitgrad.no_grad():
        lin.weight.copy_(jitgrad.tensor(rng.standard_normal((5, 20)).astype(np.float32)))
        lin.bias.copy_(jitgrad.tensor(rng.standard_normal(5).astype(np.float32)))
    opt = jitgrad.optim.SGD(lin.parameters(), lr=0.1, momentum=0.9)
    out = []
    for _ in range(iters):
        sync()
        for p in (a, b, s, t, x, w):
            p.grad = None
        h = a * b + 0.5
        big = (jitgrad.tanh(h) * h - b * 0.25).square().mean()
        big.backward()
        small = (jitgrad.sigmoid(s * t) * s - t).sum()
        small.backward()
        m = jitgrad.relu(x @ w - 0.1).sum(dim=1)
        red = (m * m).mean()
        red.backward()
        opt.zero_grad()
        ce = F.cross_entropy(lin(feats), labels)
        ce.backward()
        opt.step()
        out.append(
            [big.item(), a.grad.numpy().copy(), b.grad.numpy().copy()]
            + [small.item(), s.grad.numpy().copy(), t.grad.numpy().copy()]
            + [red.item(), x.grad.numpy().copy(), w.grad.numpy().copy()]
            + [ce.item(), lin.weight.detach().numpy().copy(), lin.bias.detach().numpy().copy()]
        )
    return out


def test_threads_training_on_their_own_tensors_match_one_thread_bitwise():
    from jitgrad.fusion import replay

    alone = [_program(seed, ITERS, lambda: None) for seed in range(THREADS)]
    barrier = threading.Barrier(THREADS, timeout=TIMEOUT)
    before = replay.info()["replayed"]
    got = _run_threads(_program, [(seed, ITERS, barrier.wait) for seed in range(THREADS)], barrier)
    for g, want in zip(got, alone, strict=True):
        _assert_same(g, want)
    # Every thread builds the same structures: programs recorded by one are replayed by
    # all, concurrently (a step whose graph another thread's nodes interleaved with may
    # record instead, so not every step replays).
    assert replay.info()["replayed"] - before >= THREADS * ITERS


def test_fusion_off_in_one_thread_while_another_fuses(lazy):
    n = 100_000
    rng = np.random.default_rng(7)
    an = rng.standard_normal(n).astype(np.float32)
    bn = rng.standard_normal(n).astype(np.float32)
    barrier = threading.Barrier(2, timeout=TIMEOUT)

    def step(fused: bool, sync) -> list:
        jitgrad.fusion(fused)  # a plain call: this thread only
        a = jitgrad.tensor(an, requires_grad=True)
        b = jitgrad.tensor(bn, requires_grad=True)
        out = []
        for _ in range(6):
            sync()
            assert jitgrad.fusion.is_enabled() is fused
            a.grad = b.grad = None
            h = a * b + 0.5
            assert (type(h) is L.LazyTensor) is fused  # deferred only where fusion is on
            loss = (jitgrad.exp(-h * h) * b).mean()
            chain = loss.grad_fn.next_functions[0][0]
            loss.backward()
            assert hasattr(chain, "_ran") is fused  # its fused kernel ran, or none did
            out.append([loss.item(), a.grad.numpy().copy(), b.grad.numpy().copy()])
        return out

    with jitgrad.fusion(True):  # restored after the plain calls in step
        want_unfused = step(False, lambda: None)
        want_fused = step(True, lambda: None)
        got = _run_threads(step, [(True, barrier.wait), (False, barrier.wait)], barrier)
        assert jitgrad.fusion.is_enabled()  # the other thread's call did not reach this one
    _assert_same(got[0], want_fused)
    _assert_same(got[1], want_unfused)


# ---- deferred forward values shared between threads ------------------------------------


def test_threads_reading_one_pending_value_compute_it_once(lazy):
    xn = np.linspace(-1.0, 1.0, 1000)
    x = jitgrad.tensor(xn)
    (jitgrad.tanh(x * 3.0) + 1.0).numpy()  # compiled before the threads start
    barrier = threading.Barrier(THREADS, timeout=TIMEOUT)
    values: list = []

    @jitgrad.fusion(True)
    def read(i: int) -> list:
        got = []
        for k in range(20):
            if i == 0:  # pending: computed by whichever thread reads it first
                values.append(jitgrad.tanh(x * 3.0) + float(k))
            barrier.wait()
            got.append(values[k].numpy().copy())
        return got

    launches = L.LAUNCHES[0]
    sys.setswitchinterval(1e-6)  # as often as the interpreter can (the fixture restores it)
    got = _run_threads(read, [(i,) for i in range(THREADS)], barrier)
    assert L.LAUNCHES[0] == launches + 20  # each value computed once
    for k in range(20):
        np.testing.assert_allclose(got[0][k], np.tanh(xn * 3.0) + k, rtol=1e-12)
        for g in got:
            np.testing.assert_array_equal(g[k], got[0][k])


def test_inplace_write_computes_the_pending_chains_that_read_it_only(lazy):
    """An in-place write runs (in any thread) the pending chains reading the tensor or a
    view of it first, as eager evaluation would have; unrelated chains stay pending."""
    w = jitgrad.tensor([1.0, 2.0, 3.0])
    other = jitgrad.tensor([5.0, 6.0, 7.0])
    made = threading.Event()
    chains: dict[str, jitgrad.Tensor] = {}

    def build() -> None:
        with jitgrad.fusion(True):
            chains["reads_w"] = w * 2.0 + 1.0
            chains["reads_view"] = w[1:] * 10.0
            chains["unrelated"] = other * 2.0
        made.set()

    t = threading.Thread(target=build)
    t.start()
    assert made.wait(TIMEOUT)
    t.join(TIMEOUT)
    assert all(_pending(c) for c in chains.values())
    launches = L.LAUNCHES[0]
    w.add_(100.0)
    assert L.LAUNCHES[0] == launches + 2  # the two chains that read w, first
    assert _pending(chains["unrelated"])  # it does not read w
    np.testing.assert_array_equal(chains["reads_w"].numpy(), [3.0, 5.0, 7.0])
    np.testing.assert_array_equal(chains["reads_view"].numpy(), [20.0, 30.0])
    np.testing.assert_array_equal(chains["unrelated"].numpy(), [10.0, 12.0, 14.0])


def test_one_thread_writing_in_place_leaves_another_threads_chains_pending(lazy):
    """A thread's in-place ops on its own tensors do not compute another thread's pending
    chains early: both threads' results stay bitwise as on one thread."""
    barrier = threading.Barrier(2, timeout=TIMEOUT)

    def writer(sync) -> list:
        v = jitgrad.tensor(np.arange(64, dtype=np.float64))
        out = []
        for _ in range(10):
            sync()  # the other thread's chain is pending now
            v.mul_(0.5).add_(1.0)
            sync()
            out.append([v.numpy().copy()])
        return out

    def fuser(sync) -> list:
        rng = np.random.default_rng(3)
        a = jitgrad.tensor(rng.standard_normal(256), requires_grad=True)
        out = []
        with jitgrad.fusion(True):
            for _ in range(10):
                a.grad = None
                h = jitgrad.sin(a) * a + a * a
                loss = h.mean()  # deferred: forward and backward in one kernel
                sync()
                sync()  # the other thread wrote in place meanwhile
                assert _pending(h)
                loss.backward()
                out.append([loss.item(), a.grad.numpy().copy(), h.detach().numpy().copy()])
        return out

    want = [writer(lambda: None), fuser(lambda: None)]

    def run(k: int) -> list:
        return (writer, fuser)[k](barrier.wait)

    got = _run_threads(run, [(0,), (1,)], barrier)
    _assert_same(got[0], want[0])
    _assert_same(got[1], want[1])


@pytest.mark.parametrize("n", [16, 100_000])
def test_many_threads_replaying_one_program(n):
    """Every thread runs the same structure at once for many steps: recorded programs are
    matched and replayed concurrently, each thread on its own graph."""
    from jitgrad.fusion import replay

    @jitgrad.fusion(True)  # (replay needs fusion; a thread starts with the default)
    def steps(seed: int, sync) -> list:
        rng = np.random.default_rng(seed)
        a, b = _leaf(rng, n), _leaf(rng, n)
        out = []
        for _ in range(25):
            sync()
            a.grad = b.grad = None
            h = a * b - 0.5
            loss = (jitgrad.tanh(h) + h * b).sum()
            loss.backward()
            out.append([loss.item(), a.grad.numpy().copy(), b.grad.numpy().copy()])
        return out

    alone = [steps(seed, lambda: None) for seed in range(THREADS)]
    barrier = threading.Barrier(THREADS, timeout=TIMEOUT)
    before = replay.info()["replayed"]
    got = _run_threads(steps, [(seed, barrier.wait) for seed in range(THREADS)], barrier)
    for g, want in zip(got, alone, strict=True):
        _assert_same(g, want)
    assert replay.info()["replayed"] - before >= THREADS * 10


def test_a_graph_interleaved_with_another_threads_nodes_replays_its_program():
    """A program is keyed by its nodes' creation order, not their creation numbers: the
    same graph built while another thread created nodes in between replays it (and gets
    the gradients it got alone)."""
    from jitgrad.fusion import replay

    x = jitgrad.tensor([0.3, -0.8, 1.2], requires_grad=True)
    y = jitgrad.tensor([1.1, 0.4, -0.6], requires_grad=True)
    z = jitgrad.tensor([0.5, 0.5, 0.5], requires_grad=True)
    turn, back = threading.Event(), threading.Event()

    def other() -> None:
        while turn.wait(TIMEOUT) and not back.is_set():
            turn.clear()
            (z * z + z).sum()  # nodes numbered between the main thread's
            back.set()

    def loss(interleave: bool) -> jitgrad.Tensor:
        h = x * y
        if interleave:
            turn.set()
            assert back.wait(TIMEOUT)
            back.clear()
        return (jitgrad.tanh(h) * y + x).sum()

    @jitgrad.fusion(True)
    def grads(interleave: bool) -> list:
        x.grad = y.grad = None
        loss(interleave).backward()
        return [x.grad.numpy().copy(), y.grad.numpy().copy()]

    replay.clear()
    want = grads(False)  # recorded
    t = threading.Thread(target=other, daemon=True)
    t.start()
    before = replay.info()["replayed"]
    for _ in range(3):  # the generic walk, then the generated matcher, recognise it
        for g, w in zip(grads(True), want, strict=True):
            np.testing.assert_array_equal(g, w)
    assert replay.info()["replayed"] == before + 3
    back.set()
    turn.set()
    t.join(TIMEOUT)
