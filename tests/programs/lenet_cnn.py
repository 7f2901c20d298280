"""A PyTorch MNIST-style CNN tutorial program, with jitgrad imported as torch.

LeNet-like: Conv2d -> BatchNorm2d -> ReLU -> MaxPool2d, Conv2d -> ReLU -> AvgPool2d,
AdaptiveAvgPool2d, Dropout, Linear; CrossEntropyLoss and SGD with momentum on a fixed random
batch of 1x28x28 "images" (the loss must fall as the net memorizes it). Prints the model,
one loss per step and the eval-mode accuracy on the batch.
"""

import jitgrad as torch
import jitgrad.nn as nn
import jitgrad.nn.functional as F
import jitgrad.optim as optim

torch.manual_seed(0)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(8, 16, 3)
        self.pool2 = nn.AvgPool2d(2)
        self.gap = nn.AdaptiveAvgPool2d((3, 3))
        self.dropout = nn.Dropout(0.1)
        self.fc = nn.Linear(16 * 3 * 3, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.bn1(self.conv1(x))))
        x = self.pool2(F.relu(self.conv2(x)))
        x = torch.flatten(self.gap(x), 1)
        return self.fc(self.dropout(x))


model = Net()
print(model)
images = torch.randn(32, 1, 28, 28)
labels = torch.randint(0, 10, (32,))
criterion = nn.CrossEntropyLoss()
optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
for step in range(12):
    optimizer.zero_grad()
    loss = criterion(model(images), labels)
    loss.backward()
    optimizer.step()
    print(f"step {step} loss {loss.item():.4f}")
model.eval()
with torch.no_grad():
    pred = model(images).argmax(1)
print(f"train accuracy {(pred == labels).float().mean().item():.3f}")
print(f"batches tracked {model.bn1.num_batches_tracked.item()}")
