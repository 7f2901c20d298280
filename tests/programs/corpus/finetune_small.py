"""Transfer learning, after the "Transfer Learning for Computer Vision" tutorial: a trained
feature extractor is frozen (requires_grad = False), its last layer replaced, only the new
layer optimised with SGD + StepLR, train/val phases with set_grad_enabled, best weights kept
with copy.deepcopy(model.state_dict()).

Model: https://pytorch.org/tutorials/beginner/transfer_learning_tutorial.html
(pytorch/tutorials, BSD-3-Clause). Written for jitgrad's corpus, not copied. Changes: a small
CNN trained for a few steps on synthetic data stands in for a pretrained resnet18; the
ants/bees images are synthetic 3x16x16 tensors with labels from a fixed rule; 3 epochs. As in
resnet18, the convolution before BatchNorm has no bias (a bias there gets only rounding-noise
gradients, which Adam would turn into full-size steps of arbitrary sign).
"""

import copy

import torch
import torch.nn as nn
import torch.optim as optim
from torch.optim import lr_scheduler
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
images = torch.randn(96, 3, 16, 16)
labels = (images[:, 0].mean((1, 2)) > 0).long()
dataloaders = {
    "train": DataLoader(TensorDataset(images[:64], labels[:64]), batch_size=16, shuffle=True),
    "val": DataLoader(TensorDataset(images[64:], labels[64:]), batch_size=16),
}
dataset_sizes = {"train": 64, "val": 32}
class_names = ["ants", "bees"]


class Backbone(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1, bias=False),
            nn.BatchNorm2d(8),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(8, 8, 3, padding=1),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d((1, 1)),
        )
        self.fc = nn.Linear(8, 5)

    def forward(self, x):
        return self.fc(torch.flatten(self.features(x), 1))


def train_model(model, criterion, optimizer, scheduler, num_epochs=3):
    best_model_wts = copy.deepcopy(model.state_dict())
    best_acc = 0.0
    for epoch in range(num_epochs):
        print(f"Epoch {epoch}/{num_epochs - 1}")
        for phase in ["train", "val"]:
            if phase == "train":
                model.train()
            else:
                model.eval()
            running_loss = 0.0
            running_corrects = 0
            for inputs, labels in dataloaders[phase]:
                optimizer.zero_grad()
                with torch.set_grad_enabled(phase == "train"):
                    outputs = model(inputs)
                    _, preds = torch.max(outputs, 1)
                    loss = criterion(outputs, labels)
                    if phase == "train":
                        loss.backward()
                        optimizer.step()
                running_loss += loss.item() * inputs.size(0)
                running_corrects += torch.sum(preds == labels.data)
            if phase == "train":
                scheduler.step()
            epoch_loss = running_loss / dataset_sizes[phase]
            epoch_acc = running_corrects.double() / dataset_sizes[phase]
            print(f"{phase} Loss: {epoch_loss:.4f} Acc: {epoch_acc:.4f}")
            if phase == "val" and epoch_acc > best_acc:
                best_acc = epoch_acc
                best_model_wts = copy.deepcopy(model.state_dict())
    print(f"Best val Acc: {best_acc:4f}")
    model.load_state_dict(best_model_wts)
    return model


pretrained = Backbone()
opt = optim.Adam(pretrained.parameters(), lr=1e-2)
for _ in range(5):
    opt.zero_grad()
    nn.functional.cross_entropy(pretrained(images[:32]), labels[:32] + 2).backward()
    opt.step()

model_ft = pretrained
num_ftrs = model_ft.fc.in_features
model_ft.fc = nn.Linear(num_ftrs, 2)
criterion = nn.CrossEntropyLoss()
optimizer_ft = optim.SGD(model_ft.parameters(), lr=0.01, momentum=0.9)
exp_lr_scheduler = lr_scheduler.StepLR(optimizer_ft, step_size=2, gamma=0.1)
model_ft = train_model(model_ft, criterion, optimizer_ft, exp_lr_scheduler, num_epochs=2)

model_conv = copy.deepcopy(pretrained)
for param in model_conv.parameters():
    param.requires_grad = False
model_conv.fc = nn.Linear(num_ftrs, 2)
optimizer_conv = optim.SGD(model_conv.fc.parameters(), lr=0.01, momentum=0.9)
exp_lr_scheduler = lr_scheduler.StepLR(optimizer_conv, step_size=2, gamma=0.1)
model_conv = train_model(model_conv, criterion, optimizer_conv, exp_lr_scheduler, num_epochs=3)
print(exp_lr_scheduler.get_last_lr())
print(model_conv.features[1].running_mean)
