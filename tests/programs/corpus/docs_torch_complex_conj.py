"""Complex numbers from the torch docs: the "Example::" blocks of the docstrings of
torch.conj_physical, torch.imag, torch.real, torch.sgn, torch.angle, torch.polar, torch.complex,
torch.view_as_real, torch.view_as_complex, pasted one after the other as a user runs them; a
line whose REPL echo the docstring shows is printed.

Source: the docstrings as shipped in PyTorch 2.13 (pytorch/pytorch, BSD-3-Clause; rendered
at https://pytorch.org/docs/stable/). Changes: none beyond print() around echoed
expressions; random inputs come from torch.randn/rand, which the corpus harness
feeds the same draws under both libraries.
"""

import numpy as np
import torch

# torch.conj_physical
print(torch.conj_physical(torch.tensor([-1 + 1j, -2 + 2j, 3 - 3j])))

# torch.imag
x = torch.randn(4, dtype=torch.cfloat)
print(x)
print(x.imag)

# torch.real
x = torch.randn(4, dtype=torch.cfloat)
print(x)
print(x.real)

# torch.sgn
t = torch.tensor([3 + 4j, 7 - 24j, 0, 1 + 2j])
print(t.sgn())

# torch.angle
print(torch.angle(torch.tensor([-1 + 1j, -2 + 2j, 3 - 3j])) * 180 / 3.14159)

# torch.polar
abs = torch.tensor([1, 2], dtype=torch.float64)
angle = torch.tensor([np.pi / 2, 5 * np.pi / 4], dtype=torch.float64)
z = torch.polar(abs, angle)
print(z)

# torch.complex
real = torch.tensor([1, 2], dtype=torch.float32)
imag = torch.tensor([3, 4], dtype=torch.float32)
z = torch.complex(real, imag)
print(z)
print(z.dtype)

# torch.view_as_real
x = torch.randn(4, dtype=torch.cfloat)
print(x)
print(torch.view_as_real(x))

# torch.view_as_complex
x = torch.randn(4, 2)
print(x)
print(torch.view_as_complex(x))
