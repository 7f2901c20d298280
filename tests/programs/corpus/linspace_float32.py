"""torch.linspace as the "Learning PyTorch with Examples" polynomial fits and plotting code
call it (float32 grids over [-pi, pi], symmetric ranges with a point at zero), printed, then the
tensor tutorial's sin(x) of such a grid.

Models: https://pytorch.org/tutorials/beginner/pytorch_with_examples.html and
https://pytorch.org/docs/stable/generated/torch.linspace.html (BSD-3-Clause). Written for
jitgrad's corpus, not copied.
"""

import math

import torch

print(torch.linspace(-5, 5, 15))
print(torch.linspace(-1, 1, 12))
x = torch.linspace(-math.pi, math.pi, 9)
print(x, x[4])
print(torch.sin(x))
print(torch.linspace(0, 1, 5, dtype=torch.float64), torch.linspace(-10, 10, steps=5))
