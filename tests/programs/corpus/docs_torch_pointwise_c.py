"""Pointwise math from the torch docs (c): the "Example::" blocks of the docstrings of
torch.div, torch.exp, torch.float_power, torch.floor, torch.floor_divide, torch.fmod,
torch.frac, torch.frexp, torch.gcd, torch.lcm, torch.heaviside, torch.hypot, torch.ldexp,
torch.lerp, torch.lgamma, pasted one after the other as a user runs them; a line whose REPL echo
the docstring shows is printed.

Source: the docstrings as shipped in PyTorch 2.13 (pytorch/pytorch, BSD-3-Clause; rendered at
https://pytorch.org/docs/stable/). Changes: print() goes around echoed expressions, and a block
that echoes nothing prints its last result's shape and first values; random inputs come from
torch.randn/rand, which the corpus harness feeds the same draws under both libraries.
"""

import math

import torch

# torch.div
x = torch.tensor([0.3810, 1.2774, -0.2972, -0.3719, 0.4637])
print(torch.div(x, 0.5))
a = torch.tensor(
    [
        [-0.3711, -1.9353, -0.4605, -0.2917],
        [0.1815, -1.0111, 0.9805, -1.5923],
        [0.1062, 1.4581, 0.7759, -1.2344],
        [-0.1830, -0.0313, 1.1908, -1.4757],
    ]
)
b = torch.tensor([0.8032, 0.2930, -0.8113, -0.2308])
print(torch.div(a, b))
print(torch.div(a, b, rounding_mode="trunc"))
print(torch.div(a, b, rounding_mode="floor"))

# torch.exp
print(torch.exp(torch.tensor([0, math.log(2.0)])))

# torch.float_power
a = torch.randint(10, (4,))
print(a)
print(torch.float_power(a, 2))
a = torch.arange(1, 5)
print(a)
exp = torch.tensor([2, -3, 4, -5])
print(exp)
print(torch.float_power(a, exp))

# torch.floor
a = torch.randn(4)
print(a)
print(torch.floor(a))

# torch.floor_divide
a = torch.tensor([4.0, 3.0])
b = torch.tensor([2.0, 2.0])
print(torch.floor_divide(a, b))
print(torch.floor_divide(a, 1.4))

# torch.fmod
print(torch.fmod(torch.tensor([-3.0, -2, -1, 1, 2, 3]), 2))
print(torch.fmod(torch.tensor([1, 2, 3, 4, 5]), -1.5))

# torch.frac
print(torch.frac(torch.tensor([1, 2.5, -3.2])))

# torch.frexp
x = torch.arange(9.0)
mantissa, exponent = torch.frexp(x)
print(mantissa)
print(exponent)
print(torch.ldexp(mantissa, exponent))

# torch.gcd
a = torch.tensor([5, 10, 15])
b = torch.tensor([3, 4, 5])
print(torch.gcd(a, b))
c = torch.tensor([3])
print(torch.gcd(a, c))

# torch.lcm
a = torch.tensor([5, 10, 15])
b = torch.tensor([3, 4, 5])
print(torch.lcm(a, b))
c = torch.tensor([3])
print(torch.lcm(a, c))

# torch.heaviside
input = torch.tensor([-1.5, 0, 2.0])
values = torch.tensor([0.5])
print(torch.heaviside(input, values))
values = torch.tensor([1.2, -2.0, 3.5])
print(torch.heaviside(input, values))

# torch.hypot
a = torch.hypot(torch.tensor([4.0]), torch.tensor([3.0, 4.0, 5.0]))
print(a.shape)
print(a.flatten()[:4])

# torch.ldexp
print(torch.ldexp(torch.tensor([1.0]), torch.tensor([1])))
print(torch.ldexp(torch.tensor([1.0]), torch.tensor([1, 2, 3, 4])))

# torch.lerp
start = torch.arange(1.0, 5.0)
end = torch.empty(4).fill_(10)
print(start)
print(end)
print(torch.lerp(start, end, 0.5))
print(torch.lerp(start, end, torch.full_like(start, 0.5)))

# torch.lgamma
a = torch.arange(0.5, 2, 0.5)
print(torch.lgamma(a))
