"""The examples of torch.nn's layer documentation, as a user pastes them: Identity, Flatten /
Unflatten (named shapes), Fold / Unfold, Bilinear, CosineSimilarity, PairwiseDistance,
PixelShuffle, Upsample (nearest / bilinear), ChannelShuffle, ZeroPad2d, ReflectionPad1d,
ReplicationPad2d, ConstantPad1d, CircularPad2d, AdaptiveAvgPool2d with None, AvgPool2d,
MaxPool2d + MaxUnpool2d, LPPool2d, Softmax2d, GroupNorm, InstanceNorm1d, LocalResponseNorm,
RMSNorm, LayerNorm without affine, ModuleList / ModuleDict / ParameterList / ParameterDict
iteration, and each module's repr.

Docs: https://pytorch.org/docs/stable/nn.html and the linked class pages (pytorch/pytorch
docstrings, BSD-3-Clause). Written for jitgrad's corpus, not copied. Changes: the docstrings'
random inputs are seeded draws or arange based; sizes are smaller; results are printed.
"""

import torch
import torch.nn as nn

torch.manual_seed(0)

m = nn.Identity(54, unused_argument1=0.1, unused_argument2=False)
input = torch.randn(2, 3)
print(m, m(input) is input)

input = torch.randn(4, 2, 3, 3)
# With default parameters
m = nn.Flatten()
print(m, m(input).size())
# With non-default parameters
m = nn.Flatten(0, 2)
print(m, m(input).size())
input = torch.randn(2, 50)
# With tuple of ints
m = nn.Sequential(nn.Linear(50, 50), nn.Unflatten(1, (2, 5, 5)))
print(m, m(input).size())
# With torch.Size
m = nn.Sequential(nn.Linear(50, 50), nn.Unflatten(1, torch.Size([2, 5, 5])))
print(m(input).size())

fold = nn.Fold(output_size=(4, 5), kernel_size=(2, 2))
input = torch.randn(1, 3 * 2 * 2, 12)
output = fold(input)
print(fold, output.size())
unfold = nn.Unfold(kernel_size=(2, 3))
input = torch.randn(2, 5, 3, 4)
output = unfold(input)
# each patch contains 30 values (2x3=6 vectors, each of 5 channels)
# 4 blocks (2x3 kernels) in total in the 3x4 input
print(unfold, output.size())

m = nn.Bilinear(20, 30, 40)
input1 = torch.randn(16, 20)
input2 = torch.randn(16, 30)
output = m(input1, input2)
print(m, output.size(), output[0, :3])

input1 = torch.randn(10, 12)
input2 = torch.randn(10, 12)
cos = nn.CosineSimilarity(dim=1, eps=1e-6)
print(cos, cos(input1, input2))
pdist = nn.PairwiseDistance(p=2)
print(pdist, pdist(input1, input2))

pixel_shuffle = nn.PixelShuffle(3)
input = torch.randn(1, 9, 4, 4)
output = pixel_shuffle(input)
print(pixel_shuffle, output.size())
print(nn.PixelUnshuffle(3), nn.PixelUnshuffle(3)(output).equal(input))

input = torch.arange(1, 5, dtype=torch.float32).view(1, 1, 2, 2)
m = nn.Upsample(scale_factor=2, mode="nearest")
print(m, m(input))
m = nn.Upsample(scale_factor=2, mode="bilinear")  # align_corners=False
print(m, m(input))
m = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True)
print(m(input))
m = nn.UpsamplingNearest2d(scale_factor=2)
print(m, m(input)[0, 0, 0])
m = nn.UpsamplingBilinear2d(scale_factor=2)
print(m, m(input)[0, 0, 1])

channel_shuffle = nn.ChannelShuffle(2)
input = torch.arange(1, 17, dtype=torch.float32).view(1, 4, 2, 2)
print(channel_shuffle, channel_shuffle(input)[0, :, 0, 0])

