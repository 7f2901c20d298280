"""Super-resolution with an efficient sub-pixel CNN: conv layers with orthogonal_ init (gain
calculate_gain('relu')), nn.PixelShuffle(upscale_factor), MSELoss against the high-resolution
target, Adam, and PSNR as 10 * log10(1 / mse).

Model: https://github.com/pytorch/examples/blob/main/super_resolution/model.py and main.py
(pytorch/examples, BSD-3-Clause). Written for jitgrad's corpus, not copied. Changes: BSDS300
is replaced by 8 synthetic 1x6x6 low-res / 1x12x12 high-res pairs, channels 16-8, 4 epochs.
"""

# ruff: noqa: UP032  (the original's style, kept)

import math

import torch
import torch.nn as nn
import torch.nn.init as init
import torch.optim as optim

torch.manual_seed(123)


class Net(nn.Module):
    def __init__(self, upscale_factor):
        super().__init__()
        self.relu = nn.ReLU()
        self.conv1 = nn.Conv2d(1, 16, (5, 5), (1, 1), (2, 2))
        self.conv2 = nn.Conv2d(16, 8, (3, 3), (1, 1), (1, 1))
        self.conv3 = nn.Conv2d(8, 8, (3, 3), (1, 1), (1, 1))
        self.conv4 = nn.Conv2d(8, upscale_factor**2, (3, 3), (1, 1), (1, 1))
        self.pixel_shuffle = nn.PixelShuffle(upscale_factor)
        self._initialize_weights()

    def forward(self, x):
        x = self.relu(self.conv1(x))
        x = self.relu(self.conv2(x))
        x = self.relu(self.conv3(x))
        x = self.pixel_shuffle(self.conv4(x))
        return x

    def _initialize_weights(self):
        init.orthogonal_(self.conv1.weight, init.calculate_gain("relu"))
        init.orthogonal_(self.conv2.weight, init.calculate_gain("relu"))
        init.orthogonal_(self.conv3.weight, init.calculate_gain("relu"))
        init.orthogonal_(self.conv4.weight)


hr = torch.rand(8, 1, 12, 12)
lr_img = torch.nn.functional.avg_pool2d(hr, 2)
model = Net(upscale_factor=2)
print(model)
criterion = nn.MSELoss()
optimizer = optim.Adam(model.parameters(), lr=0.01)
for epoch in range(1, 5):
    epoch_loss = 0
    for i in range(0, 8, 4):
        input, target = lr_img[i : i + 4], hr[i : i + 4]
        optimizer.zero_grad()
        loss = criterion(model(input), target)
        epoch_loss += loss.item()
        loss.backward()
        optimizer.step()
    print("===> Epoch {} Complete: Avg. Loss: {:.4f}".format(epoch, epoch_loss / 2))
    with torch.no_grad():
        mse = criterion(model(lr_img), hr)
        psnr = 10 * math.log10(1 / mse.item())
    print("===> Avg. PSNR: {:.4f} dB".format(psnr))
print(model(lr_img[:1]).shape, loss.grad_fn)
