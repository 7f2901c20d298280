"""Zeroing out gradients (PyTorch recipe): a small CNN trained for a few steps where each step
calls optimizer.zero_grad() first; what happens to .grad without it (gradients accumulate over
backward calls), net.zero_grad() and zero_grad(set_to_none=False) versus the default None.

Model: https://pytorch.org/tutorials/recipes/recipes/zeroing_out_gradients.html
(pytorch/tutorials, BSD-3-Clause). Written for jitgrad's corpus, not copied. Changes: random
4x3x8x8 batches instead of CIFAR10, two epochs of three steps, prints instead of the log.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

torch.manual_seed(0)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 4, 3)
        self.pool = nn.MaxPool2d(2, 2)
        self.fc1 = nn.Linear(4 * 3 * 3, 12)
        self.fc2 = nn.Linear(12, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = x.view(-1, 4 * 3 * 3)
        x = F.relu(self.fc1(x))
        return self.fc2(x)


net = Net()
criterion = nn.CrossEntropyLoss()
optimizer = optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
data = [(torch.randn(4, 3, 8, 8), torch.randint(0, 10, (4,))) for _ in range(3)]

print("before any backward:", net.conv1.weight.grad)
for epoch in range(2):
    running_loss = 0.0
    for i, (inputs, labels) in enumerate(data):
        optimizer.zero_grad()
        outputs = net(inputs)
        loss = criterion(outputs, labels)
        loss.backward()
        optimizer.step()
        running_loss += loss.item()
        print(f"[{epoch + 1}, {i + 1}] loss: {loss.item():.4f}")
    print(f"epoch {epoch + 1} mean loss: {running_loss / len(data):.4f}")

# without zeroing, two backward passes add up
inputs, labels = data[0]
optimizer.zero_grad()
print("after zero_grad:", net.fc2.bias.grad)
criterion(net(inputs), labels).backward()
once = net.fc2.bias.grad.clone()
criterion(net(inputs), labels).backward()
twice = net.fc2.bias.grad
print("once :", once)
print("twice:", twice)
print("accumulated == 2 * once:", torch.allclose(twice, 2 * once))

net.zero_grad(set_to_none=False)
print("set_to_none=False:", net.fc2.bias.grad)
print("sum of all grads:", sum(p.grad.abs().sum().item() for p in net.parameters()))
net.zero_grad()
print("default zero_grad:", [p.grad for p in net.parameters()][:2])
