"""Pointwise math from the torch docs (b): the "Example::" blocks of the docstrings of
torch.bitwise_and, torch.bitwise_left_shift, torch.bitwise_not, torch.bitwise_or,
torch.bitwise_right_shift, torch.bitwise_xor, torch.ceil, torch.clamp, torch.copysign,
torch.cos, torch.cosh, torch.deg2rad, torch.rad2deg, pasted one after the other as a user runs
them; a line whose REPL echo the docstring shows is printed.

Source: the docstrings as shipped in PyTorch 2.13 (pytorch/pytorch, BSD-3-Clause; rendered
at https://pytorch.org/docs/stable/). Changes: none beyond print() around echoed
expressions; random inputs come from torch.randn/rand, which the corpus harness
feeds the same draws under both libraries.
"""

import torch

# torch.bitwise_and
print(
    torch.bitwise_and(
        torch.tensor([-1, -2, 3], dtype=torch.int8), torch.tensor([1, 0, 3], dtype=torch.int8)
    )
)
print(torch.bitwise_and(torch.tensor([True, True, False]), torch.tensor([False, True, False])))

# torch.bitwise_left_shift
print(
    torch.bitwise_left_shift(
        torch.tensor([-1, -2, 3], dtype=torch.int8), torch.tensor([1, 0, 3], dtype=torch.int8)
    )
)

# torch.bitwise_not
print(torch.bitwise_not(torch.tensor([-1, -2, 3], dtype=torch.int8)))

# torch.bitwise_or
print(
    torch.bitwise_or(
        torch.tensor([-1, -2, 3], dtype=torch.int8), torch.tensor([1, 0, 3], dtype=torch.int8)
    )
)
print(torch.bitwise_or(torch.tensor([True, True, False]), torch.tensor([False, True, False])))

# torch.bitwise_right_shift
print(
    torch.bitwise_right_shift(
        torch.tensor([-2, -7, 31], dtype=torch.int8), torch.tensor([1, 0, 3], dtype=torch.int8)
    )
)

# torch.bitwise_xor
print(
    torch.bitwise_xor(
        torch.tensor([-1, -2, 3], dtype=torch.int8), torch.tensor([1, 0, 3], dtype=torch.int8)
    )
)
print(torch.bitwise_xor(torch.tensor([True, True, False]), torch.tensor([False, True, False])))

# torch.ceil
a = torch.randn(4)
print(a)
print(torch.ceil(a))

# torch.clamp
a = torch.randn(4)
print(a)
print(torch.clamp(a, min=-0.5, max=0.5))
min = torch.linspace(-1, 1, steps=4)
print(torch.clamp(a, min=min))

# torch.copysign
a = torch.randn(5)
print(a)
print(torch.copysign(a, 1))
a = torch.randn(4, 4)
print(a)
b = torch.randn(4)
print(torch.copysign(a, b))
a = torch.tensor([1.0])
b = torch.tensor([-0.0])
print(torch.copysign(a, b))

# torch.cos
a = torch.randn(4)
print(a)
print(torch.cos(a))

# torch.cosh
a = torch.randn(4)
print(a)
print(torch.cosh(a))

# torch.deg2rad
a = torch.tensor([[180.0, -180.0], [360.0, -360.0], [90.0, -90.0]])
print(torch.deg2rad(a))

# torch.rad2deg
a = torch.tensor([[3.142, -3.142], [6.283, -6.283], [1.570, -1.570]])
print(torch.rad2deg(a))
