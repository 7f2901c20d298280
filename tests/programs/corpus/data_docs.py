"""The examples of torch.utils.data's documentation: map-style and iterable-style datasets
(an IterableDataset split across workers by get_worker_info, here in the main process),
TensorDataset, ConcatDataset, Subset, random_split with fractions and a seeded generator,
samplers (SequentialSampler, RandomSampler, BatchSampler with drop_last,
SubsetRandomSampler, WeightedRandomSampler), DataLoader automatic batching vs batch_size=None,
default_collate on tuples / dicts / namedtuples / numbers, a custom collate_fn, and
drop_last.

Docs: https://pytorch.org/docs/stable/data.html (pytorch/pytorch docstrings, BSD-3-Clause).
Written for jitgrad's corpus, not copied. Changes: small arange-based data; num_workers=0
(the docs' worker examples run in the main process); printed results.
"""
# ruff: noqa: E501  (the source's code and long printouts, kept as written)

import collections
import math

import torch
from torch.utils.data import (
    BatchSampler,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    default_collate,
    get_worker_info,
    random_split,
)


class MyIterableDataset(IterableDataset):
    def __init__(self, start, end):
        super(MyIterableDataset).__init__()
        assert end > start, "this example code only works with end >= start"
        self.start = start
        self.end = end

    def __iter__(self):
        worker_info = get_worker_info()
        if worker_info is None:  # single-process data loading, return the full iterator
            iter_start = self.start
            iter_end = self.end
        else:  # in a worker process
            # split workload
            per_worker = int(math.ceil((self.end - self.start) / float(worker_info.num_workers)))
            worker_id = worker_info.id
            iter_start = self.start + worker_id * per_worker
            iter_end = min(iter_start + per_worker, self.end)
        return iter(range(iter_start, iter_end))


# should give same set of data as range(3, 7), i.e., [3, 4, 5, 6].
ds = MyIterableDataset(start=3, end=7)
# Single-process loading
print(list(DataLoader(ds, num_workers=0)))
print(list(DataLoader(ds, batch_size=3)))
print(list(DataLoader(ds, batch_size=None)))

features = torch.arange(20.0).view(10, 2)
labels = torch.arange(10) % 3
dataset = TensorDataset(features, labels)
print(len(dataset), dataset[3])
print(dataset[2:4])
loader = DataLoader(dataset, batch_size=4)
for x, y in loader:
    print(x.shape, y)
loader = DataLoader(dataset, batch_size=4, drop_last=True)
print(len(loader), [y.tolist() for _, y in loader])

both = ConcatDataset([dataset, TensorDataset(-features[:3], labels[:3])])
print(len(both), both[11], both.cumulative_sizes)
sub = Subset(dataset, [0, 2, 4])
print(len(sub), sub[1], [s[1].item() for s in sub])

generator = torch.Generator().manual_seed(42)
parts = random_split(range(10), [3, 7], generator=generator)
print([len(p) for p in parts], type(parts[0]).__name__)
parts = random_split(range(30), [0.3, 0.3, 0.4], generator=torch.Generator().manual_seed(42))
print([len(p) for p in parts], sorted(parts[0].indices + parts[1].indices + parts[2].indices) == list(range(30)))

print(list(SequentialSampler(range(5))))
print(sorted(RandomSampler(range(5))))
print(len(list(RandomSampler(range(5), replacement=True, num_samples=8))))
print(list(BatchSampler(SequentialSampler(range(10)), batch_size=3, drop_last=False)))
print(list(BatchSampler(SequentialSampler(range(10)), batch_size=3, drop_last=True)))
print(sorted(SubsetRandomSampler([1, 5, 7])))
w = WeightedRandomSampler([0.1, 0.9, 0.4, 0.7, 3.0, 0.6], 5, replacement=True)
print(len(list(w)), all(0 <= i < 6 for i in w))
print(sorted(WeightedRandomSampler([0.9, 0.4, 0.05, 0.2, 0.3, 0.1], 5, replacement=False)))
loader = DataLoader(dataset, batch_sampler=BatchSampler(SequentialSampler(dataset), 3, False))
print([y.tolist() for _, y in loader])

# Example with a batch of `int`s:
print(default_collate([0, 1, 2, 3]))
# Example with a batch of `str`s:
print(default_collate(["a", "b", "c"]))
# Example with `Map` inside the batch:
print(default_collate([{"A": 0, "B": 1}, {"A": 100, "B": 100}]))
# Example with `NamedTuple` inside the batch:
Point = collections.namedtuple("Point", ["x", "y"])
print(default_collate([Point(0, 0), Point(1, 1)]))
# Example with `Tuple` inside the batch:
print(default_collate([(0, 1), (2, 3)]))
# Example with `List` inside the batch:
print(default_collate([[0, 1], [2, 3]]))
print(default_collate([torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0])]))
print(default_collate([(torch.ones(2), 1.5), (torch.zeros(2), 2.5)]))


class Squares(Dataset):
    def __len__(self):
        return 5

    def __getitem__(self, i):
        return {"x": torch.tensor([float(i)]), "y": i * i, "name": f"s{i}"}


loader = DataLoader(Squares(), batch_size=2)
for batch in loader:
    print(batch)


def pad_collate(batch):
    lengths = [len(b) for b in batch]
    out = torch.zeros(len(batch), max(lengths))
    for i, b in enumerate(batch):
        out[i, : len(b)] = b
    return out, torch.tensor(lengths)


seqs = [torch.arange(1.0, n + 1) for n in (3, 1, 4, 2)]
for padded, lengths in DataLoader(seqs, batch_size=2, collate_fn=pad_collate):
    print(padded, lengths)
