"""The caching allocator: a pooled buffer is handed out again only when nothing can reach it."""

from __future__ import annotations

import gc
import os
import threading
import weakref

import numpy as np
import pytest

import jitgrad
from jitgrad import memory

SHAPE = (512, 1024)  # 2 MB of float32: above memory.MIN_BYTES
F32, F64, U8 = (np.dtype(t) for t in (np.float32, np.float64, np.uint8))


def _addr(a: np.ndarray) -> int:
    return a.__array_interface__["data"][0]


@pytest.fixture(autouse=True)
def _fresh_pool():
    gc.collect()
    memory.empty_cache()
    yield
    memory.empty_cache()


def _held() -> int:
    """Pooled bytes; other tests' live tensors may hold some, so tests compare differences."""
    return memory.pool_info()["held"]


def test_a_dropped_buffer_is_reused_and_a_live_one_is_not():
    a = memory.empty(SHAPE, F32)
    where = _addr(a)
    b = memory.empty(SHAPE, F32)
    assert _addr(b) != where  # a is alive
    del a
    c = memory.empty(SHAPE, F32)
    assert _addr(c) == where
    assert c.shape == SHAPE and c.dtype == np.float32 and c.flags.c_contiguous


@pytest.mark.parametrize(
    "keep",
    [
        lambda a: a[3:],  # a slice
        lambda a: a.reshape(-1),  # a view of another shape
        lambda a: memoryview(a),  # a buffer export
        lambda a: np.frombuffer(a, U8),  # an array built over the buffer
        lambda a: jitgrad.from_numpy(a),  # a tensor sharing the memory
    ],
    ids=["slice", "reshape", "memoryview", "frombuffer", "tensor"],
)
def test_anything_reaching_the_memory_keeps_it_out_of_the_pool(keep):
    a = memory.empty(SHAPE, F32)
    where = _addr(a)
    held = keep(a)
    del a
    assert _addr(memory.empty(SHAPE, F32)) != where
    del held
    assert _addr(memory.empty(SHAPE, F32)) == where


def test_zeros_from_a_reused_buffer_are_zero():
    a = memory.empty(SHAPE, F64)
    a.fill(7.0)
    where = _addr(a)
    del a
    z = memory.zeros(SHAPE, F64)
    assert _addr(z) == where and not z.any()


def test_small_requests_and_a_zero_limit_bypass_the_pool(monkeypatch):
    small = memory.empty((16,), F32)
    assert small.base is None
    for _ in range(3):  # malloc hands back freed blocks with their old contents
        memory.empty((16,), F32).fill(5.0)
        assert not memory.zeros((16,), F32).any()
    before = _held()
    monkeypatch.setenv("JITGRAD_POOL_MB", "0")
    big = memory.empty(SHAPE, F32)
    assert big.base is None and _held() == before


def test_the_limit_evicts_idle_buffers_and_never_in_use_ones(monkeypatch):
    before = _held()  # all in use (the fixture released the idle ones)
    monkeypatch.setenv("JITGRAD_POOL_MB", str((before + (5 << 20)) / (1 << 20)))  # 5 MB more
    a = memory.empty(SHAPE, F32)
    b = memory.empty((256, 1024), F64)
    assert _held() == before + (4 << 20)
    c = memory.empty((3, 1 << 20), U8)  # 3 MB: a and b are in use, no room
    assert c.base is None
    del b
    d = memory.empty((3, 1 << 20), U8)  # b is idle now: evicted to make room
    assert d.base is not None
    info = memory.pool_info()
    assert info["held"] == before + (5 << 20) and info["in_use"] == info["held"]
    del a, d


def test_empty_cache_releases_idle_buffers_only():
    before = _held()
    a = memory.empty(SHAPE, F32)
    b = memory.empty(SHAPE, F32)
    del b
    info = memory.pool_info()
    assert info["held"] == before + (4 << 20) and info["idle"] == 2 << 20
    assert info["in_use"] == before + (2 << 20)
    memory.empty_cache()
    info = memory.pool_info()
    assert info["held"] == info["in_use"] == before + (2 << 20) and info["idle"] == 0
    a[...] = 1  # still valid memory


def test_threads_never_share_a_buffer():
    live: list[np.ndarray] = []
    lock = threading.Lock()

    def work():
        for _ in range(50):
            a = memory.empty(SHAPE, F32)
            with lock:
                live.append(a)
                if len(live) > 6:
                    live.pop(0)
            del a

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    fresh = [memory.empty(SHAPE, F32) for _ in range(4)]
    addrs = [_addr(a) for a in live + fresh]
    assert len(set(addrs)) == len(addrs)


@pytest.mark.parametrize("fuse", [True, False], ids=["fused", "unfused"])
def test_a_gradient_the_user_kept_is_never_overwritten(fuse):
    """A training loop that keeps last step's gradient: the next step must not write into it."""
    x = jitgrad.randn(1 << 19, requires_grad=True)  # 2 MB gradients: pooled
    with jitgrad.fusion(fuse):
        (x * x).sum().backward()
        first = x.grad
        snapshot = first.numpy().copy()
        x.grad = None
        (x * 3.0).sum().backward()
    assert np.array_equal(first.numpy(), snapshot)
    assert np.all(x.grad.numpy() == 3.0)
    assert _addr(x.grad.numpy()) != _addr(first.numpy())


