"""Embedding, distance, shuffle and upsampling layers from the torch.nn docs: the "Example::"
blocks of the docstrings of nn.Embedding, nn.CosineSimilarity, nn.PairwiseDistance,
nn.ChannelShuffle, nn.PixelShuffle, nn.PixelUnshuffle, nn.Upsample, nn.UpsamplingBilinear2d,
nn.UpsamplingNearest2d, pasted one after the other as a user runs them; a line whose REPL echo
the docstring shows is printed.

Source: the docstrings as shipped in PyTorch 2.13 (pytorch/pytorch, BSD-3-Clause; rendered at
https://pytorch.org/docs/stable/). Changes: print() goes around echoed expressions, and a block
that echoes nothing prints its last result's shape and first values; random inputs come from
torch.randn/rand, which the corpus harness feeds the same draws under both libraries.
"""

import torch
import torch.nn as nn

# nn.Embedding
embedding = nn.Embedding(10, 3)
input = torch.LongTensor([[1, 2, 4, 5], [4, 3, 2, 9]])
print(embedding(input))
embedding = nn.Embedding(10, 3, padding_idx=0)
input = torch.LongTensor([[0, 2, 0, 5]])
print(embedding(input))
padding_idx = 0
embedding = nn.Embedding(3, 3, padding_idx=padding_idx)
print(embedding.weight)
with torch.no_grad():
    embedding.weight[padding_idx] = torch.ones(3)
print(embedding.weight)

# nn.CosineSimilarity
input1 = torch.randn(100, 128)
input2 = torch.randn(100, 128)
cos = nn.CosineSimilarity(dim=1, eps=1e-6)
output = cos(input1, input2)
print(output.shape)
print(output.flatten()[:4])

# nn.PairwiseDistance
pdist = nn.PairwiseDistance(p=2)
input1 = torch.randn(100, 128)
input2 = torch.randn(100, 128)
output = pdist(input1, input2)
print(output.shape)
print(output.flatten()[:4])

# nn.ChannelShuffle
channel_shuffle = nn.ChannelShuffle(2)
input = torch.arange(1, 17, dtype=torch.float32).view(1, 4, 2, 2)
print(input)
output = channel_shuffle(input)
print(output)

# nn.PixelShuffle
pixel_shuffle = nn.PixelShuffle(3)
input = torch.randn(1, 9, 4, 4)
output = pixel_shuffle(input)
print(print(output.size()))

# nn.PixelUnshuffle
pixel_unshuffle = nn.PixelUnshuffle(3)
input = torch.randn(1, 1, 12, 12)
output = pixel_unshuffle(input)
print(print(output.size()))

# nn.Upsample
input = torch.arange(1, 5, dtype=torch.float32).view(1, 1, 2, 2)
print(input)
m = nn.Upsample(scale_factor=2, mode="nearest")
print(m(input))
m = nn.Upsample(scale_factor=2, mode="bilinear")  # align_corners=False
print(m(input))
m = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True)
print(m(input))
input_3x3 = torch.zeros(3, 3).view(1, 1, 3, 3)
print(input_3x3[:, :, :2, :2].copy_(input))
print(input_3x3)
m = nn.Upsample(scale_factor=2, mode="bilinear")  # align_corners=False
print(m(input_3x3))
m = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True)
print(m(input_3x3))

# nn.UpsamplingBilinear2d
input = torch.arange(1, 5, dtype=torch.float32).view(1, 1, 2, 2)
print(input)
m = nn.UpsamplingBilinear2d(scale_factor=2)
print(m(input))

# nn.UpsamplingNearest2d
input = torch.arange(1, 5, dtype=torch.float32).view(1, 1, 2, 2)
print(input)
m = nn.UpsamplingNearest2d(scale_factor=2)
print(m(input))
