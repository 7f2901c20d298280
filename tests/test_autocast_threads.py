"""Autocast state is per thread, as in PyTorch (``at::autocast`` keeps thread-local flags): a
region opened in one thread neither enables nor changes the dtype of another thread's ops."""

from __future__ import annotations

import threading

import jitgrad


def test_autocast_region_is_thread_local() -> None:
    inside = threading.Event()
    checked = threading.Event()
    seen: dict[str, object] = {}

    def in_region() -> None:
        with jitgrad.autocast("cpu", dtype=jitgrad.float16):
            x = jitgrad.ones(2, 2)
            seen["region_mm"] = (x @ x).dtype
            seen["region_enabled"] = jitgrad.is_autocast_enabled("cpu")
            inside.set()
            checked.wait(30)
        seen["after_enabled"] = jitgrad.is_autocast_enabled("cpu")

    def outside() -> None:
        inside.wait(30)  # the other thread's region is open now
        x = jitgrad.ones(2, 2)
        seen["other_mm"] = (x @ x).dtype
        seen["other_enabled"] = jitgrad.is_autocast_enabled("cpu")
        seen["other_dtype"] = jitgrad.get_autocast_dtype("cpu")
        checked.set()

    threads = [threading.Thread(target=in_region), threading.Thread(target=outside)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert seen["region_mm"] is jitgrad.float16 and seen["region_enabled"] is True
    assert seen["other_mm"] is jitgrad.float32 and seen["other_enabled"] is False
    assert seen["other_dtype"] is jitgrad.bfloat16  # PyTorch's CPU default outside a region
    assert seen["after_enabled"] is False
    assert not jitgrad.is_autocast_enabled("cpu")  # the main thread never entered one


def test_main_thread_region_does_not_reach_a_new_thread() -> None:
    seen: list[object] = []

    def worker() -> None:
        x = jitgrad.ones(2, 2)
        seen.append((jitgrad.is_autocast_enabled("cpu"), (x @ x).dtype))

    with jitgrad.autocast("cpu", dtype=jitgrad.bfloat16):
        t = threading.Thread(target=worker)
        t.start()
        t.join(60)
        x = jitgrad.ones(2, 2)
        assert (x @ x).dtype is jitgrad.bfloat16
    assert seen == [(False, jitgrad.float32)]


def test_one_autocast_object_shared_by_two_threads_restores_each() -> None:
    region = jitgrad.autocast("cpu", dtype=jitgrad.float16)
    barrier = threading.Barrier(2)
    after: list[bool] = []

    def worker() -> None:
        with region:
            barrier.wait(30)  # both threads inside the same object's region at once
        after.append(jitgrad.is_autocast_enabled("cpu"))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert after == [False, False]
