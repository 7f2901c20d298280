"""The "Warmstarting model using parameters from a different model" recipe: save one
network's state_dict, load it into a second network with ``strict=False``, then the partial
case the recipe describes (a renamed or missing layer: ignore the non-matching keys, or
rename them to match).

Source: pytorch/tutorials, recipes_source/recipes/
warmstarting_model_using_parameters_from_a_different_model.py (BSD-3-Clause). Written for
jitgrad's corpus after the recipe, not copied. Changes: the second network renames ``fc3`` and
drops ``fc2`` to show the missing/unexpected keys; prints added to show the results; a fine
tuning step on random data (torch.randn, fed the same draws under both libraries).
"""

# ruff: noqa: UP008  (the original's style, kept)
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim


class NetA(nn.Module):
    def __init__(self):
        super(NetA, self).__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.view(-1, 16 * 5 * 5)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x


netA = NetA()


class NetB(nn.Module):
    def __init__(self):
        super(NetB, self).__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.head = nn.Linear(120, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.view(-1, 16 * 5 * 5)
        x = F.relu(self.fc1(x))
        return self.head(x)


netB = NetB()

# Specify a path to save to
PATH = "model.pt"
torch.save(netA.state_dict(), PATH)

result = netB.load_state_dict(torch.load(PATH), strict=False)
print(result)
print(result.missing_keys, result.unexpected_keys)
print(torch.equal(netA.conv1.weight, netB.conv1.weight), torch.equal(netA.fc1.bias, netB.fc1.bias))

try:
    netB.load_state_dict(torch.load(PATH))
except RuntimeError as e:
    print(type(e).__name__, str(e).splitlines()[0])

# rename the keys to match: fc3 of A warm-starts nothing here, so map conv layers only
state = {k: v for k, v in torch.load(PATH).items() if k.startswith("conv")}
print(sorted(state))
print(netB.load_state_dict(state, strict=False))

# fine-tune the new head only
for p in netB.parameters():
    p.requires_grad_(False)
for p in netB.head.parameters():
    p.requires_grad_(True)
opt = optim.SGD([p for p in netB.parameters() if p.requires_grad], lr=0.01, momentum=0.9)
x = torch.randn(4, 3, 32, 32)
y = torch.tensor([1, 0, 3, 9])
for step in range(3):
    opt.zero_grad()
    loss = F.cross_entropy(netB(x), y)
    loss.backward()
    opt.step()
    print(step, round(loss.item(), 5), netB.fc1.weight.grad is None)
