"""An image-classification pipeline as the "Writing Custom Datasets, DataLoaders and
Transforms" and CIFAR-10 tutorials write it, on synthetic images: a Dataset returning
(image, label), callable transform classes composed by hand (normalise, random crop with
padding, horizontal flip seeded), a LeNet-style CNN, a train/test loop with accuracy and
per-class accuracy, and a confusion matrix built with bincount.

Models: https://pytorch.org/tutorials/beginner/data_loading_tutorial.html and
https://pytorch.org/tutorials/beginner/blitz/cifar10_tutorial.html (BSD-3-Clause). Written for
jitgrad's corpus, not copied.
"""
# ruff: noqa: E501  (one-line printouts, as tutorials write them)

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset


class Normalize:
    def __init__(self, mean, std):
        self.mean = torch.tensor(mean).view(-1, 1, 1)
        self.std = torch.tensor(std).view(-1, 1, 1)

    def __call__(self, img):
        return (img - self.mean) / self.std


class RandomCrop:
    def __init__(self, size, padding):
        self.size, self.padding = size, padding

    def __call__(self, img):
        img = F.pad(img, [self.padding] * 4)
        top = int(torch.randint(0, img.shape[1] - self.size + 1, (1,)))
        left = int(torch.randint(0, img.shape[2] - self.size + 1, (1,)))
        return img[:, top : top + self.size, left : left + self.size]


class RandomHorizontalFlip:
    def __call__(self, img):
        return img.flip(-1) if torch.rand(1).item() < 0.5 else img


class Compose:
    def __init__(self, transforms):
        self.transforms = transforms

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img


class Shapes(Dataset):
    classes = ("vertical", "horizontal", "diagonal")

    def __init__(self, n, transform=None):
        self.transform = transform
        self.images, self.labels = [], []
        for i in range(n):
            label = i % 3
            img = torch.zeros(3, 12, 12)
            if label == 0:
                img[:, :, 5:7] = 1.0
            elif label == 1:
                img[:, 5:7, :] = 1.0
            else:
                img[:, torch.arange(12), torch.arange(12)] = 1.0
            self.images.append(img + 0.1 * torch.randn(3, 12, 12))
            self.labels.append(label)

    def __len__(self):
        return len(self.images)

    def __getitem__(self, idx):
        img = self.images[idx]
        if self.transform:
            img = self.transform(img)
        return img, self.labels[idx]


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 3)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 8, 3)
        self.fc1 = nn.Linear(8 * 1 * 1, 16)
        self.fc2 = nn.Linear(16, 3)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        return self.fc2(F.relu(self.fc1(x)))


torch.manual_seed(0)
norm = Normalize([0.5, 0.5, 0.5], [0.5, 0.5, 0.5])
train = Shapes(48, Compose([RandomCrop(12, 1), RandomHorizontalFlip(), norm]))
test = Shapes(12, norm)
img, label = train[0]
print(img.shape, label, Shapes.classes[label])
trainloader = DataLoader(train, batch_size=8, shuffle=True)
testloader = DataLoader(test, batch_size=6)
net = Net()
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
for epoch in range(6):
    running_loss = 0.0
    for inputs, labels in trainloader:
        optimizer.zero_grad()
        loss = criterion(net(inputs), labels)
        loss.backward()
        optimizer.step()
        running_loss += loss.item()
    print(f"[{epoch + 1}] loss: {running_loss / len(trainloader):.3f}")
correct = total = 0
confusion = torch.zeros(3, 3, dtype=torch.long)
with torch.no_grad():
    for images, labels in testloader:
        predicted = net(images).argmax(1)
        total += labels.size(0)
        correct += (predicted == labels).sum().item()
        confusion += torch.bincount(labels * 3 + predicted, minlength=9).view(3, 3)
print(f"Accuracy of the network on the {total} test images: {100 * correct // total} %")
print(confusion)
for i, name in enumerate(Shapes.classes):
    print(f"Accuracy for class: {name:10s} is {100 * confusion[i, i].item() / confusion[i].sum().item():.1f} %")
