"""Activation layers from the torch.nn docs: the "Example::" blocks of the docstrings of
nn.CELU, nn.ELU, nn.GELU, nn.GLU, nn.Hardshrink, nn.Hardsigmoid, nn.Hardswish, nn.Hardtanh,
nn.LeakyReLU, nn.LogSigmoid, nn.LogSoftmax, nn.Mish, nn.PReLU, nn.ReLU, nn.ReLU6, nn.SELU,
nn.SiLU, nn.Sigmoid, nn.Softmax, nn.Softmax2d, nn.Softmin, nn.Softplus, nn.Softshrink,
nn.Softsign, nn.Tanh, nn.Tanhshrink, nn.Threshold, pasted one after the other as a user runs
them; a line whose REPL echo the docstring shows is printed.

Source: the docstrings as shipped in PyTorch 2.13 (pytorch/pytorch, BSD-3-Clause; rendered at
https://pytorch.org/docs/stable/). Changes: print() goes around echoed expressions, and a block
that echoes nothing prints its last result's shape and first values; random inputs come from
torch.randn/rand, which the corpus harness feeds the same draws under both libraries.
"""

import torch
import torch.nn as nn

# nn.CELU
m = nn.CELU()
input = torch.randn(2)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.ELU
m = nn.ELU()
input = torch.randn(2)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.GELU
m = nn.GELU()
input = torch.randn(2)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.GLU
m = nn.GLU()
input = torch.randn(4, 2)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.Hardshrink
m = nn.Hardshrink()
input = torch.randn(2)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.Hardsigmoid
m = nn.Hardsigmoid()
input = torch.randn(2)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.Hardswish
m = nn.Hardswish()
input = torch.randn(2)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.Hardtanh
m = nn.Hardtanh(-2, 2)
input = torch.randn(2)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.LeakyReLU
m = nn.LeakyReLU(0.1)
input = torch.randn(2)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.LogSigmoid
m = nn.LogSigmoid()
input = torch.randn(2)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.LogSoftmax
m = nn.LogSoftmax(dim=1)
input = torch.randn(2, 3)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.Mish
m = nn.Mish()
input = torch.randn(2)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.PReLU
m = nn.PReLU()
input = torch.randn(2)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.ReLU
m = nn.ReLU()
input = torch.randn(2)
output = m(input)
m = nn.ReLU()
input = torch.randn(2).unsqueeze(0)
output = torch.cat((m(input), m(-input)))
print(output.shape)
print(output.flatten()[:4])

# nn.ReLU6
m = nn.ReLU6()
input = torch.randn(2)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.SELU
m = nn.SELU()
input = torch.randn(2)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.SiLU
m = nn.SiLU()
input = torch.randn(2)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.Sigmoid
m = nn.Sigmoid()
input = torch.randn(2)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.Softmax
m = nn.Softmax(dim=1)
input = torch.randn(2, 3)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.Softmax2d
m = nn.Softmax2d()
input = torch.randn(2, 3, 12, 13)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.Softmin
m = nn.Softmin(dim=1)
input = torch.randn(2, 3)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.Softplus
m = nn.Softplus()
input = torch.randn(2)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.Softshrink
m = nn.Softshrink()
input = torch.randn(2)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.Softsign
m = nn.Softsign()
input = torch.randn(2)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.Tanh
m = nn.Tanh()
input = torch.randn(2)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.Tanhshrink
m = nn.Tanhshrink()
input = torch.randn(2)
output = m(input)
print(output.shape)
print(output.flatten()[:4])

# nn.Threshold
m = nn.Threshold(0, 0.5)
input = torch.arange(-3, 3)
output = m(input)
print(output.shape)
print(output.flatten()[:4])
