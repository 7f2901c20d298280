"""``DistributedSampler``: the share of a dataset's indices one replica of a data-parallel
job visits (PyTorch's ``torch.utils.data.distributed``).

jitgrad has no process groups, so ``num_replicas`` and ``rank`` must be given; leaving either
out asks the (never initialized) default group, which raises PyTorch's ValueError. The split
is PyTorch's: pad the index list by wrapping around (or cut it with ``drop_last``) to a
multiple of ``num_replicas``, then rank ``r`` takes every ``num_replicas``-th index from
``r``. With ``shuffle`` the list is first permuted by a generator seeded ``seed + epoch``, so
every replica draws the same permutation (jitgrad's random stream is its own, so the order
differs from PyTorch's; which indices each rank gets, and how many, are PyTorch's).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sized

from ... import distributed as dist
from ...frontend.sampling import randperm
from ...random import Generator
from .sampler import Sampler

__all__ = ["DistributedSampler"]


class DistributedSampler(Sampler):
    """Restricts loading to the ``rank``-th of ``num_replicas`` equal shares of a dataset."""

    def __init__(
        self,
        dataset: Sized,
        num_replicas: int | None = None,
        rank: int | None = None,
        shuffle: bool = True,
        seed: int = 0,
        drop_last: bool = False,
    ) -> None:
        if num_replicas is None:
            num_replicas = dist.get_world_size()
        if rank is None:
            rank = dist.get_rank()
        if rank >= num_replicas or rank < 0:
            raise ValueError(
                f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]"
            )
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        n = len(dataset)
        if drop_last and n % num_replicas != 0:
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self) -> Iterator[int]:
        n = len(self.dataset)
        if self.shuffle:
            gen = Generator()
            gen.manual_seed(self.seed + self.epoch)
            indices = randperm(n, generator=gen).tolist()
        else:
            indices = list(range(n))
        if self.drop_last:
            indices = indices[: self.total_size]
        else:  # wrap around until the list is a multiple of num_replicas
            pad = self.total_size - len(indices)
            indices += (indices * math.ceil(pad / len(indices)))[:pad] if pad else []
        return iter(indices[self.rank : self.total_size : self.num_replicas])

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Reseeds the next pass's shuffle (``seed + epoch``): call it once per epoch."""
        self.epoch = epoch
