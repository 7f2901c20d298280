"""The device and setup boilerplate at the top of most tutorials and training scripts:
choosing a device (torch.accelerator, cuda, mps), seeding every generator, deterministic
flags, thread counts, matmul precision, moving a model and batches with .to(device),
non_blocking copies, a seeded Generator, and checking where tensors live.

Models: https://pytorch.org/tutorials/beginner/basics/quickstart_tutorial.html and
https://pytorch.org/docs/stable/notes/randomness.html (BSD-3-Clause). Written for jitgrad's
corpus, not copied.
"""
# ruff: noqa: E501  (one-line printouts, as tutorials write them)

import random

import numpy as np
import torch
from torch import nn

device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
print(f"Using {device} device")
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
print(device, device.type, torch.cuda.device_count(), torch.backends.mps.is_available())


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)


seed_everything(42)
torch.backends.cudnn.deterministic = True
torch.backends.cudnn.benchmark = False
torch.use_deterministic_algorithms(True)
print(torch.are_deterministic_algorithms_enabled())
torch.use_deterministic_algorithms(False)
torch.set_float32_matmul_precision("high")
print(torch.get_float32_matmul_precision())
torch.set_float32_matmul_precision("highest")
print(type(torch.get_num_threads()).__name__, torch.initial_seed())

model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2)).to(device)
print(next(model.parameters()).device, next(model.parameters()).is_cuda)
x = torch.randn(3, 4).to(device, non_blocking=True)
y = torch.randn(3, 4, device=device)
print(x.device, y.device, x.cpu().device, x.to("cpu").device, (x + y).is_cpu)
g = torch.Generator().manual_seed(7)
print(torch.randn(2, generator=g).shape, g.initial_seed())
print(torch.get_rng_state().dtype, torch.get_rng_state().dim())
print(torch.tensor([1.0]).to(torch.device("cpu")).device, torch.device("cpu", 0))
print(str(torch.device("cpu")), repr(torch.device("cpu")), torch.device("cuda:1").index, torch.device("cuda", 0))
