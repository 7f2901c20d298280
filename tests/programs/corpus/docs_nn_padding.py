"""Padding layers from the torch.nn docs: the "Example::" blocks of the docstrings of
nn.CircularPad1d, nn.CircularPad2d, nn.CircularPad3d, nn.ConstantPad1d, nn.ConstantPad2d,
nn.ConstantPad3d, nn.ReflectionPad1d, nn.ReflectionPad2d, nn.ReflectionPad3d,
nn.ReplicationPad1d, nn.ReplicationPad2d, nn.ReplicationPad3d, nn.ZeroPad1d, nn.ZeroPad2d,
nn.ZeroPad3d, pasted one after the other as a user runs them; a line whose REPL echo the
docstring shows is printed.

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

# nn.CircularPad1d
m = nn.CircularPad1d(2)
input = torch.arange(8, dtype=torch.float).reshape(1, 2, 4)
print(input)
print(m(input))
m = nn.CircularPad1d((3, 1))
print(m(input))

# nn.CircularPad2d
m = nn.CircularPad2d(2)
input = torch.arange(9, dtype=torch.float).reshape(1, 1, 3, 3)
print(input)
print(m(input))
m = nn.CircularPad2d((1, 1, 2, 0))
print(m(input))

# nn.CircularPad3d
m = nn.CircularPad3d(3)
input = torch.randn(2, 3, 8, 32, 48)
output = m(input)
m = nn.CircularPad3d((3, 3, 6, 6, 1, 1))
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.ConstantPad1d
m = nn.ConstantPad1d(2, 3.5)
input = torch.randn(1, 2, 4)
print(input)
print(m(input))
m = nn.ConstantPad1d(2, 3.5)
input = torch.randn(1, 2, 3)
print(input)
print(m(input))
m = nn.ConstantPad1d((3, 1), 3.5)
print(m(input))

# nn.ConstantPad2d
m = nn.ConstantPad2d(2, 3.5)
input = torch.randn(1, 2, 2)
print(input)
print(m(input))
m = nn.ConstantPad2d((3, 0, 2, 1), 3.5)
print(m(input))

# nn.ConstantPad3d
m = nn.ConstantPad3d(3, 3.5)
input = torch.randn(2, 3, 10, 20, 30)
output = m(input)
m = nn.ConstantPad3d((3, 3, 6, 6, 0, 1), 3.5)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.ReflectionPad1d
m = nn.ReflectionPad1d(2)
input = torch.arange(8, dtype=torch.float).reshape(1, 2, 4)
print(input)
print(m(input))
m = nn.ReflectionPad1d((3, 1))
print(m(input))

# nn.ReflectionPad2d
m = nn.ReflectionPad2d(2)
input = torch.arange(9, dtype=torch.float).reshape(1, 1, 3, 3)
print(input)
print(m(input))
m = nn.ReflectionPad2d((1, 1, 2, 0))
print(m(input))

# nn.ReflectionPad3d
m = nn.ReflectionPad3d(1)
input = torch.arange(8, dtype=torch.float).reshape(1, 1, 2, 2, 2)
print(m(input))

# nn.ReplicationPad1d
m = nn.ReplicationPad1d(2)
input = torch.arange(8, dtype=torch.float).reshape(1, 2, 4)
print(input)
print(m(input))
m = nn.ReplicationPad1d((3, 1))
print(m(input))

# nn.ReplicationPad2d
m = nn.ReplicationPad2d(2)
input = torch.arange(9, dtype=torch.float).reshape(1, 1, 3, 3)
print(input)
print(m(input))
m = nn.ReplicationPad2d((1, 1, 2, 0))
print(m(input))

# nn.ReplicationPad3d
m = nn.ReplicationPad3d(3)
input = torch.randn(2, 3, 8, 32, 48)
output = m(input)
m = nn.ReplicationPad3d((3, 3, 6, 6, 1, 1))
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.ZeroPad1d
m = nn.ZeroPad1d(2)
input = torch.randn(1, 2, 4)
print(input)
print(m(input))
m = nn.ZeroPad1d(2)
input = torch.randn(1, 2, 3)
print(input)
print(m(input))
m = nn.ZeroPad1d((3, 1))
print(m(input))

# nn.ZeroPad2d
m = nn.ZeroPad2d(2)
input = torch.randn(1, 1, 3, 3)
print(input)
print(m(input))
m = nn.ZeroPad2d((1, 1, 2, 0))
print(m(input))

# nn.ZeroPad3d
m = nn.ZeroPad3d(3)
input = torch.randn(2, 3, 10, 20, 30)
output = m(input)
m = nn.ZeroPad3d((3, 3, 6, 6, 0, 1))
output = m(input)
print(output.shape)
print(output.flatten()[:4])
