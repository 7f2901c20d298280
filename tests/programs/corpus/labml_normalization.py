"""Normalization layers written from scratch after labml.ai's annotated implementations
(labml_nn/normalization/batch_norm, layer_norm, instance_norm, group_norm): BatchNorm with
register_buffer'ed exp_mean / exp_var updated as (1 - momentum) * old + momentum * new,
x.view(batch_size, self.channels, -1) and mean over dims [0, 2]; LayerNorm over a
normalized_shape given as int / list / torch.Size (isinstance checks, dims = [-(i + 1) for i
in range(len(...))], elementwise gain and bias); InstanceNorm with affine scale/shift; GroupNorm
with x.view(batch_size, self.groups, -1); each compared against torch.nn's own layer
(BatchNorm1d/2d, LayerNorm, InstanceNorm2d, GroupNorm) with torch.allclose and max differences.

Source: https://github.com/labmlai/annotated_deep_learning_paper_implementations (MIT; written
for jitgrad's corpus after its structure, not copied). Changes: small random inputs, one
gradient check per layer against the nn layer's gradients.
"""
# ruff: noqa: E501, UP004, UP006, UP007, UP008, UP031, UP032, UP035, UP045, E701, E731, B006, B007, F401, F841  (the original's style, kept)

from typing import List, Union

import torch
from torch import nn


class BatchNorm(nn.Module):
    def __init__(self, channels: int, *, eps: float = 1e-5, momentum: float = 0.1, affine: bool = True, track_running_stats: bool = True):
        super().__init__()
        self.channels = channels
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if self.affine:
            self.scale = nn.Parameter(torch.ones(channels))
            self.shift = nn.Parameter(torch.zeros(channels))
        if self.track_running_stats:
            self.register_buffer('exp_mean', torch.zeros(channels))
            self.register_buffer('exp_var', torch.ones(channels))

    def forward(self, x: torch.Tensor):
        x_shape = x.shape
        batch_size = x_shape[0]
        assert self.channels == x.shape[1]
        x = x.view(batch_size, self.channels, -1)
        if self.training or not self.track_running_stats:
            mean = x.mean(dim=[0, 2])
            mean_x2 = (x ** 2).mean(dim=[0, 2])
            var = mean_x2 - mean ** 2
            if self.training and self.track_running_stats:
                self.exp_mean = (1 - self.momentum) * self.exp_mean + self.momentum * mean
                self.exp_var = (1 - self.momentum) * self.exp_var + self.momentum * var
        else:
            mean = self.exp_mean
            var = self.exp_var
        x_norm = (x - mean.view(1, -1, 1)) / torch.sqrt(var + self.eps).view(1, -1, 1)
        if self.affine:
            x_norm = self.scale.view(1, -1, 1) * x_norm + self.shift.view(1, -1, 1)
        return x_norm.view(x_shape)


class LayerNorm(nn.Module):
    def __init__(self, normalized_shape: Union[int, List[int], torch.Size], *, eps: float = 1e-5, elementwise_affine: bool = True):
        super().__init__()
        if isinstance(normalized_shape, int):
            normalized_shape = torch.Size([normalized_shape])
        elif isinstance(normalized_shape, list):
            normalized_shape = torch.Size(normalized_shape)
        assert isinstance(normalized_shape, torch.Size)
        self.normalized_shape = normalized_shape
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if self.elementwise_affine:
            self.gain = nn.Parameter(torch.ones(normalized_shape))
            self.bias = nn.Parameter(torch.zeros(normalized_shape))

    def forward(self, x: torch.Tensor):
        assert self.normalized_shape == x.shape[-len(self.normalized_shape):]
        dims = [-(i + 1) for i in range(len(self.normalized_shape))]
        mean = x.mean(dim=dims, keepdim=True)
        mean_x2 = (x ** 2).mean(dim=dims, keepdim=True)
        var = mean_x2 - mean ** 2
        x_norm = (x - mean) / torch.sqrt(var + self.eps)
        if self.elementwise_affine:
            x_norm = self.gain * x_norm + self.bias
        return x_norm


