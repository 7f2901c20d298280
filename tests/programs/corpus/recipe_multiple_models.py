"""Saving and loading multiple models in one file (PyTorch recipe): two networks and their
SGD optimizers saved as one dictionary of state_dicts with torch.save, loaded into fresh
instances with torch.load, and checked to give the same outputs in eval mode; the optimizer's
restored state (momentum buffers) printed.

Model: https://pytorch.org/tutorials/recipes/recipes/saving_multiple_models_in_one_file.html
(pytorch/tutorials, BSD-3-Clause). Written for jitgrad's corpus, not copied. Changes: smaller
networks, a training step before saving so the momentum buffers exist.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

torch.manual_seed(0)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 2, 3)
        self.fc1 = nn.Linear(2 * 3 * 3, 8)
        self.fc2 = nn.Linear(8, 4)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc2(F.relu(self.fc1(x)))


netA = Net()
netB = Net()
optimizerA = optim.SGD(netA.parameters(), lr=0.001, momentum=0.9)
optimizerB = optim.SGD(netB.parameters(), lr=0.001, momentum=0.9)
x = torch.randn(2, 3, 8, 8)
for net, opt in ((netA, optimizerA), (netB, optimizerB)):
    opt.zero_grad()
    net(x).pow(2).mean().backward()
    opt.step()

PATH = "model.pt"
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
optimModelA = optim.SGD(modelA.parameters(), lr=0.001, momentum=0.9)
optimModelB = optim.SGD(modelB.parameters(), lr=0.001, momentum=0.9)
checkpoint = torch.load(PATH, weights_only=True)
print(sorted(checkpoint))
print(modelA.load_state_dict(checkpoint["modelA_state_dict"]))
print(modelB.load_state_dict(checkpoint["modelB_state_dict"]))
optimModelA.load_state_dict(checkpoint["optimizerA_state_dict"])
optimModelB.load_state_dict(checkpoint["optimizerB_state_dict"])
modelA.eval()
modelB.eval()
print(modelA.training, modelB.training)
print(torch.equal(modelA(x), netA(x)), torch.equal(modelB(x), netB(x)))
print(modelB(x))
state = optimModelA.state_dict()
print(state["param_groups"])
print(sorted(state["state"]), state["state"][4]["momentum_buffer"])
print(list(checkpoint["modelA_state_dict"].keys()))
