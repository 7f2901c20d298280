"""Worker semantics for iterable datasets, without worker processes.

With ``num_workers > 0`` PyTorch gives each worker its own copy of an ``IterableDataset``
(pickled into the worker process) and reads one batch from each worker in turn, skipping
workers that are exhausted; inside a worker ``get_worker_info()`` describes it, which is how
a dataset splits its stream between workers (without that, every worker yields the whole
stream and the batches repeat, as in PyTorch). jitgrad runs the same workers in the calling
process: each calls ``iter(dataset)`` once, ``worker_init_fn(id)`` and each of its reads run
with its :class:`WorkerInfo` current, and batches come round robin. The workers share the
dataset object, as forked workers see the parent's (``info.dataset is dataset`` holds in
both); unlike forked copies, attributes one worker sets on it are seen by the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

__all__ = ["WorkerInfo", "get_worker_info"]


@dataclass(frozen=True)
class WorkerInfo:
    """What ``get_worker_info()`` returns inside a worker (PyTorch's fields)."""

    id: int
    num_workers: int
    seed: int
    dataset: Any
    rng: Any = None
    worker_method: str = "multiprocessing"


_CURRENT: list[WorkerInfo | None] = [None]


def get_worker_info() -> WorkerInfo | None:
    """The current loader worker's :class:`WorkerInfo`; ``None`` outside a worker."""
    return _CURRENT[0]


@contextmanager
def _as_worker(info: WorkerInfo) -> Iterator[None]:
    previous, _CURRENT[0] = _CURRENT[0], info
    try:
        yield
    finally:
        _CURRENT[0] = previous


class StreamWorkers:
    """``num_workers`` iterators over an iterable dataset, read one batch each in turn."""

    def __init__(
        self, dataset: Any, num_workers: int, base_seed: int, init_fn: Callable | None
    ) -> None:
        self._workers: list[list[Any]] = []
        for wid in range(num_workers):
            info = WorkerInfo(wid, num_workers, base_seed + wid, dataset)
            with _as_worker(info):
                if init_fn is not None:
                    init_fn(wid)
                self._workers.append([info, iter(dataset)])
        self._turn = 0

    def next_batch(self, fetch: Callable[[Iterator[Any]], Any]) -> Any:
        """``fetch(iterator)`` on the next worker still running; StopIteration from it ends
        that worker (the next one is asked), and when all have ended, the pass."""
        while self._workers:
            self._turn %= len(self._workers)
            info, it = self._workers[self._turn]
            with _as_worker(info):
                try:
                    batch = fetch(it)
                except StopIteration:
                    del self._workers[self._turn]
                    continue
            self._turn += 1
            return batch
        raise StopIteration
