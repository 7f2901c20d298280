"""Which recorded backward programs the replay cache keeps (see ``jitgrad.fusion.replay``).

A training loop with more live graph structures than the cache's first bound (bucketed
sequence lengths: one structure per bucket) must still replay once it has seen each (up to
twice the bound at a time: the cache remembers as many dropped keys as it keeps programs, and
doubles when most recordings are of those); a structure in use must outlive a stream of
one-off ones; shapes that never come back must not grow the cache.

The counts come from ``replay.info()``, the part of ``jitgrad.cache_info()`` these tests
read (``test_replay.py`` checks that the public name reports it): ``cache_info`` also walks
the disk cache's folder, and these tests ask ~170 times, which cost ~20 CPU s late in a full
run, when that folder holds thousands of files.
"""

from __future__ import annotations

import pytest

import jitgrad
from jitgrad.fusion import replay


@pytest.fixture(autouse=True)
def _fresh_cache():
    replay.clear()
    with jitgrad.fusion(True):
        yield
    replay.clear()


def _counts() -> tuple[int, int]:
    info = replay.info()
    return info["recorded"], info["replayed"]


def _step(x) -> None:
    """One backward of a graph whose structure is fixed by ``x``'s shape."""
    x.grad = None
    (x * 2.0 + 1.0).sum().backward()
    assert x.grad.tolist() == [2.0] * x.numel()


def test_more_live_structures_than_the_first_bound_replay_after_a_few_epochs():
    n = replay.MAX_PROGRAMS + 44
    xs = [jitgrad.ones(k, requires_grad=True) for k in range(1, n + 1)]
    per_epoch = []
    for _ in range(4):
        recorded, replayed = _counts()
        for x in xs:
            _step(x)
        now = _counts()
        per_epoch.append((now[0] - recorded, now[1] - replayed))
    assert per_epoch[0] == (n, 0)
    assert per_epoch[-1] == (0, n)  # every structure replays; oldest-first kept none of them
    info = replay.info()
    assert info["programs"] == n and info["bound"] > replay.MAX_PROGRAMS


def test_a_structure_in_use_outlives_a_stream_of_one_off_structures(monkeypatch):
    monkeypatch.setattr(replay, "MAX_PROGRAMS", 8)
    replay.clear()
    hot = jitgrad.ones(1000, requires_grad=True)
    _step(hot)
    for k in range(1, 41):  # five times the bound, each seen once, the hot one in between
        _step(jitgrad.ones(k, requires_grad=True))
        recorded, replayed = _counts()
        _step(hot)
        assert _counts() == (recorded, replayed + 1)


def test_shapes_that_never_come_back_do_not_grow_the_cache(monkeypatch):
    monkeypatch.setattr(replay, "MAX_PROGRAMS", 8)
    replay.clear()
    for k in range(1, 101):
        _step(jitgrad.ones(k, requires_grad=True))
        assert replay.info()["programs"] <= 8
    assert replay.info()["bound"] == 8


def test_the_bound_doubles_while_dropped_structures_come_back(monkeypatch):
    monkeypatch.setattr(replay, "MAX_PROGRAMS", 4)
    replay.clear()
    xs = [jitgrad.ones(k, requires_grad=True) for k in range(1, 7)]  # 6 live structures
    for _ in range(3):
        for x in xs:
            _step(x)
    recorded, replayed = _counts()
    for x in xs:
        _step(x)
    assert _counts() == (recorded, replayed + 6)
    assert replay.info()["bound"] == 8


def test_the_bound_stops_at_its_limit(monkeypatch):
    monkeypatch.setattr(replay, "MAX_PROGRAMS", 4)
    monkeypatch.setattr(replay, "MAX_PROGRAMS_LIMIT", 4)
    replay.clear()
    xs = [jitgrad.ones(k, requires_grad=True) for k in range(1, 7)]
    for _ in range(3):
        for x in xs:
            _step(x)
            info = replay.info()
            assert info["programs"] <= 4 and info["bound"] == 4
