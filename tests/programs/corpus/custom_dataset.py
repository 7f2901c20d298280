"""Writing custom datasets, DataLoaders and transforms, after the "Writing Custom Datasets,
DataLoaders and Transforms" tutorial: a Dataset returning dict samples, callable transform
classes composed in order, DataLoader with batch_size/shuffle and default collation of dicts,
and a custom collate_fn.

Model: https://pytorch.org/tutorials/beginner/data_loading_tutorial.html (pytorch/tutorials,
BSD-3-Clause). Written for jitgrad's corpus, not copied. Changes: the face-landmarks CSV and
images are replaced by 10 synthetic 8x8 "images" with 4 landmarks each; no skimage/pandas.
"""

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

rng = np.random.default_rng(0)
images = rng.random((10, 8, 8, 3))
landmarks = rng.random((10, 4, 2)) * 8


class FaceLandmarksDataset(Dataset):
    def __init__(self, transform=None):
        self.transform = transform

    def __len__(self):
        return len(images)

    def __getitem__(self, idx):
        if torch.is_tensor(idx):
            idx = idx.tolist()
        sample = {"image": images[idx], "landmarks": landmarks[idx].astype("float")}
        if self.transform:
            sample = self.transform(sample)
        return sample


class Crop:
    def __init__(self, size):
        self.size = size

    def __call__(self, sample):
        image, pts = sample["image"], sample["landmarks"]
        return {"image": image[1 : 1 + self.size, 1 : 1 + self.size], "landmarks": pts - [1, 1]}


class ToTensor:
    def __call__(self, sample):
        image, pts = sample["image"], sample["landmarks"]
        image = image.transpose((2, 0, 1))
        return {"image": torch.from_numpy(image), "landmarks": torch.from_numpy(pts)}


class Compose:
    def __init__(self, transforms):
        self.transforms = transforms

    def __call__(self, sample):
        for t in self.transforms:
            sample = t(sample)
        return sample


face_dataset = FaceLandmarksDataset()
for i, sample in enumerate(face_dataset):
    print(i, sample["image"].shape, sample["landmarks"].shape)
    if i == 2:
        break

transformed_dataset = FaceLandmarksDataset(transform=Compose([Crop(6), ToTensor()]))
for i in range(2):
    sample = transformed_dataset[i]
    print(i, sample["image"].size(), sample["landmarks"].size(), sample["image"].dtype)

dataloader = DataLoader(transformed_dataset, batch_size=4, shuffle=True, num_workers=0)
for i_batch, sample_batched in enumerate(dataloader):
    print(
        i_batch,
        sample_batched["image"].size(),
        sample_batched["landmarks"].size(),
        f"{sample_batched['landmarks'].sum().item():.6f}",
    )
print(len(dataloader))


def collate_pairs(batch):
    xs = torch.stack([b["image"].mean((1, 2)) for b in batch])
    ys = torch.stack([b["landmarks"][0] for b in batch])
    return xs, ys


loader = DataLoader(transformed_dataset, batch_size=3, collate_fn=collate_pairs, drop_last=True)
for xs, ys in loader:
    print(xs.shape, ys.dtype, ys[0])
