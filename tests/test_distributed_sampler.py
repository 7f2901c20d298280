"""``utils.data.DistributedSampler``: each rank's share of the indices as PyTorch 2.13 gives
them (values recorded from PyTorch for shuffle=False), the split properties with shuffle
(jitgrad's random stream differs from PyTorch's), and PyTorch's errors when no process group
exists or the rank is out of range."""

from __future__ import annotations

import pytest

import jitgrad as torch
from jitgrad.utils.data import DataLoader, DistributedSampler, TensorDataset

NO_GROUP = (
    "Default process group has not been initialized, please make sure to call "
    "init_process_group."
)


@pytest.mark.parametrize("kwargs", [{}, {"num_replicas": 3}, {"rank": 1}])
def test_without_a_process_group_num_replicas_and_rank_are_needed(kwargs) -> None:
    with pytest.raises(ValueError) as info:
        DistributedSampler(list(range(10)), **kwargs)
    assert str(info.value) == NO_GROUP


@pytest.mark.parametrize(
    ("replicas", "rank", "message"),
    [
        (3, 3, "Invalid rank 3, rank should be in the interval [0, 2]"),
        (3, -1, "Invalid rank -1, rank should be in the interval [0, 2]"),
        (0, 0, "Invalid rank 0, rank should be in the interval [0, -1]"),
    ],
)
def test_bad_rank(replicas, rank, message) -> None:
    with pytest.raises(ValueError) as info:
        DistributedSampler(list(range(10)), num_replicas=replicas, rank=rank)
    assert str(info.value) == message


#: PyTorch 2.13: (drop_last, rank) -> list(DistributedSampler(range(10), 3, rank, False))
UNSHUFFLED = {
    (False, 0): [0, 3, 6, 9],
    (False, 1): [1, 4, 7, 0],
    (False, 2): [2, 5, 8, 1],
    (True, 0): [0, 3, 6],
    (True, 1): [1, 4, 7],
    (True, 2): [2, 5, 8],
}


@pytest.mark.parametrize(("drop_last", "rank"), sorted(UNSHUFFLED))
def test_unshuffled_shares_as_pytorch(drop_last, rank) -> None:
    s = DistributedSampler(
        list(range(10)), num_replicas=3, rank=rank, shuffle=False, drop_last=drop_last
    )
    assert list(s) == UNSHUFFLED[drop_last, rank]
    assert (len(s), s.num_samples, s.total_size) == ((3, 3, 9) if drop_last else (4, 4, 12))


def test_padding_wraps_around_more_than_once() -> None:
    s = [DistributedSampler(range(2), num_replicas=5, rank=r, shuffle=False) for r in range(5)]
    assert [list(x) for x in s] == [[0], [1], [0], [1], [0]]
    assert list(DistributedSampler([], num_replicas=2, rank=0)) == []


def test_shuffled_shares_partition_one_permutation_per_epoch() -> None:
    def shares(epoch: int, seed: int = 5) -> list[list[int]]:
        out = []
        for r in range(3):
            s = DistributedSampler(list(range(9)), num_replicas=3, rank=r, seed=seed)
            s.set_epoch(epoch)
            out.append(list(s))
        return out

    first = shares(2)
    assert sorted(sum(first, [])) == list(range(9))  # every index exactly once
    assert first == shares(2)  # seed + epoch fixes the order on every replica
    assert first != shares(3) and sum(first, []) != list(range(9))


def test_feeds_a_dataloader() -> None:
    ds = TensorDataset(torch.arange(10))
    s = DistributedSampler(ds, num_replicas=2, rank=1, shuffle=False)
    batches = [b[0].tolist() for b in DataLoader(ds, batch_size=2, sampler=s)]
    assert batches == [[1, 3], [5, 7], [9]]
