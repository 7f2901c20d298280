"""Reproducibility (PyTorch notes): torch.manual_seed makes draws repeat, a torch.Generator
with its own seed, use_deterministic_algorithms and are_deterministic_algorithms_enabled,
a DataLoader shuffled with a seeded generator and a worker_init_fn (seed_worker), giving the
same order twice.

Model: https://pytorch.org/docs/stable/notes/randomness.html (pytorch/pytorch docs,
BSD-3-Clause). Written for jitgrad's corpus, not copied. Changes: num_workers=0 (the worker
seed function is still passed), printed orders instead of training.
"""

import random

import numpy as np
import torch
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
a = torch.rand(3)
torch.manual_seed(0)
b = torch.rand(3)
print(a, torch.equal(a, b))
print(torch.initial_seed())

random.seed(0)
np.random.seed(0)
print(random.random(), np.random.rand())

print(torch.are_deterministic_algorithms_enabled())
torch.use_deterministic_algorithms(True)
print(torch.are_deterministic_algorithms_enabled())
torch.use_deterministic_algorithms(False)
print(torch.are_deterministic_algorithms_enabled())


def seed_worker(worker_id):
    worker_seed = torch.initial_seed() % 2**32
    np.random.seed(worker_seed)
    random.seed(worker_seed)


ds = TensorDataset(torch.arange(10).float(), torch.arange(10))


def order(seed):
    g = torch.Generator()
    g.manual_seed(seed)
    loader = DataLoader(ds, batch_size=4, shuffle=True, worker_init_fn=seed_worker, generator=g)
    return [yb.tolist() for _, yb in loader]


print(order(0))
print(order(0) == order(0))
g = torch.Generator().manual_seed(42)
print(g.initial_seed(), torch.randint(0, 100, (5,), generator=g))
print(torch.randperm(6, generator=torch.Generator().manual_seed(42)))
