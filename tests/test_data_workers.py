"""``DataLoader(num_workers > 0)`` over an ``IterableDataset`` reads per-worker replicas in
turn, as PyTorch 2.13's workers do (expected batches read off PyTorch running the same code):
``get_worker_info()`` describes the worker inside it, a dataset that ignores it repeats its
stream once per worker, ``worker_init_fn`` runs per worker, and ``drop_last`` applies per
worker."""

from __future__ import annotations

import dataclasses

import pytest

from jitgrad.utils.data import DataLoader, IterableDataset, get_worker_info


class _Split(IterableDataset):
    def __iter__(self):
        info = get_worker_info()
        if info is None:
            return iter(range(6))
        return iter(range(info.id, 6, info.num_workers))


class _Whole(IterableDataset):
    def __iter__(self):
        return iter(range(3))


def _batches(loader: DataLoader) -> list:
    return [b.tolist() for b in loader]


def test_workers_split_by_worker_info() -> None:
    assert get_worker_info() is None
    assert _batches(DataLoader(_Split(), batch_size=2, num_workers=2)) == [[0, 2], [1, 3], [4], [5]]
    assert _batches(DataLoader(_Split(), batch_size=2)) == [[0, 1], [2, 3], [4, 5]]
    assert get_worker_info() is None


def test_each_worker_yields_the_whole_stream_without_worker_info() -> None:
    loader = DataLoader(_Whole(), batch_size=2, num_workers=2)
    assert _batches(loader) == [[0, 1], [0, 1], [2], [2]]
    assert _batches(DataLoader(_Whole(), batch_size=2, num_workers=2, drop_last=True)) == [
        [0, 1],
        [0, 1],
    ]
    assert list(DataLoader(_Whole(), batch_size=None, num_workers=3)) == [
        0,
        0,
        0,
        1,
        1,
        1,
        2,
        2,
        2,
    ]


def test_worker_init_fn_and_info_fields() -> None:
    seen = []

    def init(wid: int) -> None:
        info = get_worker_info()
        seen.append((wid, info.id, info.num_workers, info.dataset is ds))

    ds = _Split()
    _batches(DataLoader(ds, batch_size=3, num_workers=2, worker_init_fn=init))
    assert seen == [(0, 0, 2, True), (1, 1, 2, True)]  # forked workers see the same object


def test_worker_info_is_frozen() -> None:
    infos = []

    class _Grab(IterableDataset):
        def __iter__(self):
            infos.append(get_worker_info())
            return iter(())

    assert _batches(DataLoader(_Grab(), num_workers=1)) == []
    with pytest.raises(dataclasses.FrozenInstanceError):
        infos[0].id = 3
