"""torchvision's ResNet (torchvision/models/resnet.py) with intermediate features read by forward
hooks, the pattern of the PyTorch forums' "How can I extract intermediate layer output" answer:
conv3x3/conv1x1 helpers, BasicBlock and Bottleneck (expansion 4) with their downsample
Sequential, _make_layer with stride and dilation bookkeeping, the init loop
(kaiming_normal_(mode="fan_out", nonlinearity="relu"), constant_ on norms) and
zero_init_residual (constant_(m.bn3.weight, 0) / bn2), AdaptiveAvgPool2d((1, 1)) and
torch.flatten; then register_forward_hook closures saving output.detach() into a dict, the
activations' shapes and node names (the 1x1 average pool is a mean in PyTorch), a handle's
remove(), requires_grad_(False) freezing of all but the fc layer, and two SGD steps.

Source: https://github.com/pytorch/vision (torchvision/models/resnet.py; BSD-3-Clause) and
https://discuss.pytorch.org/t/how-can-i-extract-intermediate-layer-output-from-loaded-cnn-model/77301
Written for jitgrad's corpus after their structure, not copied. Changes: widths 4/8/16/32 for
64/128/256/512, layers [1, 1, 1, 1], 3 classes, 32x32 inputs, the weights API dropped.
"""
# ruff: noqa: E501, UP006, UP007, UP008, UP035, UP045  (the original's style, kept)

from typing import List, Optional, Type, Union

import torch
import torch.nn as nn
from torch import Tensor


def conv3x3(in_planes: int, out_planes: int, stride: int = 1, groups: int = 1, dilation: int = 1) -> nn.Conv2d:
    """3x3 convolution with padding"""
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=dilation, groups=groups, bias=False, dilation=dilation)


def conv1x1(in_planes: int, out_planes: int, stride: int = 1) -> nn.Conv2d:
    """1x1 convolution"""
    return nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, bias=False)


class BasicBlock(nn.Module):
    expansion: int = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64, dilation=1, norm_layer=None):
        super().__init__()
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = norm_layer(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = norm_layer(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x: Tensor) -> Tensor:
        identity = x
        out = self.conv1(x)
        out = self.bn1(out)
        out = self.relu(out)
        out = self.conv2(out)
        out = self.bn2(out)
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity
        out = self.relu(out)
        return out


class Bottleneck(nn.Module):
    expansion: int = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64, dilation=1, norm_layer=None):
        super().__init__()
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        width = int(planes * (base_width / 64.0)) * groups
        self.conv1 = conv1x1(inplanes, width)
        self.bn1 = norm_layer(width)
        self.conv2 = conv3x3(width, width, stride, groups, dilation)
        self.bn2 = norm_layer(width)
        self.conv3 = conv1x1(width, planes * self.expansion)
        self.bn3 = norm_layer(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x: Tensor) -> Tensor:
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity
        out = self.relu(out)
        return out


class ResNet(nn.Module):
    def __init__(self, block: Type[Union[BasicBlock, Bottleneck]], layers: List[int], num_classes: int = 1000,
                 zero_init_residual: bool = False, width: int = 64, norm_layer: Optional[type] = None) -> None:
        super().__init__()
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        self._norm_layer = norm_layer
        self.inplanes = width
        self.dilation = 1
        self.groups = 1
        self.base_width = 64
        self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = norm_layer(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, width, layers[0])
        self.layer2 = self._make_layer(block, width * 2, layers[1], stride=2)
        self.layer3 = self._make_layer(block, width * 4, layers[2], stride=2)
        self.layer4 = self._make_layer(block, width * 8, layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(width * 8 * block.expansion, num_classes)

        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)

        if zero_init_residual:
            for m in self.modules():
                if isinstance(m, Bottleneck) and m.bn3.weight is not None:
                    nn.init.constant_(m.bn3.weight, 0)
                elif isinstance(m, BasicBlock) and m.bn2.weight is not None:
                    nn.init.constant_(m.bn2.weight, 0)

    def _make_layer(self, block, planes: int, blocks: int, stride: int = 1, dilate: bool = False) -> nn.Sequential:
        norm_layer = self._norm_layer
        downsample = None
        previous_dilation = self.dilation
        if dilate:
            self.dilation *= stride
            stride = 1
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(
                conv1x1(self.inplanes, planes * block.expansion, stride),
                norm_layer(planes * block.expansion),
            )

        layers = []
        layers.append(block(self.inplanes, planes, stride, downsample, self.groups, self.base_width, previous_dilation, norm_layer))
        self.inplanes = planes * block.expansion
        for _ in range(1, blocks):
            layers.append(block(self.inplanes, planes, groups=self.groups, base_width=self.base_width, dilation=self.dilation, norm_layer=norm_layer))

        return nn.Sequential(*layers)

    def _forward_impl(self, x: Tensor) -> Tensor:
        x = self.conv1(x)
        x = self.bn1(x)
        x = self.relu(x)
        x = self.maxpool(x)

        x = self.layer1(x)
        x = self.layer2(x)
        x = self.layer3(x)
        x = self.layer4(x)

        x = self.avgpool(x)
        x = torch.flatten(x, 1)
        x = self.fc(x)

        return x

    def forward(self, x: Tensor) -> Tensor:
        return self._forward_impl(x)


torch.manual_seed(0)
model = ResNet(BasicBlock, [1, 1, 1, 1], num_classes=3, zero_init_residual=True, width=4)
print(model.layer2)
print(model.layer2[0].bn2.weight, model.layer2[0].downsample[0].weight.shape)
deep = ResNet(Bottleneck, [1, 1, 1, 1], num_classes=3, width=4)
print(deep.layer1[0].conv3, deep.fc, deep.layer4[0].downsample[1])

activation = {}


def get_activation(name):
    def hook(model, input, output):
        activation[name] = output.detach()
        print(name, tuple(input[0].shape), output.shape, output.shape[1:], type(output.grad_fn).__name__)
    return hook


handles = [getattr(model, name).register_forward_hook(get_activation(name)) for name in ("layer1", "layer4", "avgpool", "fc")]
x = torch.randn(2, 3, 32, 32)
output = model(x)
print(output)
print(sorted(activation), activation['avgpool'].flatten(1)[:, :4], activation['layer4'].shape[-2:])
for h in handles[1:]:
    h.remove()
print(len(model.layer1._forward_hooks), len(model.fc._forward_hooks))

model.requires_grad_(False)
model.fc.requires_grad_(True)
print(sum(p.numel() for p in model.parameters() if p.requires_grad), [n for n, p in model.named_parameters() if p.requires_grad])
optimizer = torch.optim.SGD(filter(lambda p: p.requires_grad, model.parameters()), lr=0.1, momentum=0.9)
y = torch.tensor([0, 2])
for step in range(2):
    out = model(x)
    loss = nn.functional.cross_entropy(out, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print(step, round(loss.item(), 5), model.conv1.weight.grad, model.fc.bias.grad)
with torch.no_grad():
    deep.eval()
    print(deep(x).softmax(1).sum(1), deep.avgpool(deep.layer4(deep.layer3(deep.layer2(deep.layer1(deep.maxpool(deep.relu(deep.bn1(deep.conv1(x))))))))).shape)
