"""``DataLoader``: batches of a dataset's samples, in order or shuffled, collated to tensors.

Loading always runs in the calling process. ``num_workers > 0`` is accepted and gives the
same batches in the same order as PyTorch's in-order worker loading (each batch is fetched
by the same code a worker would run), without worker processes: jitgrad's kernels already use
the cores, and a program written for workers runs unchanged. For a map-style dataset
``get_worker_info()`` is therefore ``None`` and ``worker_init_fn`` is not called; an
``IterableDataset`` is read from per-worker replicas as PyTorch's workers read it
(:mod:`._workers`), since there the workers change which samples come out.

Shuffling draws from ``generator=`` or the default generator, so ``manual_seed`` makes the
order reproducible; it is not PyTorch's order (see :mod:`jitgrad.random`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ...frontend.sampling import randint
from ...frontend.tensor import Tensor
from ...random import Generator
from ._collate import default_collate, default_convert
from ._workers import StreamWorkers, get_worker_info  # noqa: F401 - dataloader.get_worker_info
from .dataset import IterableDataset, Subset, TensorDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

_FROZEN = ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset", "persistent_workers")


class _InfiniteConstantSampler(Sampler):
    """The index stream of an iterable dataset (indices are not used)."""

    def __iter__(self) -> Iterator[None]:
        while True:
            yield None


class DataLoader:
    """Iterates over ``dataset`` in batches of ``batch_size`` samples, collated by
    ``collate_fn`` (default: :func:`default_collate`)."""

    _initialized = False

    def __init__(
        self,
        dataset: Any,
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Iterable[Any] | None = None,
        batch_sampler: Iterable[list] | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[list], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        multiprocessing_context: Any = None,
        generator: Generator | None = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
    ) -> None:
        _check_worker_options(num_workers, timeout, prefetch_factor, persistent_workers)
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        iterable = isinstance(dataset, IterableDataset)
        sampler, batch_sampler, batch_size, drop_last = _samplers(
            dataset, iterable, shuffle, sampler, batch_sampler, batch_size, drop_last, generator
        )
        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if batch_sampler is not None else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self._iterable = iterable
        self._initialized = True

    def __setattr__(self, attr: str, value: Any) -> None:
        if self._initialized and attr in _FROZEN:
            raise ValueError(
                f"{attr} attribute should not be set after {type(self).__name__} is initialized"
            )
        super().__setattr__(attr, value)

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None

    @property
    def _index_sampler(self) -> Iterable[Any]:
        return self.batch_sampler if self._auto_collation else self.sampler  # type: ignore[return-value]

    def __iter__(self) -> Iterator[Any]:
        return _LoaderIter(self)

    def __len__(self) -> int:
        if self._iterable:
            n = len(self.dataset)
            if self.batch_size is not None:
                return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)
            return n
        return len(self._index_sampler)  # type: ignore[arg-type]


def _check_worker_options(
    num_workers: int, timeout: float, prefetch_factor: int | None, persistent: bool
) -> None:
    if num_workers < 0:
        raise ValueError(
            "num_workers option should be non-negative; use num_workers=0 to disable "
            "multiprocessing."
        )
    if timeout < 0:
        raise ValueError("timeout option should be non-negative")
    if num_workers == 0 and prefetch_factor is not None:
        raise ValueError(
            "prefetch_factor option could only be specified in multiprocessing.let num_workers "
            "> 0 to enable multiprocessing, otherwise set prefetch_factor to None."
        )
    if prefetch_factor is not None and prefetch_factor < 0:
        raise ValueError("prefetch_factor option should be non-negative")
    if persistent and num_workers == 0:
        raise ValueError("persistent_workers option needs num_workers > 0")


def _samplers(
    dataset: Any,
    iterable: bool,
    shuffle: bool | None,
    sampler: Iterable[Any] | None,
    batch_sampler: Iterable[list] | None,
    batch_size: int | None,
    drop_last: bool,
    generator: Generator | None,
) -> tuple[Iterable[Any], Iterable[list] | None, int | None, bool]:
    """The index sampler and batch sampler a loader draws from, as PyTorch picks them:
    the options that exclude each other refused in its words, a default sampler made (an
    endless one for an iterable dataset, a random one to shuffle), and a ``batch_sampler``
    given taking over ``batch_size``/``drop_last`` (returned as None/False)."""
    if iterable:
        _check_iterable_options(shuffle, sampler, batch_sampler)
    else:
        shuffle = bool(shuffle)
    if sampler is not None and shuffle:
        raise ValueError("sampler option is mutually exclusive with shuffle")
    if batch_sampler is not None:
        if batch_size != 1 or shuffle or sampler is not None or drop_last:
            raise ValueError(
                "batch_sampler option is mutually exclusive with batch_size, shuffle, "
                "sampler, and drop_last"
            )
        batch_size, drop_last = None, False
    elif batch_size is None and drop_last:
        raise ValueError(
            "batch_size=None option disables auto-batching and is mutually exclusive with "
            "drop_last"
        )
    if sampler is None:
        if iterable:
            sampler = _InfiniteConstantSampler()
        elif shuffle:
            sampler = RandomSampler(dataset, generator=generator)
        else:
            sampler = SequentialSampler(dataset)
    if batch_size is not None and batch_sampler is None:
        batch_sampler = BatchSampler(sampler, batch_size, drop_last)
    return sampler, batch_sampler, batch_size, drop_last


def _check_iterable_options(shuffle: Any, sampler: Any, batch_sampler: Any) -> None:
    if shuffle not in {False, None}:
        raise ValueError(
            "DataLoader with IterableDataset: expected unspecified shuffle option, but got "
            f"shuffle={shuffle}"
        )
    if sampler is not None:
        raise ValueError(
            "DataLoader with IterableDataset: expected unspecified sampler option, but got "
            f"sampler={sampler}"
        )
    if batch_sampler is not None:
        raise ValueError(
            "DataLoader with IterableDataset: expected unspecified batch_sampler option, but "
            f"got batch_sampler={batch_sampler}"
        )


def _tensor_columns(dataset: Any, indices: list[int]) -> list[Tensor] | None:
    """A batch of a ``TensorDataset`` (or a ``Subset`` of one) as one gather per tensor:
    what ``default_collate`` builds from the samples, without a Python call per sample.
    ``None`` where that would differ (another dataset, or tensors that record a graph)."""
    if not all(type(i) is int for i in indices):
        return None
    while type(dataset) is Subset:
        indices = [dataset.indices[i] for i in indices]
        dataset = dataset.dataset
    if type(dataset) is not TensorDataset:
        return None
    if any(t.requires_grad for t in dataset.tensors):
        return None
    n = len(dataset)
    if any(not -n <= i < n for i in indices):
        return None  # let per-sample indexing raise PyTorch's IndexError
    return [t[indices] for t in dataset.tensors]


class _LoaderIter:
    """One pass over a DataLoader (a fresh one per ``iter(loader)``, as in PyTorch)."""

    def __init__(self, loader: DataLoader) -> None:
        self._loader = loader
        self._dataset = loader.dataset
        self._collate = loader.collate_fn
        self._auto = loader._auto_collation
        self._iterable = loader._iterable
        self._drop_last = loader.drop_last
        self._indices = iter(loader._index_sampler)
        # PyTorch draws each pass's worker base seed from the loader's generator here,
        # so a pass moves that stream by one draw before the sampler's own draws.
        self._base_seed = int(randint(0, 2**63, (1,), generator=loader.generator).item())
        self._workers = None
        self._dataset_iter = None
        if self._iterable and loader.num_workers > 0:
            self._workers = StreamWorkers(
                loader.dataset, loader.num_workers, self._base_seed, loader.worker_init_fn
            )
        elif self._iterable:
            self._dataset_iter = iter(loader.dataset)
        self._fast = self._auto and self._collate is default_collate and not self._iterable
        self._done = False

    def __iter__(self) -> _LoaderIter:
        return self

    def __len__(self) -> int:
        return len(self._loader)

    def __next__(self) -> Any:
        if self._done:
            raise StopIteration
        index = next(self._indices)
        if self._iterable:
            return self._next_streamed(index)
        if not self._auto:
            return self._collate(self._dataset[index])
        if self._fast:
            columns = _tensor_columns(self._dataset, index)
            if columns is not None:
                return columns
        getitems = getattr(self._dataset, "__getitems__", None)
        data = getitems(index) if callable(getitems) else [self._dataset[i] for i in index]
        return self._collate(data)

    def _next_streamed(self, index: Any) -> Any:
        """The next sample (or batch of consecutive samples) of an iterable dataset: from
        its one iterator, or from the next worker replica's."""
        if self._workers is not None:
            return self._workers.next_batch(lambda it: self._fetch(it, index))
        assert self._dataset_iter is not None
        try:
            return self._fetch(self._dataset_iter, index)
        except StopIteration:
            self._done = True
            raise

    def _fetch(self, it: Iterator[Any], index: Any) -> Any:
        """A batch of ``len(index)`` samples from ``it`` (a short last one unless
        ``drop_last``); StopIteration when ``it`` has nothing (more) to give."""
        if not self._auto:
            return self._collate(next(it))
        data = []
        for _ in index:
            try:
                data.append(next(it))
            except StopIteration:
                break
        if not data or (self._drop_last and len(data) < len(index)):
            raise StopIteration
        if len(data) < len(index) and self._workers is None:
            self._done = True  # a short batch ends the pass (the iterator may not stay ended)
        return self._collate(data)
