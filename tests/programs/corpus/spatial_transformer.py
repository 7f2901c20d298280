"""Spatial transformer network: a localisation net regresses a 2x3 affine matrix (its last layer
initialised to the identity transform), F.affine_grid and F.grid_sample warp the input, and a
classifier trains on the warped image.

Model: https://pytorch.org/tutorials/intermediate/spatial_transformer_tutorial.html
(pytorch/tutorials, BSD-3-Clause). Written for jitgrad's corpus, not copied. Changes: MNIST is
replaced by 32 synthetic 1x16x16 images, the nets are narrowed to fit them, and training runs
3 steps of SGD on one batch.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

torch.manual_seed(0)
data = torch.rand(32, 1, 16, 16)
target = (data.mean((1, 2, 3)) > 0.5).long()


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, kernel_size=3)
        self.fc1 = nn.Linear(4 * 7 * 7, 2)
        # Spatial transformer localisation network
        self.localization = nn.Sequential(
            nn.Conv2d(1, 4, kernel_size=3),
            nn.MaxPool2d(2, stride=2),
            nn.ReLU(True),
        )
        self.fc_loc = nn.Sequential(nn.Linear(4 * 7 * 7, 8), nn.ReLU(True), nn.Linear(8, 3 * 2))
        # Initialize the weights/bias with identity transformation
        self.fc_loc[2].weight.data.zero_()
        self.fc_loc[2].bias.data.copy_(torch.tensor([1, 0, 0, 0, 1, 0], dtype=torch.float))

    def stn(self, x):
        xs = self.localization(x)
        xs = xs.view(-1, 4 * 7 * 7)
        theta = self.fc_loc(xs)
        theta = theta.view(-1, 2, 3)
        grid = F.affine_grid(theta, x.size(), align_corners=False)
        x = F.grid_sample(x, grid, align_corners=False)
        return x

    def forward(self, x):
        x = self.stn(x)
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = x.view(-1, 4 * 7 * 7)
        x = self.fc1(x)
        return F.log_softmax(x, dim=1)


model = Net()
optimizer = optim.SGD(model.parameters(), lr=0.05)
for step in range(3):
    optimizer.zero_grad()
    output = model(data)
    loss = F.nll_loss(output, target)
    loss.backward()
    optimizer.step()
    print(f"step {step} loss {loss.item():.5f}")
print(output.grad_fn)
with torch.no_grad():
    warped = model.stn(data[:2])
print(warped.shape, f"{warped.sum().item():.4f}")
print(model.fc_loc[2].bias.data)
