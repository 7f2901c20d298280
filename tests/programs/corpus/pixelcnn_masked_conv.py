"""A PixelCNN with masked convolutions after jzbontar/pixelcnn-pytorch (main.py): MaskedConv2d
subclassing nn.Conv2d, its mask a register_buffer cloned from self.weight.data, filled with
fill_(1) and zeroed by slice assignment for mask types 'A' and 'B', applied in forward through
self.weight.data *= self.mask before super(MaskedConv2d, self).forward(x); the network
(nn.Sequential of MaskedConv2d, BatchNorm2d, ReLU and a 1x1 Conv2d to 256 intensity logits),
F.cross_entropy over the 256 classes per pixel, and pixel-by-pixel sampling with
torch.multinomial(F.softmax(out[:, :, i, j], dim=1), 1).

Source: https://github.com/jzbontar/pixelcnn-pytorch (main.py; no license stated: written for
jitgrad's corpus after its structure, not copied). Changes: 8 feature maps and 3 masked layers
instead of 64 and 8, random 6x6 binary "images", 3 Adam steps, sampling a 4x4 grid.
"""
# ruff: noqa: E501, UP008, UP031, UP032, UP035, UP006, UP018, UP039, B006, B007, E721, E731, F401, F841  (the original's style, kept)

import torch
import torch.nn as nn
import torch.nn.functional as F


class MaskedConv2d(nn.Conv2d):
    def __init__(self, mask_type, *args, **kwargs):
        super(MaskedConv2d, self).__init__(*args, **kwargs)
        assert mask_type in {'A', 'B'}
        self.register_buffer('mask', self.weight.data.clone())
        _, _, kH, kW = self.weight.size()
        self.mask.fill_(1)
        self.mask[:, :, kH // 2, kW // 2 + (mask_type == 'B'):] = 0
        self.mask[:, :, kH // 2 + 1:] = 0

    def forward(self, x):
        self.weight.data *= self.mask
        return super(MaskedConv2d, self).forward(x)


fm = 8
net = nn.Sequential(
    MaskedConv2d('A', 1, fm, 7, 1, 3, bias=False), nn.BatchNorm2d(fm), nn.ReLU(True),
    MaskedConv2d('B', fm, fm, 7, 1, 3, bias=False), nn.BatchNorm2d(fm), nn.ReLU(True),
    MaskedConv2d('B', fm, fm, 7, 1, 3, bias=False), nn.BatchNorm2d(fm), nn.ReLU(True),
    nn.Conv2d(fm, 256, 1))
print(net[0])
print(net[0].mask[0, 0])
print(net[3].mask[0, 0, 3])
print([n for n, _ in net.named_buffers()][:4])

torch.manual_seed(1)
data = (torch.rand(8, 1, 6, 6) > 0.5).float()
optimizer = torch.optim.Adam(net.parameters())
for epoch in range(3):
    net.train()
    input = data
    target = (input.data[:, 0] * 255).long()
    loss = F.cross_entropy(net(input), target)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print('epoch={}; nll_train={:.7f}'.format(epoch, loss.item()))
print((net[0].weight.data[:, :, 3, 3:] == 0).all().item(), (net[0].weight.grad[:, :, 4:] == 0).all().item())

sample = torch.Tensor(2, 1, 4, 4)
sample.fill_(0)
net.train(False)
for i in range(4):
    for j in range(4):
        out = net(sample)
        probs = F.softmax(out[:, :, i, j], dim=1).data
        sample[:, :, i, j] = torch.multinomial(probs, 1).float() / 255.
print(sample.shape, sample.shape[1:], (sample * 255).round().long()[0, 0])
with torch.no_grad():
    out = net(sample)
print(out.shape[-2:], F.log_softmax(out, 1).max().item() <= 0)
