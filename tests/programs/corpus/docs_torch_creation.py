"""Creation functions from the torch docs: the "Example::" blocks of the docstrings of
torch.arange, torch.asarray, torch.complex, torch.eye, torch.from_numpy, torch.full,
torch.full_like, torch.linspace, torch.logspace, torch.ones, torch.ones_like, torch.polar,
torch.range, torch.zeros, torch.zeros_like, pasted one after the other as a user runs them; a
line whose REPL echo the docstring shows is printed.

Source: the docstrings as shipped in PyTorch 2.13 (pytorch/pytorch, BSD-3-Clause; rendered
at https://pytorch.org/docs/stable/). Changes: none beyond print() around echoed
expressions; random inputs come from torch.randn/rand, which the corpus harness
feeds the same draws under both libraries.
"""

import numpy
import numpy as np
import torch

# torch.arange
print(torch.arange(5))
print(torch.arange(1, 4))
print(torch.arange(1, 2.5, 0.5))

# torch.asarray
a = torch.tensor([1, 2, 3])
b = torch.asarray(a)
print(a.data_ptr() == b.data_ptr())
c = torch.asarray(a, copy=True)
print(a.data_ptr() == c.data_ptr())
a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
b = a + 2
print(b)
c = torch.asarray(b, requires_grad=False)
print(c)
d = torch.asarray(b, requires_grad=True)
print(d)
e = torch.asarray(b)
print(e)
array = numpy.array([1, 2, 3])
t1 = torch.asarray(array)
print(array.__array_interface__["data"][0] == t1.data_ptr())
t2 = torch.asarray(array, dtype=torch.float32)
print(array.__array_interface__["data"][0] == t2.data_ptr())
scalar = numpy.float64(0.5)
print(torch.asarray(scalar))

# torch.complex
real = torch.tensor([1, 2], dtype=torch.float32)
imag = torch.tensor([3, 4], dtype=torch.float32)
z = torch.complex(real, imag)
print(z)
print(z.dtype)

# torch.eye
print(torch.eye(3))

# torch.from_numpy
a = numpy.array([1, 2, 3])
t = torch.from_numpy(a)
print(t)
t[0] = -1
print(a)

# torch.full
print(torch.full((2, 3), 3.141592))

# torch.full_like
x = torch.ones(2, 3)
print(torch.full_like(x, 3.141592))
print(torch.full_like(x, 7))
print(torch.full_like(x, 0.5, dtype=torch.int32))
y = torch.randn(3, 4, dtype=torch.float64)
print(torch.full_like(y, -1.0))

# torch.linspace
print(torch.linspace(3, 10, steps=5))
print(torch.linspace(-10, 10, steps=5))
print(torch.linspace(start=-10, end=10, steps=5))
print(torch.linspace(start=-10, end=10, steps=1))

# torch.logspace
print(torch.logspace(start=-10, end=10, steps=5))
print(torch.logspace(start=0.1, end=1.0, steps=5))
print(torch.logspace(start=0.1, end=1.0, steps=1))
print(torch.logspace(start=2, end=2, steps=1, base=2))

# torch.ones
print(torch.ones(2, 3))
print(torch.ones(5))

# torch.ones_like
input = torch.empty(2, 3)
print(torch.ones_like(input))

# torch.polar
abs = torch.tensor([1, 2], dtype=torch.float64)
angle = torch.tensor([np.pi / 2, 5 * np.pi / 4], dtype=torch.float64)
z = torch.polar(abs, angle)
print(z)

# torch.range
print(torch.range(1, 4))
print(torch.range(1, 4, 0.5))

# torch.zeros
print(torch.zeros(2, 3))
print(torch.zeros(5))

# torch.zeros_like
input = torch.empty(2, 3)
print(torch.zeros_like(input))
