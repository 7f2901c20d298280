"""A Fourier Neural Operator in 1D after zongyi-li/fourier_neural_operator (fourier_1d.py):
SpectralConv1d's complex weights scale * torch.rand(..., dtype=torch.cfloat) as nn.Parameter,
torch.fft.rfft of the input, a complex torch.einsum("bix,iox->box") on the lowest modes written
into torch.zeros(..., dtype=torch.cfloat) by slice assignment, torch.fft.irfft(out_ft, n=x.size(-1));
the FNO1d block (fc0 lift, permute, spectral conv plus 1x1 Conv1d, F.gelu, fc1/fc2 projection),
get_grid from torch.linspace(...).reshape(1, size_x, 1).repeat, the relative LpLoss class
(torch.norm(x - y, p, 1)), Adam with StepLR and gradient through complex parameters.

Source: https://github.com/zongyi-li/fourier_neural_operator (MIT; written for jitgrad's corpus
after its structure, not copied). Changes: width 8, 4 modes, 2 Fourier layers instead of 4, a
synthetic antiderivative task on 32 points instead of Burgers' data, 3 epochs.
"""
# ruff: noqa: E501, UP004, UP006, UP007, UP008, UP031, UP032, UP035, UP045, E701, E731, B006, B007, F401, F841  (the original's style, kept)

import torch
import torch.nn as nn
import torch.nn.functional as F


class SpectralConv1d(nn.Module):
    def __init__(self, in_channels, out_channels, modes1):
        super(SpectralConv1d, self).__init__()
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.modes1 = modes1  # Number of Fourier modes to multiply, at most floor(N/2) + 1
        self.scale = (1 / (in_channels * out_channels))
        self.weights1 = nn.Parameter(self.scale * torch.rand(in_channels, out_channels, self.modes1, dtype=torch.cfloat))

    # Complex multiplication
    def compl_mul1d(self, input, weights):
        # (batch, in_channel, x ), (in_channel, out_channel, x) -> (batch, out_channel, x)
        return torch.einsum("bix,iox->box", input, weights)

    def forward(self, x):
        batchsize = x.shape[0]
        x_ft = torch.fft.rfft(x)
        out_ft = torch.zeros(batchsize, self.out_channels, x.size(-1) // 2 + 1, device=x.device, dtype=torch.cfloat)
        out_ft[:, :, :self.modes1] = self.compl_mul1d(x_ft[:, :, :self.modes1], self.weights1)
        x = torch.fft.irfft(out_ft, n=x.size(-1))
        return x


class FNO1d(nn.Module):
    def __init__(self, modes, width):
        super(FNO1d, self).__init__()
        self.modes1 = modes
        self.width = width
        self.fc0 = nn.Linear(2, self.width)  # input channel is 2: (a(x), x)
        self.conv0 = SpectralConv1d(self.width, self.width, self.modes1)
        self.conv1 = SpectralConv1d(self.width, self.width, self.modes1)
        self.w0 = nn.Conv1d(self.width, self.width, 1)
        self.w1 = nn.Conv1d(self.width, self.width, 1)
        self.fc1 = nn.Linear(self.width, 16)
        self.fc2 = nn.Linear(16, 1)

    def forward(self, x):
        grid = self.get_grid(x.shape, x.device)
        x = torch.cat((x, grid), dim=-1)
        x = self.fc0(x)
        x = x.permute(0, 2, 1)
        x1 = self.conv0(x)
        x2 = self.w0(x)
        x = x1 + x2
        x = F.gelu(x)
        x1 = self.conv1(x)
        x2 = self.w1(x)
        x = x1 + x2
        x = x.permute(0, 2, 1)
        x = self.fc1(x)
        x = F.gelu(x)
        x = self.fc2(x)
        return x

    def get_grid(self, shape, device):
        batchsize, size_x = shape[0], shape[1]
        gridx = torch.tensor(torch.linspace(0, 1, size_x), dtype=torch.float)
        gridx = gridx.reshape(1, size_x, 1).repeat([batchsize, 1, 1])
        return gridx.to(device)


class LpLoss(object):
    def __init__(self, d=2, p=2, size_average=True, reduction=True):
        super(LpLoss, self).__init__()
        assert d > 0 and p > 0
        self.d = d
        self.p = p
        self.reduction = reduction
        self.size_average = size_average

    def rel(self, x, y):
        num_examples = x.size()[0]
        diff_norms = torch.norm(x.reshape(num_examples, -1) - y.reshape(num_examples, -1), self.p, 1)
        y_norms = torch.norm(y.reshape(num_examples, -1), self.p, 1)
        if self.reduction:
            if self.size_average:
                return torch.mean(diff_norms / y_norms)
            else:
                return torch.sum(diff_norms / y_norms)
        return diff_norms / y_norms

    def __call__(self, x, y):
        return self.rel(x, y)


torch.manual_seed(0)
s = 32
t = torch.linspace(0, 1, s)
k = torch.arange(1, 4).float()
coef = torch.randn(10, 3)
x_train = (coef[:, :, None] * torch.sin(2 * torch.pi * k[None, :, None] * t)).sum(1)
y_train = (coef[:, :, None] * (1 - torch.cos(2 * torch.pi * k[None, :, None] * t)) / (2 * torch.pi * k[None, :, None])).sum(1)
x_train = x_train.reshape(10, s, 1)
model = FNO1d(4, 8)
print(model.conv0.weights1.dtype, model.conv0.weights1.shape, model.conv0.weights1[0, 0])
print(sum(p.numel() for p in model.parameters()), sum(p.numel() * (2 if p.is_complex() else 1) for p in model.parameters()))
xf = torch.fft.rfft(x_train[:2, :, 0])
print(xf.shape, xf.dtype, xf[0, 1:3])
optimizer = torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=1e-4)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
myloss = LpLoss(size_average=False)
for ep in range(3):
    model.train()
    train_l2 = 0
    for i in range(0, 10, 5):
        x, y = x_train[i:i + 5], y_train[i:i + 5]
        optimizer.zero_grad()
        out = model(x)
        mse = F.mse_loss(out.view(5, -1), y.view(5, -1), reduction='mean')
        l2 = myloss(out.view(5, -1), y.view(5, -1))
        l2.backward()
        optimizer.step()
        train_l2 += l2.item()
    scheduler.step()
    print(ep, round(train_l2 / 10, 5), round(mse.item(), 6), scheduler.get_last_lr())
g = model.conv1.weights1.grad
print(g.dtype, g.shape, g[0, 0, :2])
with torch.no_grad():
    pred = model(x_train[:2])
print(pred.shape, pred[0, :4, 0], LpLoss(reduction=False)(pred.view(2, -1), y_train[:2]))
