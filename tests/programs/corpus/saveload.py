"""Save and Load the Model (Learn the Basics), plus the "saving and loading a general
checkpoint" recipe: state_dict round trips, whole-model save, an optimizer checkpoint dict.

Models: https://pytorch.org/tutorials/beginner/basics/saveloadrun_tutorial.html and
https://pytorch.org/tutorials/recipes/recipes/saving_and_loading_a_general_checkpoint.html
(pytorch/tutorials, BSD-3-Clause). Written for jitgrad's corpus, not copied. Changes: a small
CNN stands in for torchvision's vgg16.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.fc1 = nn.Linear(6 * 6 * 6, 16)
        self.fc2 = nn.Linear(16, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = torch.flatten(x, 1)
        return self.fc2(F.relu(self.fc1(x)))


net = Net()
optimizer = optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
x = torch.randn(4, 3, 16, 16)
loss = net(x).pow(2).mean()
loss.backward()
optimizer.step()

print("Model's state_dict:")
for param_tensor in net.state_dict():
    print(param_tensor, "\t", net.state_dict()[param_tensor].size())
print("Optimizer's state_dict:")
for var_name in optimizer.state_dict():
    print(var_name, "\t", optimizer.state_dict()[var_name])

torch.save(net.state_dict(), "model_weights.pth")
model = Net()
model.load_state_dict(torch.load("model_weights.pth", weights_only=True))
model.eval()
print(torch.equal(model(x), net.eval()(x)))

torch.save(net, "model.pth")
model = torch.load("model.pth", weights_only=False)
print(type(model).__name__, torch.allclose(model(x), net(x)))

EPOCH, LOSS = 5, 0.4
torch.save(
    {
        "epoch": EPOCH,
        "model_state_dict": net.state_dict(),
        "optimizer_state_dict": optimizer.state_dict(),
        "loss": LOSS,
    },
    "checkpoint.pt",
)
model = Net()
optimizer = optim.SGD(model.parameters(), lr=0.001, momentum=0.9)
checkpoint = torch.load("checkpoint.pt", weights_only=True)
model.load_state_dict(checkpoint["model_state_dict"])
optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
epoch = checkpoint["epoch"]
loss = checkpoint["loss"]
model.train()
print(epoch, loss, optimizer.state_dict()["param_groups"])
momentum = optimizer.state_dict()["state"][0]["momentum_buffer"]
print(momentum.shape, momentum.flatten()[:4])
