"""torch.utils.data's building blocks (docs: torch.utils.data): TensorDataset, Subset and
ConcatDataset, random_split, samplers, DataLoader's batching with drop_last and collate_fn,
and default_collate over tuples, dicts and numbers.

Model: https://pytorch.org/docs/stable/data.html (pytorch/pytorch, BSD-3-Clause). Written for
jitgrad's corpus, not copied.
"""

import torch
from torch.utils.data import (
    BatchSampler,
    ConcatDataset,
    DataLoader,
    Dataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    TensorDataset,
    default_collate,
    random_split,
)

xs = torch.arange(20.0).reshape(10, 2)
ys = torch.arange(10)
ds = TensorDataset(xs, ys)
print(len(ds), ds[3], type(ds[3]).__name__)
sub = Subset(ds, [1, 3, 5])
print(len(sub), sub[1])
cat = ConcatDataset([sub, ds])
print(len(cat), cat[3], cat.cumulative_sizes)
train, val = random_split(ds, [0.7, 0.3], generator=torch.Generator().manual_seed(1))
print(len(train), len(val), type(train).__name__)
print(list(SequentialSampler(range(4))), list(BatchSampler(SequentialSampler(range(7)), 3, False)))
print(list(BatchSampler(range(7), 3, drop_last=True)), len(RandomSampler(range(5))))
for bx, by in DataLoader(ds, batch_size=4):
    print(bx.shape, by)
print(len(DataLoader(ds, batch_size=4, drop_last=True)), len(DataLoader(ds, batch_size=4)))


class Pairs(Dataset):
    def __len__(self):
        return 5

    def __getitem__(self, i):
        return {"x": torch.full((2,), float(i)), "y": i, "name": f"item{i}", "w": 0.5 * i}


batch = next(iter(DataLoader(Pairs(), batch_size=3)))
print(batch["x"], batch["y"], batch["name"], batch["w"], batch["w"].dtype)
print(default_collate([(1, 2.0), (3, 4.0)]))
print(default_collate([torch.ones(2), torch.zeros(2)]))
print(default_collate([[1, 2], [3, 4]]))
loader = DataLoader(Pairs(), batch_size=2, collate_fn=lambda items: [it["y"] for it in items])
print(list(loader))
print(next(iter(DataLoader(ds, batch_size=None)))[0])
try:
    default_collate([torch.ones(2), torch.ones(3)])
except RuntimeError as e:
    print("RuntimeError:", e)
