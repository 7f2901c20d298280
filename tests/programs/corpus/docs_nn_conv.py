"""Convolution layers from the torch.nn docs: the "Example::" blocks of the docstrings of
nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d,
nn.Flatten, nn.Identity, nn.Linear, nn.Bilinear, pasted one after the other as a user runs them;
a line whose REPL echo the docstring shows is printed.

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

# nn.Conv1d
m = nn.Conv1d(16, 33, 3, stride=2)
input = torch.randn(2, 16, 50)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.Conv2d
m = nn.Conv2d(16, 33, 3, stride=2)
m = nn.Conv2d(16, 33, (3, 5), stride=(2, 1), padding=(4, 2))
m = nn.Conv2d(16, 33, (3, 5), stride=(2, 1), padding=(4, 2), dilation=(3, 1))
input = torch.randn(2, 16, 10, 12)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.Conv3d
m = nn.Conv3d(16, 33, 3, stride=2)
m = nn.Conv3d(16, 33, (3, 5, 2), stride=(2, 1, 1), padding=(4, 2, 0))
input = torch.randn(2, 16, 6, 10, 12)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.ConvTranspose1d
m = nn.ConvTranspose1d(16, 33, 3, stride=2)
input = torch.randn(2, 16, 50)
output = m(input)
input = torch.randn(1, 16, 12)
downsample = nn.Conv1d(16, 16, 3, stride=2, padding=1)
upsample = nn.ConvTranspose1d(16, 16, 3, stride=2, padding=1)
h = downsample(input)
print(h.size())
output = upsample(h, output_size=input.size())
print(output.size())

# nn.ConvTranspose2d
m = nn.ConvTranspose2d(16, 33, 3, stride=2)
m = nn.ConvTranspose2d(16, 33, (3, 5), stride=(2, 1), padding=(4, 2))
input = torch.randn(2, 16, 10, 12)
output = m(input)
input = torch.randn(1, 16, 12, 12)
downsample = nn.Conv2d(16, 16, 3, stride=2, padding=1)
upsample = nn.ConvTranspose2d(16, 16, 3, stride=2, padding=1)
h = downsample(input)
print(h.size())
output = upsample(h, output_size=input.size())
print(output.size())

# nn.ConvTranspose3d
m = nn.ConvTranspose3d(16, 33, 3, stride=2)
m = nn.ConvTranspose3d(16, 33, (3, 5, 2), stride=(2, 1, 1), padding=(0, 4, 2))
input = torch.randn(2, 16, 6, 10, 12)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.Flatten
input = torch.randn(32, 1, 5, 5)
m = nn.Flatten()
output = m(input)
print(output.size())
m = nn.Flatten(0, 2)
output = m(input)
print(output.size())

# nn.Identity
m = nn.Identity(54, unused_argument1=0.1, unused_argument2=False)
input = torch.randn(8, 20)
output = m(input)
print(print(output.size()))

# nn.Linear
m = nn.Linear(20, 30)
input = torch.randn(8, 20)
output = m(input)
print(print(output.size()))

# nn.Bilinear
m = nn.Bilinear(20, 30, 40)
input1 = torch.randn(8, 20)
input2 = torch.randn(8, 30)
output = m(input1, input2)
print(print(output.size()))
