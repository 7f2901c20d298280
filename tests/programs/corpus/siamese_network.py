"""Siamese network: one shared tower applied to both images of a pair (forward_once), the two
feature vectors concatenated, a Linear head and sigmoid, BCELoss on same/different labels,
Adadelta with StepLR, and a test pass thresholding at 0.5 with torch.where.

Model: https://github.com/pytorch/examples/blob/main/siamese_network/main.py (pytorch/examples,
BSD-3-Clause). Written for jitgrad's corpus, not copied. Changes: the torchvision ResNet-18
tower is replaced by a 2-conv CNN (the original's weight init by init_weights kept), pairs of
1x10x10 synthetic images, 3 epochs of 2 batches.
"""

# ruff: noqa: B007  (the original's style, kept)

import torch
import torch.nn as nn
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR

torch.manual_seed(1)


class SiameseNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.tower = nn.Sequential(
            nn.Conv2d(1, 4, 3), nn.ReLU(inplace=True), nn.Conv2d(4, 8, 3),
            nn.ReLU(inplace=True), nn.AdaptiveAvgPool2d((1, 1)),
        )
        self.fc_in_features = 8
        self.fc = nn.Sequential(
            nn.Linear(self.fc_in_features * 2, 16), nn.ReLU(inplace=True), nn.Linear(16, 1)
        )
        self.sigmoid = nn.Sigmoid()
        self.tower.apply(self.init_weights)
        self.fc.apply(self.init_weights)

    def init_weights(self, m):
        if isinstance(m, nn.Linear):
            torch.nn.init.xavier_uniform_(m.weight)
            m.bias.data.fill_(0.01)

    def forward_once(self, x):
        output = self.tower(x)
        output = output.view(output.size()[0], -1)
        return output

    def forward(self, input1, input2):
        output1 = self.forward_once(input1)
        output2 = self.forward_once(input2)
        output = torch.cat((output1, output2), 1)
        output = self.fc(output)
        output = self.sigmoid(output)
        return output


def make_pairs(n):
    a = torch.rand(n, 1, 10, 10)
    same = torch.randint(0, 2, (n,)).float()
    other = torch.rand(n, 1, 10, 10)
    b = torch.where(same.view(-1, 1, 1, 1) > 0, a + 0.05 * torch.randn(n, 1, 10, 10), other)
    return a, b, same


batches = [make_pairs(16) for _ in range(2)]
model = SiameseNetwork()
optimizer = optim.Adadelta(model.parameters(), lr=1.0)
scheduler = StepLR(optimizer, step_size=1, gamma=0.7)
criterion = nn.BCELoss()
for epoch in range(1, 4):
    model.train()
    for batch_idx, (images_1, images_2, targets) in enumerate(batches):
        optimizer.zero_grad()
        outputs = model(images_1, images_2).squeeze()
        loss = criterion(outputs, targets)
        loss.backward()
        optimizer.step()
    print(f"Train Epoch: {epoch}\tLoss: {loss.item():.6f}")
    model.eval()
    test_loss, correct = 0, 0
    with torch.no_grad():
        for images_1, images_2, targets in batches:
            outputs = model(images_1, images_2).squeeze()
            test_loss += criterion(outputs, targets).sum().item()
            pred = torch.where(outputs > 0.5, 1, 0)
            correct += pred.eq(targets.view_as(pred)).sum().item()
    print(f"Test set: Average loss: {test_loss / 32:.4f}, Accuracy: {correct}/32")
    scheduler.step()
print(loss.grad_fn)
