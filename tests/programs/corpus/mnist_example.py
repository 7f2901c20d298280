"""pytorch/examples' MNIST example (mnist/main.py): Net with two Conv2d, max_pool2d, two
Dropout layers, flatten, log_softmax; train()/test() with nll_loss (reduction='sum' in test),
Adadelta and StepLR(step_size=1, gamma=0.7), progress lines every log_interval batches.

Model: https://github.com/pytorch/examples/blob/main/mnist/main.py (BSD-3-Clause). Written for
jitgrad's corpus, not copied. Changes: no argparse/torchvision; MNIST is replaced by 96 train /
32 test synthetic 1x14x14 images (labels from a fixed random linear rule) and the network is
scaled to them (conv 1->8->16, fc 16*5*5->32->10); 2 epochs, batch 16.
"""
# ruff: noqa: UP032  (str.format kept as the example writes it)

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import DataLoader, TensorDataset


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, 1)
        self.conv2 = nn.Conv2d(8, 16, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(16 * 5 * 5, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = self.conv1(x)
        x = F.relu(x)
        x = self.conv2(x)
        x = F.relu(x)
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = self.fc1(x)
        x = F.relu(x)
        x = self.dropout2(x)
        x = self.fc2(x)
        output = F.log_softmax(x, dim=1)
        return output


def train(log_interval, model, device, train_loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % log_interval == 0:
            print(
                "Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}".format(
                    epoch,
                    batch_idx * len(data),
                    len(train_loader.dataset),
                    100.0 * batch_idx / len(train_loader),
                    loss.item(),
                )
            )


def test(model, device, test_loader):
    model.eval()
    test_loss = 0
    correct = 0
    with torch.no_grad():
        for data, target in test_loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction="sum").item()
            pred = output.argmax(dim=1, keepdim=True)
            correct += pred.eq(target.view_as(pred)).sum().item()
    test_loss /= len(test_loader.dataset)
    print(
        "\nTest set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%)\n".format(
            test_loss, correct, len(test_loader.dataset), 100.0 * correct / len(test_loader.dataset)
        )
    )


torch.manual_seed(1)
device = torch.device("cpu")
images = (torch.rand(128, 1, 14, 14) - 0.1307) / 0.3081
labels = (images.flatten(1) @ torch.randn(196, 10)).argmax(1)
train_loader = DataLoader(TensorDataset(images[:96], labels[:96]), batch_size=16, shuffle=True)
test_loader = DataLoader(TensorDataset(images[96:], labels[96:]), batch_size=32)
model = Net().to(device)
optimizer = optim.Adadelta(model.parameters(), lr=1.0)
scheduler = StepLR(optimizer, step_size=1, gamma=0.7)
for epoch in range(1, 3):
    train(2, model, device, train_loader, optimizer, epoch)
    test(model, device, test_loader)
    scheduler.step()
torch.save(model.state_dict(), "mnist_cnn.pt")
print(sorted(optimizer.state_dict()["state"][0]))
