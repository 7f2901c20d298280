"""Normalization and dropout layers from the torch.nn docs: the "Example::" blocks of the
docstrings of nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.GroupNorm, nn.InstanceNorm1d,
nn.InstanceNorm2d, nn.InstanceNorm3d, nn.LayerNorm, nn.LocalResponseNorm, nn.RMSNorm,
nn.Dropout, nn.Dropout2d, pasted one after the other as a user runs them; a line whose REPL echo
the docstring shows is printed.

Source: the docstrings as shipped in PyTorch 2.13 (pytorch/pytorch, BSD-3-Clause; rendered at
https://pytorch.org/docs/stable/). Changes: the batch and spatial sizes (and for the Transformer
layers d_model, feed-forward width and depth, with dropout off since PyTorch draws attention
dropout inside its C++ kernel) of the larger examples are shrunk so the program runs in seconds;
print() goes around echoed expressions, and a block that echoes nothing prints its last result's
shape and first values; random inputs come from torch.randn/rand, which the corpus harness feeds
the same draws under both libraries.
"""

import torch
import torch.nn as nn

# nn.BatchNorm1d
m = nn.BatchNorm1d(100)
m = nn.BatchNorm1d(100, affine=False)
input = torch.randn(20, 100)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.BatchNorm2d
m = nn.BatchNorm2d(100)
m = nn.BatchNorm2d(100, affine=False)
input = torch.randn(4, 100, 5, 6)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.BatchNorm3d
m = nn.BatchNorm3d(100)
m = nn.BatchNorm3d(100, affine=False)
input = torch.randn(4, 100, 5, 6, 3)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.GroupNorm
input = torch.randn(20, 6, 10, 10)
m = nn.GroupNorm(3, 6)
m = nn.GroupNorm(6, 6)
m = nn.GroupNorm(1, 6)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.InstanceNorm1d
m = nn.InstanceNorm1d(100)
m = nn.InstanceNorm1d(100, affine=True)
input = torch.randn(4, 100, 10)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.InstanceNorm2d
m = nn.InstanceNorm2d(100)
m = nn.InstanceNorm2d(100, affine=True)
input = torch.randn(4, 100, 5, 6)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.InstanceNorm3d
m = nn.InstanceNorm3d(100)
m = nn.InstanceNorm3d(100, affine=True)
input = torch.randn(4, 100, 5, 6, 3)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.LayerNorm
batch, sentence_length, embedding_dim = 20, 5, 10
embedding = torch.randn(batch, sentence_length, embedding_dim)
layer_norm = nn.LayerNorm(embedding_dim)
layer_norm(embedding)
N, C, H, W = 20, 5, 10, 10
input = torch.randn(N, C, H, W)
layer_norm = nn.LayerNorm([C, H, W])
output = layer_norm(input)
print(output.shape)
print(output.flatten()[:4])

# nn.LocalResponseNorm
lrn = nn.LocalResponseNorm(2)
signal_2d = torch.randn(4, 5, 6, 6)
signal_4d = torch.randn(2, 5, 3, 3, 3, 3)
output_2d = lrn(signal_2d)
output_4d = lrn(signal_4d)
print(output_4d.shape)
print(output_4d.flatten()[:4])

# nn.RMSNorm
rms_norm = nn.RMSNorm([2, 3])
input = torch.randn(2, 2, 3)
rms_norm(input)

# nn.Dropout
m = nn.Dropout(p=0.2)
input = torch.randn(20, 16)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.Dropout2d
m = nn.Dropout2d(p=0.2)
input = torch.randn(4, 16, 8, 8)
output = m(input)
print(output.shape)
print(output.flatten()[:4])
