"""Pointwise math from the torch docs (d): the "Example::" blocks of the docstrings of
torch.log, torch.log10, torch.log1p, torch.log2, torch.logaddexp, torch.logical_and,
torch.logical_not, torch.logical_or, torch.logical_xor, torch.mul, torch.nan_to_num, torch.neg,
torch.nextafter, torch.positive, torch.pow, pasted one after the other as a user runs them; a
line whose REPL echo the docstring shows is printed.

Source: the docstrings as shipped in PyTorch 2.13 (pytorch/pytorch, BSD-3-Clause; rendered
at https://pytorch.org/docs/stable/). Changes: none beyond print() around echoed
expressions; random inputs come from torch.randn/rand, which the corpus harness
feeds the same draws under both libraries.
"""

import torch

# torch.log
a = torch.rand(5) * 5
print(a)
print(torch.log(a))

# torch.log10
a = torch.rand(5)
print(a)
print(torch.log10(a))

# torch.log1p
a = torch.randn(5)
print(a)
print(torch.log1p(a))

# torch.log2
a = torch.rand(5)
print(a)
print(torch.log2(a))

# torch.logaddexp
print(torch.logaddexp(torch.tensor([-1.0]), torch.tensor([-1.0, -2, -3])))
print(torch.logaddexp(torch.tensor([-100.0, -200, -300]), torch.tensor([-1.0, -2, -3])))
print(torch.logaddexp(torch.tensor([1.0, 2000, 30000]), torch.tensor([-1.0, -2, -3])))

# torch.logical_and
print(torch.logical_and(torch.tensor([True, False, True]), torch.tensor([True, False, False])))
a = torch.tensor([0, 1, 10, 0], dtype=torch.int8)
b = torch.tensor([4, 0, 1, 0], dtype=torch.int8)
print(torch.logical_and(a, b))
print(torch.logical_and(a.double(), b.double()))
print(torch.logical_and(a.double(), b))
print(torch.logical_and(a, b, out=torch.empty(4, dtype=torch.bool)))

# torch.logical_not
print(torch.logical_not(torch.tensor([True, False])))
print(torch.logical_not(torch.tensor([0, 1, -10], dtype=torch.int8)))
print(torch.logical_not(torch.tensor([0.0, 1.5, -10.0], dtype=torch.double)))
print(
    torch.logical_not(
        torch.tensor([0.0, 1.0, -10.0], dtype=torch.double), out=torch.empty(3, dtype=torch.int16)
    )
)

# torch.logical_or
print(torch.logical_or(torch.tensor([True, False, True]), torch.tensor([True, False, False])))
a = torch.tensor([0, 1, 10, 0], dtype=torch.int8)
b = torch.tensor([4, 0, 1, 0], dtype=torch.int8)
print(torch.logical_or(a, b))
print(torch.logical_or(a.double(), b.double()))
print(torch.logical_or(a.double(), b))
print(torch.logical_or(a, b, out=torch.empty(4, dtype=torch.bool)))

# torch.logical_xor
print(torch.logical_xor(torch.tensor([True, False, True]), torch.tensor([True, False, False])))
a = torch.tensor([0, 1, 10, 0], dtype=torch.int8)
b = torch.tensor([4, 0, 1, 0], dtype=torch.int8)
print(torch.logical_xor(a, b))
print(torch.logical_xor(a.double(), b.double()))
print(torch.logical_xor(a.double(), b))
print(torch.logical_xor(a, b, out=torch.empty(4, dtype=torch.bool)))

# torch.mul
a = torch.randn(3)
print(a)
print(torch.mul(a, 100))
b = torch.randn(4, 1)
print(b)
c = torch.randn(1, 4)
print(c)
print(torch.mul(b, c))

# torch.nan_to_num
x = torch.tensor([float("nan"), float("inf"), -float("inf"), 3.14])
print(torch.nan_to_num(x))
print(torch.nan_to_num(x, nan=2.0))
print(torch.nan_to_num(x, nan=2.0, posinf=1.0))

# torch.neg
a = torch.randn(5)
print(a)
print(torch.neg(a))

# torch.nextafter
eps = torch.finfo(torch.float32).eps
print(
    torch.nextafter(torch.tensor([1.0, 2.0]), torch.tensor([2.0, 1.0]))
    == torch.tensor([eps + 1, 2 - eps])
)

# torch.positive
t = torch.randn(5)
print(t)
print(torch.positive(t))

# torch.pow
a = torch.randn(4)
print(a)
print(torch.pow(a, 2))
exp = torch.arange(1.0, 5.0)
a = torch.arange(1.0, 5.0)
print(a)
print(exp)
print(torch.pow(a, exp))
exp = torch.arange(1.0, 5.0)
base = 2
print(torch.pow(base, exp))
