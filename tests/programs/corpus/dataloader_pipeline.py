"""A data pipeline the way the "Datasets & DataLoaders" tutorial and many teaching repos build
one: a map-style Dataset with a transform, TensorDataset, DataLoader with batch_size,
drop_last, a custom collate_fn padding variable-length sequences, default collation of dicts and
tuples, random_split with a seeded generator, Subset, ConcatDataset, an IterableDataset,
samplers (Sequential, Random, WeightedRandom, BatchSampler) and len() of loaders.

Models: https://pytorch.org/tutorials/beginner/basics/data_tutorial.html and
https://pytorch.org/docs/stable/data.html (BSD-3-Clause). Written for jitgrad's corpus, not
copied.
"""

import torch
from torch.nn.utils.rnn import pad_sequence
from torch.utils.data import (
    BatchSampler,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    TensorDataset,
    WeightedRandomSampler,
    random_split,
)


class Squares(Dataset):
    def __init__(self, n, transform=None):
        self.x = torch.arange(n, dtype=torch.float32)
        self.transform = transform

    def __len__(self):
        return len(self.x)

    def __getitem__(self, idx):
        x = self.x[idx]
        sample = {"x": x, "y": x**2, "id": idx}
        if self.transform:
            sample = self.transform(sample)
        return sample


ds = Squares(7, transform=lambda s: {**s, "x": s["x"] / 10})
print(len(ds), ds[3])
for batch in DataLoader(ds, batch_size=3):
    print(batch)
print(len(DataLoader(ds, batch_size=3)), len(DataLoader(ds, batch_size=3, drop_last=True)))

X = torch.arange(20.0).view(10, 2)
Y = torch.arange(10) % 3
tds = TensorDataset(X, Y)
print(tds[0], len(tds))
for xb, yb in DataLoader(tds, batch_size=4, shuffle=False):
    print(xb.shape, yb)

torch.manual_seed(0)
for _, yb in DataLoader(tds, batch_size=5, shuffle=True):
    print(yb)
train, val = random_split(tds, [8, 2], generator=torch.Generator().manual_seed(42))
print(len(train), len(val), type(train).__name__)
sub = Subset(tds, [0, 5, 9])
print([y.item() for _, y in sub])
both = ConcatDataset([sub, Subset(tds, [1])])
print(len(both), both[3][1])

seqs = [torch.tensor([1, 2, 3]), torch.tensor([4]), torch.tensor([5, 6])]


def collate(batch):
    lengths = torch.tensor([len(s) for s in batch])
    return pad_sequence(batch, batch_first=True, padding_value=0), lengths


for padded, lengths in DataLoader(seqs, batch_size=3, collate_fn=collate):
    print(padded, lengths)
print(next(iter(DataLoader([(1, 2.0), (3, 4.0)], batch_size=2))))
print(next(iter(DataLoader([("cat.png", 0), ("dog.png", 1)], batch_size=2))))


class Counter(IterableDataset):
    def __init__(self, start, end):
        self.start, self.end = start, end

    def __iter__(self):
        return iter(range(self.start, self.end))


print(list(DataLoader(Counter(3, 10), batch_size=3)))
print(list(SequentialSampler(range(5))))
print(list(BatchSampler(SequentialSampler(range(7)), batch_size=3, drop_last=False)))
torch.manual_seed(1)
print(len(list(RandomSampler(range(6)))), sorted(RandomSampler(range(6))))
w = WeightedRandomSampler([0.0, 0.0, 1.0, 0.0], num_samples=3, replacement=True)
print(list(w))
loader = DataLoader(tds, batch_sampler=BatchSampler(SequentialSampler(tds), 4, drop_last=True))
print([yb.tolist() for _, yb in loader])
