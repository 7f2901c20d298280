"""A PyTorch "training a classifier" tutorial program, with jitgrad imported as torch.

Synthetic two-moons-like data, TensorDataset + random_split, shuffled DataLoader, an MLP,
CrossEntropyLoss, Adam, and a validation pass under no_grad. Prints one line per epoch and
the final accuracy.
"""

import math

import jitgrad as torch
import jitgrad.nn as nn
import jitgrad.nn.functional as F
from jitgrad.utils.data import DataLoader, TensorDataset, random_split

torch.manual_seed(0)
n = 600
t = torch.rand(n) * math.pi
label = torch.randint(0, 2, (n,))
x = torch.stack([torch.cos(t) + label * 1.0, torch.sin(t) * (1 - 2 * label) + label * 0.5], 1)
x = x + 0.1 * torch.randn(n, 2)
train_set, val_set = random_split(TensorDataset(x, label), [0.8, 0.2])
train_loader = DataLoader(train_set, batch_size=32, shuffle=True)
val_loader = DataLoader(val_set, batch_size=128)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 32)
        self.fc2 = nn.Linear(32, 32)
        self.out = nn.Linear(32, 2)

    def forward(self, x):
        x = F.leaky_relu(self.fc1(x), 0.1)
        x = F.silu(self.fc2(x))
        return self.out(x)


model = Net()
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)

for epoch in range(12):
    model.train()
    running = 0.0
    for inputs, targets in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(inputs), targets)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
        optimizer.step()
        running += loss.item() * inputs.size(0)
    model.eval()
    correct = 0
    with torch.no_grad():
        for inputs, targets in val_loader:
            correct += (model(inputs).argmax(dim=1) == targets).sum().item()
    acc = correct / len(val_set)
    print(f"epoch {epoch + 1} loss {running / len(train_set):.4f} val_acc {acc:.3f}")

print(f"final accuracy {correct / len(val_set):.3f}")