class InstanceNorm(nn.Module):
    def __init__(self, channels: int, *, eps: float = 1e-5, affine: bool = True):
        super().__init__()
        self.channels = channels
        self.eps = eps
        self.affine = affine
        if self.affine:
            self.scale = nn.Parameter(torch.ones(channels))
            self.shift = nn.Parameter(torch.zeros(channels))

    def forward(self, x: torch.Tensor):
        x_shape = x.shape
        batch_size = x_shape[0]
        assert self.channels == x.shape[1]
        x = x.view(batch_size, self.channels, -1)
        mean = x.mean(dim=[-1], keepdim=True)
        mean_x2 = (x ** 2).mean(dim=[-1], keepdim=True)
        var = mean_x2 - mean ** 2
        x_norm = (x - mean) / torch.sqrt(var + self.eps)
        x_norm = x_norm.view(batch_size, self.channels, -1)
        if self.affine:
            x_norm = self.scale.view(1, -1, 1) * x_norm + self.shift.view(1, -1, 1)
        return x_norm.view(x_shape)


class GroupNorm(nn.Module):
    def __init__(self, groups: int, channels: int, *, eps: float = 1e-5, affine: bool = True):
        super().__init__()
        assert channels % groups == 0, "Number of channels should be evenly divisible by the number of groups"
        self.groups = groups
        self.channels = channels
        self.eps = eps
        self.affine = affine
        if self.affine:
            self.scale = nn.Parameter(torch.ones(channels))
            self.shift = nn.Parameter(torch.zeros(channels))

    def forward(self, x: torch.Tensor):
        x_shape = x.shape
        batch_size = x_shape[0]
        assert self.channels == x.shape[1]
        x = x.view(batch_size, self.groups, -1)
        mean = x.mean(dim=[-1], keepdim=True)
        mean_x2 = (x ** 2).mean(dim=[-1], keepdim=True)
        var = mean_x2 - mean ** 2
        x_norm = (x - mean) / torch.sqrt(var + self.eps)
        if self.affine:
            x_norm = x_norm.view(batch_size, self.channels, -1)
            x_norm = self.scale.view(1, -1, 1) * x_norm + self.shift.view(1, -1, 1)
        return x_norm.view(x_shape)


def compare(name, ours, theirs, x, atol=1e-5):
    xa = x.clone().requires_grad_()
    xb = x.clone().requires_grad_()
    ya, yb = ours(xa), theirs(xb)
    w = torch.linspace(-1, 1, ya.numel()).view_as(ya)
    (ya * w).sum().backward()
    (yb * w).sum().backward()
    print(name, ya.shape, torch.allclose(ya, yb, atol=atol), torch.allclose(xa.grad, xb.grad, atol=1e-4),
          (ya - yb).abs().max().item() < 1e-4)


torch.manual_seed(0)
x2d = torch.randn(6, 4, 3, 3) * 2 + 1
x1d = torch.randn(8, 5) * 3 - 2
bn = BatchNorm(4)
compare("batch2d", bn, nn.BatchNorm2d(4), x2d)
print(bn.exp_mean, bn.exp_var, [n for n, _ in bn.named_buffers()])
bn.eval()
ref = nn.BatchNorm2d(4)
ref(x2d)
ref.eval()
print(torch.allclose(bn(x2d), ref(x2d), atol=1e-4), torch.allclose(bn.exp_var, ref.running_var, atol=1e-5))
compare("batch1d", BatchNorm(5), nn.BatchNorm1d(5), x1d)
compare("layer", LayerNorm([3, 3]), nn.LayerNorm([3, 3]), x2d)
compare("layer_int", LayerNorm(5), nn.LayerNorm(5), x1d)
compare("instance", InstanceNorm(4), nn.InstanceNorm2d(4, affine=True), x2d)
compare("group", GroupNorm(2, 4), nn.GroupNorm(2, 4), x2d)
ln = LayerNorm(torch.Size([3, 3]))
print(ln.normalized_shape, nn.LayerNorm([3, 3]).normalized_shape, ln.gain.shape)
try:
    GroupNorm(3, 4)
except AssertionError as e:
    print("AssertionError:", e)
gn = nn.GroupNorm(2, 4)
print(gn, nn.InstanceNorm2d(4, affine=True), nn.LayerNorm(5, elementwise_affine=False))
print(gn(x2d)[0, :, 0, 0], GroupNorm(2, 4)(x2d)[0, :, 0, 0])