def test_a_training_loop_reuses_its_gradient_buffers():
    x = jitgrad.randn(1 << 19, requires_grad=True)
    y = jitgrad.randn(1 << 19, requires_grad=True)
    seen = []
    for _ in range(4):
        x.grad = y.grad = None
        ((x - y) ** 2).mean().backward()
        seen.append((_addr(x.grad.numpy()), _addr(y.grad.numpy())))
        expected = 2 * (x.detach().numpy() - y.detach().numpy()) / x.numel()
        np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-6)
    assert len(set(seen[1:])) == 1  # steady state: the same two buffers every step


MB = 1 << 20


def _block(nbytes: int) -> np.ndarray:
    return memory.empty((nbytes,), U8)


def test_sizes_in_one_class_share_a_block_and_get_their_exact_shape():
    a = memory.empty((int(1.1 * MB) // 4,), F32)  # 1.1 MB: the 1.25 MB class
    where = _addr(a)
    del a
    b = memory.empty((300, 1000), F32)  # 1.2 MB: the same class
    assert _addr(b) == where
    assert b.shape == (300, 1000) and b.nbytes == 1_200_000 and b.flags.c_contiguous
    assert b.base.nbytes == memory.size_class(1_200_000) == int(1.25 * MB)


def test_size_classes_waste_at_most_a_fifth_of_a_block():
    rng = np.random.default_rng(0)
    for n in [MB, MB + 1, 2 * MB - 1, 2 * MB, 3 * MB + 7, *rng.integers(MB, 1 << 30, 1000)]:
        c = memory.size_class(int(n))
        assert n <= c and (c - n) / c <= 0.2
        assert memory.size_class(c) == c  # a class is its own class


def test_a_larger_idle_block_serves_a_request_up_to_half_its_size():
    a = _block(4 * MB)
    where = _addr(a)
    del a
    b = _block(int(2.5 * MB))  # no idle 2.5 MB block: the idle 4 MB one (at most 2x)
    assert _addr(b) == where and b.nbytes == int(2.5 * MB)
    del b
    c = _block(int(1.5 * MB))  # 4 MB is more than twice 1.5 MB: a new block
    assert _addr(c) != where


def test_growing_past_the_idle_cap_evicts_the_least_recently_used_idle_blocks(monkeypatch):
    monkeypatch.setenv("JITGRAD_POOL_IDLE_MB", "5")
    a, b, c = _block(2 * MB), _block(3 * MB), _block(4 * MB)
    roots = {name: weakref.ref(x.base) for name, x in (("a", a), ("b", b), ("c", c))}
    del a, b, c  # 9 MB idle: more than the cap, but nothing grows, so nothing is evicted
    assert memory.pool_info()["idle"] == 9 * MB
    a = _block(2 * MB)  # a is reused, so it is now the most recently used
    del a
    d = _block(7 * MB)  # grows the pool: b, then c go (least recently used first)
    assert [name for name, r in roots.items() if r() is None] == ["b", "c"]
    assert memory.pool_info()["idle"] == 2 * MB <= 5 * MB
    del d


def test_an_evicted_block_goes_back_to_the_system():
    def rss() -> int:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    a = _block(64 * MB)
    a.fill(1)  # touched: resident
    resident = rss()
    del a
    memory.empty_cache()
    assert rss() < resident - 48 * MB


def test_varying_sizes_hold_at_most_their_peak_use_plus_the_idle_cap(monkeypatch):
    """The pool trims when it grows (never on reuse: a loop with fixed sizes must not evict
    its own working set between steps), so what it holds is bounded by the most that was in
    use when it last grew, plus the idle cap."""
    monkeypatch.setenv("JITGRAD_POOL_IDLE_MB", "32")
    rng = np.random.default_rng(1)
    live: list[np.ndarray] = []
    base = memory.pool_info()["in_use"]
    peak = 0
    for _ in range(400):  # 1-7 MB, up to seven alive at once, never touched (no page faults)
        live.append(_block(int(rng.integers(MB, 7 * MB))))
        info = memory.pool_info()
        peak = max(peak, info["in_use"] - base)
        assert info["held"] - base <= peak + 32 * MB
        if len(live) > 6:
            live.pop(int(rng.integers(0, len(live))))
    assert peak <= 7 * 7 * MB
    assert memory.pool_info()["held"] - base <= 7 * 7 * MB + 32 * MB  # vs 1 GB before


def test_threads_with_varying_sizes_never_share_or_corrupt_a_buffer(monkeypatch):
    """Concurrent takes, reuses and evictions (a small idle cap): every buffer keeps what its
    thread wrote until the thread drops it."""
    monkeypatch.setenv("JITGRAD_POOL_IDLE_MB", "8")
    errors: list[str] = []

    def work(seed: int) -> None:
        rng = np.random.default_rng(seed)
        mine: list[np.ndarray] = []
        for _ in range(150):
            a = memory.empty((int(rng.integers(MB, 3 * MB)) // 8,), F64)
            a.fill(seed)
            mine.append(a)
            if len(mine) > 3:
                old = mine.pop(0)
                if not np.all(old == seed):
                    errors.append(f"thread {seed}: buffer overwritten")
    threads = [threading.Thread(target=work, args=(k,)) for k in range(1, 5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
