"""Random sampling, dtypes and utilities from the torch docs: the "Example::" blocks of the
docstrings of torch.bernoulli, torch.normal, torch.rand, torch.randint, torch.randn,
torch.randperm, torch.can_cast, torch.promote_types, torch.result_type, torch.is_complex,
torch.is_floating_point, torch.is_nonzero, torch.is_tensor, torch.numel, torch.typename, pasted
one after the other as a user runs them; a line whose REPL echo the docstring shows is printed.

Source: the docstrings as shipped in PyTorch 2.13 (pytorch/pytorch, BSD-3-Clause; rendered
at https://pytorch.org/docs/stable/). Changes: none beyond print() around echoed
expressions; random inputs come from torch.randn/rand, which the corpus harness
feeds the same draws under both libraries.
"""

import torch

# torch.bernoulli
a = torch.empty(3, 3).uniform_(0, 1)  # generate a uniform random matrix with range [0, 1]
print(a)
print(torch.bernoulli(a))
a = torch.ones(3, 3)  # probability of drawing "1" is 1
print(torch.bernoulli(a))
a = torch.zeros(3, 3)  # probability of drawing "1" is 0
print(torch.bernoulli(a))

# torch.normal
print(torch.normal(mean=torch.arange(1.0, 11.0), std=torch.arange(1, 0, -0.1)))
print(torch.normal(mean=0.5, std=torch.arange(1.0, 6.0)))
print(torch.normal(mean=torch.arange(1.0, 6.0)))
print(torch.normal(2, 3, size=(1, 4)))

# torch.rand
print(torch.rand(4))
print(torch.rand(2, 3))

# torch.randint
print(torch.randint(3, 5, (3,)))
print(torch.randint(10, (2, 2)))
print(torch.randint(3, 10, (2, 2)))

# torch.randn
print(torch.randn(4))
print(torch.randn(2, 3))

# torch.randperm
print(torch.randperm(4))

# torch.can_cast
print(torch.can_cast(torch.double, torch.float))
print(torch.can_cast(torch.float, torch.int))

# torch.promote_types
print(torch.promote_types(torch.int32, torch.float32))
print(torch.promote_types(torch.uint8, torch.long))

# torch.result_type
print(torch.result_type(torch.tensor([1, 2], dtype=torch.int), 1.0))
print(torch.result_type(torch.tensor([1, 2], dtype=torch.uint8), torch.tensor(1)))

# torch.is_complex
print(torch.is_complex(torch.tensor([1, 2, 3], dtype=torch.complex64)))
print(torch.is_complex(torch.tensor([1, 2, 3], dtype=torch.complex128)))
print(torch.is_complex(torch.tensor([1, 2, 3], dtype=torch.int32)))
print(torch.is_complex(torch.tensor([1.0, 2.0, 3.0], dtype=torch.float16)))

# torch.is_floating_point
print(torch.is_floating_point(torch.tensor([1.0, 2.0, 3.0])))
print(torch.is_floating_point(torch.tensor([1, 2, 3], dtype=torch.int32)))
print(torch.is_floating_point(torch.tensor([1.0, 2.0, 3.0], dtype=torch.float16)))
print(torch.is_floating_point(torch.tensor([1, 2, 3], dtype=torch.complex64)))

# torch.is_nonzero
print(torch.is_nonzero(torch.tensor([0.0])))
print(torch.is_nonzero(torch.tensor([1.5])))
print(torch.is_nonzero(torch.tensor([False])))
print(torch.is_nonzero(torch.tensor([3])))
try:
    print(torch.is_nonzero(torch.tensor([1, 3, 5])))
except Exception as e:
    print(type(e).__name__, e)
try:
    print(torch.is_nonzero(torch.tensor([])))
except Exception as e:
    print(type(e).__name__, e)

# torch.is_tensor
x = torch.tensor([1, 2, 3])
print(torch.is_tensor(x))

# torch.numel
a = torch.randn(1, 2, 3, 4, 5)
print(torch.numel(a))
a = torch.zeros(4, 4)
print(torch.numel(a))

# torch.typename
x = torch.tensor([1, 2, 3])
print(torch.typename(x))
print(torch.typename(torch.nn.Parameter))
