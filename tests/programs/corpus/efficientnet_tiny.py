"""EfficientNet building blocks in the style of lukemelas' EfficientNet-PyTorch
(efficientnet_pytorch/utils.py and model.py): the memory-efficient Swish as a
torch.autograd.Function (ctx.save_for_backward / ctx.saved_tensors[0], the sigmoid derivative
written out), round_filters / round_repeats from a GlobalParams namedtuple, drop_connect with
torch.rand([batch_size, 1, 1, 1]) + keep_prob, torch.floor and inputs / keep_prob * mask, a
TensorFlow-style "same" padding Conv2d (Conv2dDynamicSamePadding: math.ceil, F.pad with
[pad_w // 2, pad_w - pad_w // 2, pad_h // 2, pad_h - pad_h // 2]), the MBConv block (expand,
depthwise conv with groups=oup, squeeze-and-excitation through F.adaptive_avg_pool2d and
torch.sigmoid(x_squeezed) * x, project, id skip), BatchNorm2d(momentum=1 - 0.99, eps=1e-3),
set_swish(memory_efficient=...) switching activations, and a few SGD steps.

Source: https://github.com/lukemelas/EfficientNet-PyTorch (efficientnet_pytorch/utils.py,
efficientnet_pytorch/model.py; Apache 2.0). Written for jitgrad's corpus after those files'
structure, not copied. Changes: a stem of 8 channels, two MBConv blocks (expand 1 and 4, SE
ratio 0.25, strides 1 and 2) on 3x12x12 inputs, 4 classes; no pretrained weights, no
static-padding variant (its image_size plumbing); 3 SGD steps.
"""
# ruff: noqa: E501  (the original's style, kept)

import collections
import math

import torch
from torch import nn
from torch.nn import functional as F

GlobalParams = collections.namedtuple('GlobalParams', [
    'width_coefficient', 'depth_coefficient', 'dropout_rate', 'num_classes',
    'batch_norm_momentum', 'batch_norm_epsilon', 'drop_connect_rate', 'depth_divisor',
    'min_depth'])
BlockArgs = collections.namedtuple('BlockArgs', [
    'num_repeat', 'kernel_size', 'stride', 'expand_ratio', 'input_filters', 'output_filters',
    'se_ratio', 'id_skip'])


class SwishImplementation(torch.autograd.Function):
    @staticmethod
    def forward(ctx, i):
        result = i * torch.sigmoid(i)
        ctx.save_for_backward(i)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        i = ctx.saved_tensors[0]
        sigmoid_i = torch.sigmoid(i)
        return grad_output * (sigmoid_i * (1 + i * (1 - sigmoid_i)))


class MemoryEfficientSwish(nn.Module):
    def forward(self, x):
        return SwishImplementation.apply(x)


