"""Transforms (PyTorch's "Learn the Basics"): what ToTensor does to an image (uint8 HxWxC to a
float CxHxW tensor in [0, 1]) and the target_transform Lambda that one-hot encodes a label with
torch.zeros(10).scatter_(0, torch.tensor(y), value=1), applied through a Dataset's __getitem__.

Model: https://pytorch.org/tutorials/beginner/basics/transforms_tutorial.html
(pytorch/tutorials, BSD-3-Clause). Written for jitgrad's corpus, not copied. Changes:
torchvision's ToTensor/Lambda are written out (no torchvision), a random 4x4 RGB "image".
"""

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset


class ToTensor:
    def __call__(self, pic):
        img = torch.from_numpy(pic).permute(2, 0, 1).contiguous()
        return img.to(dtype=torch.get_default_dtype()).div(255)


class Lambda:
    def __init__(self, lambd):
        self.lambd = lambd

    def __call__(self, x):
        return self.lambd(x)


target_transform = Lambda(
    lambda y: torch.zeros(10, dtype=torch.float).scatter_(0, torch.tensor(y), value=1)
)


class FakeData(Dataset):
    def __init__(self, n, transform=None, target_transform=None):
        rng = np.random.RandomState(0)
        self.images = rng.randint(0, 256, size=(n, 4, 4, 3)).astype(np.uint8)
        self.labels = [int(v) for v in rng.randint(0, 10, size=n)]
        self.transform = transform
        self.target_transform = target_transform

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, idx):
        image, label = self.images[idx], self.labels[idx]
        if self.transform:
            image = self.transform(image)
        if self.target_transform:
            label = self.target_transform(label)
        return image, label


ds = FakeData(6, transform=ToTensor(), target_transform=target_transform)
img, label = ds[0]
print(img.shape, img.dtype, img.min().item(), img.max().item())
print(img[0])
print(label)
loader = DataLoader(ds, batch_size=4, shuffle=False)
for xb, yb in loader:
    print(xb.shape, yb.shape, yb.argmax(1), xb.mean(dim=(1, 2, 3)))
print(torch.tensor(3))
print(torch.zeros(10).scatter_(0, torch.tensor([1, 7]), value=1))
