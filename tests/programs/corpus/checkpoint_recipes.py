"""PyTorch recipes on checkpoints: saving and loading a general checkpoint (epoch, model and
optimizer state_dicts, loss) and resuming training, saving multiple models in one file,
warmstarting a model from a different model's parameters with strict=False (missing and
unexpected keys), the state_dict of a model and of an SGD optimizer with momentum, and
loading with map_location and weights_only.

Models: https://pytorch.org/tutorials/recipes/recipes/saving_and_loading_a_general_checkpoint.html,
https://pytorch.org/tutorials/recipes/recipes/saving_multiple_models_in_one_file.html,
https://pytorch.org/tutorials/recipes/recipes/warmstarting_model_using_parameters_from_a_different_model.html
and https://pytorch.org/tutorials/recipes/recipes/what_is_state_dict.html (pytorch/tutorials,
BSD-3-Clause). Written for jitgrad's corpus, not copied. Changes: the recipes' CIFAR-sized Net
takes 1x12x12 inputs; a few SGD steps on fixed data stand in for training.
"""
# ruff: noqa: E501, UP008  (the source's code and long printouts, kept as written)

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 4, 3)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(4, 6, 2)
        self.fc1 = nn.Linear(6 * 2 * 2, 12)
        self.fc2 = nn.Linear(12, 8)
        self.fc3 = nn.Linear(8, 3)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.view(-1, 6 * 2 * 2)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x


torch.manual_seed(0)
net = Net()
print(net)
optimizer = optim.SGD(net.parameters(), lr=0.001, momentum=0.9)

# Print model's state_dict
print("Model's state_dict:")
for param_tensor in net.state_dict():
    print(param_tensor, "\t", net.state_dict()[param_tensor].size())

inputs = torch.linspace(-1, 1, 4 * 144).view(4, 1, 12, 12)
targets = torch.tensor([0, 1, 2, 1])
criterion = nn.CrossEntropyLoss()


def train(model, opt, steps):
    for _ in range(steps):
        opt.zero_grad()
        loss = criterion(model(inputs), targets)
        loss.backward()
        opt.step()
    return loss


loss = train(net, optimizer, 3)
# Print optimizer's state_dict
print("Optimizer's state_dict:")
for var_name in optimizer.state_dict():
    print(var_name, "\t", optimizer.state_dict()[var_name])

# Additional information
EPOCH = 5
PATH = "model.pt"
LOSS = 0.4

torch.save(
    {
        "epoch": EPOCH,
        "model_state_dict": net.state_dict(),
        "optimizer_state_dict": optimizer.state_dict(),
        "loss": LOSS,
    },
    PATH,
)

model = Net()
optimizer2 = optim.SGD(model.parameters(), lr=0.001, momentum=0.9)

checkpoint = torch.load(PATH, weights_only=True)
model.load_state_dict(checkpoint["model_state_dict"])
optimizer2.load_state_dict(checkpoint["optimizer_state_dict"])
epoch = checkpoint["epoch"]
loss = checkpoint["loss"]
print(epoch, loss, sorted(checkpoint))

model.eval()
# - or -
model.train()
print(torch.equal(model(inputs), net(inputs)))
a = train(net, optimizer, 2)
b = train(model, optimizer2, 2)
print(a, b, torch.allclose(a, b))

netA = Net()
netB = Net()
optimizerA = optim.SGD(netA.parameters(), lr=0.001, momentum=0.9)
optimizerB = optim.SGD(netB.parameters(), lr=0.001, momentum=0.9)
PATH = "model2.pt"
torch.save(
    {
        "modelA_state_dict": netA.state_dict(),
        "modelB_state_dict": netB.state_dict(),
        "optimizerA_state_dict": optimizerA.state_dict(),
        "optimizerB_state_dict": optimizerB.state_dict(),
    },
    PATH,
)
modelA = Net()
modelB = Net()
checkpoint = torch.load(PATH, map_location="cpu")
print(modelA.load_state_dict(checkpoint["modelA_state_dict"]))
print(modelB.load_state_dict(checkpoint["modelB_state_dict"]))
print(torch.equal(modelA.fc3.weight, netA.fc3.weight), torch.equal(modelB.fc3.weight, netA.fc3.weight))


class NetB(nn.Module):
    def __init__(self):
        super(NetB, self).__init__()
        self.conv1 = nn.Conv2d(1, 4, 3)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(4, 6, 2)
        self.fc1 = nn.Linear(6 * 2 * 2, 12)
        self.fc2 = nn.Linear(12, 8)
        self.out = nn.Linear(8, 5)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.view(-1, 6 * 2 * 2)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.out(x)


PATH = "net_a.pt"
torch.save(netA.state_dict(), PATH)
warm = NetB()
result = warm.load_state_dict(torch.load(PATH, weights_only=True), strict=False)
print(result)
print(result.missing_keys, result.unexpected_keys)
print(torch.equal(warm.fc2.weight, netA.fc2.weight))
try:
    warm.load_state_dict(torch.load(PATH, weights_only=True))
except RuntimeError as e:
    print(e)
bad = netA.state_dict()
bad["fc1.weight"] = torch.zeros(3, 3)
try:
    Net().load_state_dict(bad)
except RuntimeError as e:
    print(e)