m = nn.ZeroPad2d(2)
input = torch.randn(1, 1, 3, 3)
print(m, m(input).shape)
# using different paddings for different sides
m = nn.ZeroPad2d((1, 1, 2, 0))
print(m, m(input))
m = nn.ReflectionPad1d(2)
input = torch.arange(8, dtype=torch.float).reshape(1, 2, 4)
print(m, m(input))
m = nn.ReplicationPad2d((1, 1, 2, 0))
input = torch.arange(9, dtype=torch.float).reshape(1, 1, 3, 3)
print(m, m(input))
m = nn.ConstantPad1d((3, 1), 3.5)
print(m, m(torch.arange(4.0).view(1, 1, 4)))
m = nn.CircularPad2d((1, 1, 2, 0))
print(m, m(input))

# target output size of 10x7
m = nn.AdaptiveAvgPool2d((None, 7))
input = torch.randn(1, 4, 10, 9)
output = m(input)
print(m, output.shape)
m = nn.AvgPool2d((3, 2), stride=(2, 1), ceil_mode=True, count_include_pad=False, padding=1)
print(m, m(input).shape, m(input)[0, 0, 0])
pool = nn.MaxPool2d(2, stride=2, return_indices=True)
unpool = nn.MaxUnpool2d(2, stride=2)
input = torch.tensor([[[[1.0, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]]]])
output, indices = pool(input)
print(pool, unpool, unpool(output, indices))
# Now using output_size to resolve an ambiguous size for the inverse
input = torch.arange(1.0, 26).view(1, 1, 5, 5)
output, indices = pool(input)
# This call will not work without specifying output_size
print(unpool(output, indices, output_size=input.size()))
m = nn.LPPool2d(2, 3, stride=2)
print(m, m(torch.arange(1.0, 50).view(1, 1, 7, 7) / 10))
m = nn.Softmax2d()
print(m, m(torch.randn(1, 3, 2, 2)))

input = torch.randn(2, 6, 4, 4)
# Separate 6 channels into 3 groups
m = nn.GroupNorm(3, 6)
print(m, m(input)[0, :2, 0])
m = nn.InstanceNorm1d(3, affine=True)
print(m, m(torch.randn(2, 3, 5)))
lrn = nn.LocalResponseNorm(2)
print(lrn, lrn(input)[0, :2, 0])
rms_norm = nn.RMSNorm([2, 3])
print(rms_norm, rms_norm(torch.randn(2, 2, 3)))
ln = nn.LayerNorm([4], elementwise_affine=False)
print(ln, ln(torch.arange(8.0).view(2, 4)))


class MyModule(nn.Module):
    def __init__(self):
        super().__init__()
        self.linears = nn.ModuleList([nn.Linear(4, 4) for i in range(3)])
        self.choices = nn.ModuleDict({"conv": nn.Conv2d(2, 3, 3), "pool": nn.MaxPool2d(3)})
        self.activations = nn.ModuleDict([["lrelu", nn.LeakyReLU()], ["prelu", nn.PReLU()]])
        self.params = nn.ParameterList([nn.Parameter(torch.randn(4, 4)) for i in range(2)])
        self.pdict = nn.ParameterDict(
            {"left": nn.Parameter(torch.randn(4, 2)), "right": nn.Parameter(torch.randn(4, 2))}
        )

    def forward(self, x, choice="left", act="prelu"):
        # ModuleList can act as an iterable, or be indexed using ints
        for i, l in enumerate(self.linears):
            x = self.linears[i // 2](x) + l(x)
        for i, p in enumerate(self.params):
            x = self.params[i // 2].mm(x) + p.mm(x)
        x = self.activations[act](x)
        return x.mm(self.pdict[choice])


net = MyModule()
print(net)
print(net(torch.randn(4, 4)))
print(list(net.choices.keys()), list(net.pdict.keys()), len(net.params))
print([n for n, _ in net.named_parameters()])
net.linears.append(nn.Linear(4, 2))
net.linears.extend([nn.ReLU(), nn.Tanh()])
net.linears.insert(1, nn.Identity())
print(net.linears)
print(net.linears[1:3], len(net.linears[-2:]))
