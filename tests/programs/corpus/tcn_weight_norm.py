"""A temporal convolutional network after locuslab/TCN (TCN/tcn.py): Chomp1d cutting the causal
padding (x[:, :, :-chomp_size].contiguous()), TemporalBlock with two weight_norm'ed dilated Conv1d
layers, ReLU and Dropout, a 1x1 downsample on the residual when channel counts differ,
init_weights with normal_(0, 0.01), TemporalConvNet stacking blocks with dilation 2**i, and the
adding-problem model reading the last time step through a Linear layer.

Source: https://github.com/locuslab/TCN (TCN/tcn.py, TCN/adding_problem/model.py; MIT).
Written for jitgrad's corpus after their structure, not copied. Changes: the adding-problem data
is generated inline at length 24, dropout 0 so runs compare, 4 Adam steps; torch.nn.utils.weight_norm
(the original's, deprecated) stays.
"""
# ruff: noqa: E501, UP008  (the original's style, kept)

import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils import weight_norm

warnings.filterwarnings("ignore")


class Chomp1d(nn.Module):
    def __init__(self, chomp_size):
        super(Chomp1d, self).__init__()
        self.chomp_size = chomp_size

    def forward(self, x):
        return x[:, :, :-self.chomp_size].contiguous()


class TemporalBlock(nn.Module):
    def __init__(self, n_inputs, n_outputs, kernel_size, stride, dilation, padding, dropout=0.2):
        super(TemporalBlock, self).__init__()
        self.conv1 = weight_norm(nn.Conv1d(n_inputs, n_outputs, kernel_size, stride=stride, padding=padding, dilation=dilation))
        self.chomp1 = Chomp1d(padding)
        self.relu1 = nn.ReLU()
        self.dropout1 = nn.Dropout(dropout)
        self.conv2 = weight_norm(nn.Conv1d(n_outputs, n_outputs, kernel_size, stride=stride, padding=padding, dilation=dilation))
        self.chomp2 = Chomp1d(padding)
        self.relu2 = nn.ReLU()
        self.dropout2 = nn.Dropout(dropout)
        self.net = nn.Sequential(self.conv1, self.chomp1, self.relu1, self.dropout1,
                                 self.conv2, self.chomp2, self.relu2, self.dropout2)
        self.downsample = nn.Conv1d(n_inputs, n_outputs, 1) if n_inputs != n_outputs else None
        self.relu = nn.ReLU()
        self.init_weights()

    def init_weights(self):
        self.conv1.weight.data.normal_(0, 0.01)
        self.conv2.weight.data.normal_(0, 0.01)
        if self.downsample is not None:
            self.downsample.weight.data.normal_(0, 0.01)

    def forward(self, x):
        out = self.net(x)
        res = x if self.downsample is None else self.downsample(x)
        return self.relu(out + res)


class TemporalConvNet(nn.Module):
    def __init__(self, num_inputs, num_channels, kernel_size=2, dropout=0.2):
        super(TemporalConvNet, self).__init__()
        layers = []
        num_levels = len(num_channels)
        for i in range(num_levels):
            dilation_size = 2 ** i
            in_channels = num_inputs if i == 0 else num_channels[i - 1]
            out_channels = num_channels[i]
            layers += [TemporalBlock(in_channels, out_channels, kernel_size, stride=1, dilation=dilation_size,
                                     padding=(kernel_size - 1) * dilation_size, dropout=dropout)]
        self.network = nn.Sequential(*layers)

    def forward(self, x):
        return self.network(x)


class TCN(nn.Module):
    def __init__(self, input_size, output_size, num_channels, kernel_size, dropout):
        super(TCN, self).__init__()
        self.tcn = TemporalConvNet(input_size, num_channels, kernel_size=kernel_size, dropout=dropout)
        self.linear = nn.Linear(num_channels[-1], output_size)
        self.init_weights()

    def init_weights(self):
        self.linear.weight.data.normal_(0, 0.01)

    def forward(self, x):
        y1 = self.tcn(x)
        return self.linear(y1[:, :, -1])


def data_generator(N, seq_length):
    X_num = torch.rand([N, 1, seq_length])
    X_mask = torch.zeros([N, 1, seq_length])
    Y = torch.zeros([N, 1])
    for i in range(N):
        positions = [i % seq_length, (3 * i + 5) % seq_length]
        if positions[0] == positions[1]:
            positions[1] = (positions[1] + 1) % seq_length
        X_mask[i, 0, positions[0]] = 1
        X_mask[i, 0, positions[1]] = 1
        Y[i, 0] = X_num[i, 0, positions[0]] + X_num[i, 0, positions[1]]
    X = torch.cat((X_num, X_mask), dim=1)
    return X, Y


torch.manual_seed(1111)
X, Y = data_generator(16, 24)
model = TCN(2, 1, [6, 6, 6], kernel_size=3, dropout=0.0)
print(model.tcn.network[0].conv1)
print(sorted(n for n, _ in model.tcn.network[0].conv1.named_parameters()))
print(model.tcn.network[0].conv1.weight_g.shape, model.tcn.network[0].conv1.weight_v.shape)
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
for step in range(4):
    optimizer.zero_grad()
    output = model(X)
    loss = F.mse_loss(output, Y)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    print(step, loss.item())
print(output[:3].detach())
print(model.tcn.network[1].conv2.weight_g.grad.flatten()[:3])