class Swish(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(x)


def round_filters(filters, global_params):
    multiplier = global_params.width_coefficient
    if not multiplier:
        return filters
    divisor = global_params.depth_divisor
    min_depth = global_params.min_depth
    filters *= multiplier
    min_depth = min_depth or divisor
    new_filters = max(min_depth, int(filters + divisor / 2) // divisor * divisor)
    if new_filters < 0.9 * filters:
        new_filters += divisor
    return int(new_filters)


def round_repeats(repeats, global_params):
    multiplier = global_params.depth_coefficient
    if not multiplier:
        return repeats
    return int(math.ceil(multiplier * repeats))


def drop_connect(inputs, p, training):
    assert 0 <= p <= 1, 'p must be in range of [0,1]'
    if not training:
        return inputs
    batch_size = inputs.shape[0]
    keep_prob = 1 - p
    random_tensor = keep_prob
    random_tensor += torch.rand([batch_size, 1, 1, 1], dtype=inputs.dtype, device=inputs.device)
    binary_tensor = torch.floor(random_tensor)
    return inputs / keep_prob * binary_tensor


class Conv2dDynamicSamePadding(nn.Conv2d):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, dilation=1, groups=1, bias=True):
        super().__init__(in_channels, out_channels, kernel_size, stride, 0, dilation, groups, bias)
        self.stride = self.stride if len(self.stride) == 2 else [self.stride[0]] * 2

    def forward(self, x):
        ih, iw = x.size()[-2:]
        kh, kw = self.weight.size()[-2:]
        sh, sw = self.stride
        oh, ow = math.ceil(ih / sh), math.ceil(iw / sw)
        pad_h = max((oh - 1) * self.stride[0] + (kh - 1) * self.dilation[0] + 1 - ih, 0)
        pad_w = max((ow - 1) * self.stride[1] + (kw - 1) * self.dilation[1] + 1 - iw, 0)
        if pad_h > 0 or pad_w > 0:
            x = F.pad(x, [pad_w // 2, pad_w - pad_w // 2, pad_h // 2, pad_h - pad_h // 2])
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)


class MBConvBlock(nn.Module):
    def __init__(self, block_args, global_params):
        super().__init__()
        self._block_args = block_args
        self._bn_mom = 1 - global_params.batch_norm_momentum
        self._bn_eps = global_params.batch_norm_epsilon
        self.has_se = (self._block_args.se_ratio is not None) and (0 < self._block_args.se_ratio <= 1)
        self.id_skip = block_args.id_skip
        Conv2d = Conv2dDynamicSamePadding
        inp = self._block_args.input_filters
        oup = self._block_args.input_filters * self._block_args.expand_ratio
        if self._block_args.expand_ratio != 1:
            self._expand_conv = Conv2d(in_channels=inp, out_channels=oup, kernel_size=1, bias=False)
            self._bn0 = nn.BatchNorm2d(num_features=oup, momentum=self._bn_mom, eps=self._bn_eps)
        k = self._block_args.kernel_size
        s = self._block_args.stride
        self._depthwise_conv = Conv2d(in_channels=oup, out_channels=oup, groups=oup,
                                      kernel_size=k, stride=s, bias=False)
        self._bn1 = nn.BatchNorm2d(num_features=oup, momentum=self._bn_mom, eps=self._bn_eps)
        if self.has_se:
            num_squeezed_channels = max(1, int(self._block_args.input_filters * self._block_args.se_ratio))
            self._se_reduce = Conv2d(in_channels=oup, out_channels=num_squeezed_channels, kernel_size=1)
            self._se_expand = Conv2d(in_channels=num_squeezed_channels, out_channels=oup, kernel_size=1)
        final_oup = self._block_args.output_filters
        self._project_conv = Conv2d(in_channels=oup, out_channels=final_oup, kernel_size=1, bias=False)
        self._bn2 = nn.BatchNorm2d(num_features=final_oup, momentum=self._bn_mom, eps=self._bn_eps)
        self._swish = MemoryEfficientSwish()

    def forward(self, inputs, drop_connect_rate=None):
        x = inputs
        if self._block_args.expand_ratio != 1:
            x = self._swish(self._bn0(self._expand_conv(inputs)))
        x = self._swish(self._bn1(self._depthwise_conv(x)))
        if self.has_se:
            x_squeezed = F.adaptive_avg_pool2d(x, 1)
            x_squeezed = self._se_expand(self._swish(self._se_reduce(x_squeezed)))
            x = torch.sigmoid(x_squeezed) * x
        x = self._bn2(self._project_conv(x))
        input_filters, output_filters = self._block_args.input_filters, self._block_args.output_filters
        if self.id_skip and self._block_args.stride == 1 and input_filters == output_filters:
            if drop_connect_rate:
                x = drop_connect(x, p=drop_connect_rate, training=self.training)
            x = x + inputs
        return x

    def set_swish(self, memory_efficient=True):
        self._swish = MemoryEfficientSwish() if memory_efficient else Swish()


class TinyEfficientNet(nn.Module):
    def __init__(self, blocks_args, global_params):
        super().__init__()
        self._global_params = global_params
        bn_mom = 1 - global_params.batch_norm_momentum
        bn_eps = global_params.batch_norm_epsilon
        out_channels = round_filters(8, global_params)
        self._conv_stem = Conv2dDynamicSamePadding(3, out_channels, kernel_size=3, stride=2, bias=False)
        self._bn0 = nn.BatchNorm2d(num_features=out_channels, momentum=bn_mom, eps=bn_eps)
        self._blocks = nn.ModuleList([])
        for block_args in blocks_args:
            block_args = block_args._replace(
                input_filters=round_filters(block_args.input_filters, global_params),
                output_filters=round_filters(block_args.output_filters, global_params),
                num_repeat=round_repeats(block_args.num_repeat, global_params))
            self._blocks.append(MBConvBlock(block_args, global_params))
            if block_args.num_repeat > 1:
                block_args = block_args._replace(input_filters=block_args.output_filters, stride=1)
            for _ in range(block_args.num_repeat - 1):
                self._blocks.append(MBConvBlock(block_args, global_params))
        self._avg_pooling = nn.AdaptiveAvgPool2d(1)
        self._dropout = nn.Dropout(global_params.dropout_rate)
        self._fc = nn.Linear(blocks_args[-1].output_filters, global_params.num_classes)
        self._swish = MemoryEfficientSwish()

    def set_swish(self, memory_efficient=True):
        self._swish = MemoryEfficientSwish() if memory_efficient else Swish()
        for block in self._blocks:
            block.set_swish(memory_efficient)

    def forward(self, inputs):
        x = self._swish(self._bn0(self._conv_stem(inputs)))
        for idx, block in enumerate(self._blocks):
            drop_connect_rate = self._global_params.drop_connect_rate
            if drop_connect_rate:
                drop_connect_rate *= float(idx) / len(self._blocks)
            x = block(x, drop_connect_rate=drop_connect_rate)
        x = self._avg_pooling(x).flatten(start_dim=1)
        return self._fc(self._dropout(x))


torch.manual_seed(0)
gp = GlobalParams(width_coefficient=1.0, depth_coefficient=1.2, dropout_rate=0.2, num_classes=4,
                  batch_norm_momentum=0.99, batch_norm_epsilon=1e-3, drop_connect_rate=0.2,
                  depth_divisor=8, min_depth=None)
blocks = [BlockArgs(1, 3, 1, 1, 8, 8, 0.25, True), BlockArgs(2, 3, 2, 4, 8, 16, 0.25, True)]
print(round_filters(20, gp._replace(width_coefficient=1.1)), round_repeats(3, gp))
model = TinyEfficientNet(blocks, gp)
print(len(model._blocks), model._blocks[0]._bn1)
x = torch.randn(5, 3, 12, 12, requires_grad=True)
swish_grad = torch.autograd.grad(MemoryEfficientSwish()(x).sum(), x)[0]
print(torch.allclose(swish_grad, torch.autograd.grad(Swish()(x).sum(), x)[0], atol=1e-6))
print(MemoryEfficientSwish()(x).grad_fn.__class__.__name__)
labels = torch.tensor([0, 1, 2, 3, 0])
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)
model.train()
for step in range(3):
    loss = F.cross_entropy(model(x.detach()), labels)
    opt.zero_grad()
    loss.backward()
    opt.step()
    print(step, round(loss.item(), 5))
model.eval()
model.set_swish(memory_efficient=False)
with torch.no_grad():
    print(model(x[:2]))
print(model._blocks[2]._bn0.running_mean[:3])
