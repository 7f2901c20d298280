"""Pooling layers from the torch.nn docs: the "Example::" blocks of the docstrings of
nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d, nn.AdaptiveAvgPool3d, nn.AdaptiveMaxPool1d,
nn.AdaptiveMaxPool2d, nn.AdaptiveMaxPool3d, nn.AvgPool1d, nn.AvgPool2d, nn.AvgPool3d,
nn.LPPool1d, nn.LPPool2d, nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d, nn.MaxUnpool1d, pasted one
after the other as a user runs them; a line whose REPL echo the docstring shows is printed.

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

# nn.AdaptiveAvgPool1d
m = nn.AdaptiveAvgPool1d(5)
input = torch.randn(1, 64, 8)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.AdaptiveAvgPool2d
m = nn.AdaptiveAvgPool2d((5, 7))
input = torch.randn(1, 64, 8, 9)
output = m(input)
m = nn.AdaptiveAvgPool2d(7)
input = torch.randn(1, 64, 10, 9)
output = m(input)
m = nn.AdaptiveAvgPool2d((None, 7))
input = torch.randn(1, 64, 10, 9)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.AdaptiveAvgPool3d
m = nn.AdaptiveAvgPool3d((5, 7, 9))
input = torch.randn(1, 64, 8, 9, 10)
output = m(input)
m = nn.AdaptiveAvgPool3d(7)
input = torch.randn(1, 64, 10, 9, 8)
output = m(input)
m = nn.AdaptiveAvgPool3d((7, None, None))
input = torch.randn(1, 64, 10, 9, 8)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.AdaptiveMaxPool1d
m = nn.AdaptiveMaxPool1d(5)
input = torch.randn(1, 64, 8)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.AdaptiveMaxPool2d
m = nn.AdaptiveMaxPool2d((5, 7))
input = torch.randn(1, 64, 8, 9)
output = m(input)
m = nn.AdaptiveMaxPool2d(7)
input = torch.randn(1, 64, 10, 9)
output = m(input)
m = nn.AdaptiveMaxPool2d((None, 7))
input = torch.randn(1, 64, 10, 9)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.AdaptiveMaxPool3d
m = nn.AdaptiveMaxPool3d((5, 7, 9))
input = torch.randn(1, 64, 8, 9, 10)
output = m(input)
m = nn.AdaptiveMaxPool3d(7)
input = torch.randn(1, 64, 10, 9, 8)
output = m(input)
m = nn.AdaptiveMaxPool3d((7, None, None))
input = torch.randn(1, 64, 10, 9, 8)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.AvgPool1d
m = nn.AvgPool1d(3, stride=2)
print(m(torch.tensor([[[1.0, 2, 3, 4, 5, 6, 7]]])))

# nn.AvgPool2d
m = nn.AvgPool2d(3, stride=2)
m = nn.AvgPool2d((3, 2), stride=(2, 1))
input = torch.randn(2, 16, 50, 32)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.AvgPool3d
m = nn.AvgPool3d(3, stride=2)
m = nn.AvgPool3d((3, 2, 2), stride=(2, 1, 2))
input = torch.randn(2, 16, 10, 44, 31)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.LPPool1d
m = nn.LPPool1d(2, 3, stride=2)
input = torch.randn(2, 16, 50)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.LPPool2d
m = nn.LPPool2d(2, 3, stride=2)
m = nn.LPPool2d(1.2, (3, 2), stride=(2, 1))
input = torch.randn(2, 16, 50, 32)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.MaxPool1d
m = nn.MaxPool1d(3, stride=2)
input = torch.randn(2, 16, 50)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.MaxPool2d
m = nn.MaxPool2d(3, stride=2)
m = nn.MaxPool2d((3, 2), stride=(2, 1))
input = torch.randn(2, 16, 50, 32)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.MaxPool3d
m = nn.MaxPool3d(3, stride=2)
m = nn.MaxPool3d((3, 2, 2), stride=(2, 1, 2))
input = torch.randn(2, 16, 10, 44, 31)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.MaxUnpool1d
pool = nn.MaxPool1d(2, stride=2, return_indices=True)
unpool = nn.MaxUnpool1d(2, stride=2)
input = torch.tensor([[[1.0, 2, 3, 4, 5, 6, 7, 8]]])
output, indices = pool(input)
print(unpool(output, indices))
input = torch.tensor([[[1.0, 2, 3, 4, 5, 6, 7, 8, 9]]])
output, indices = pool(input)
print(unpool(output, indices, output_size=input.size()))
print(unpool(output, indices))
