"""Comparisons and sorting from the torch docs: the "Example::" blocks of the docstrings of
torch.allclose, torch.argsort, torch.eq, torch.equal, torch.ge, torch.gt, torch.isclose,
torch.isfinite, torch.isin, torch.isinf, torch.isnan, torch.isneginf, torch.isposinf,
torch.isreal, torch.kthvalue, torch.le, torch.lt, torch.maximum, torch.minimum, torch.fmax,
torch.fmin, torch.ne, torch.msort, torch.topk, pasted one after the other as a user runs them; a
line whose REPL echo the docstring shows is printed.

Source: the docstrings as shipped in PyTorch 2.13 (pytorch/pytorch, BSD-3-Clause; rendered
at https://pytorch.org/docs/stable/). Changes: none beyond print() around echoed
expressions; random inputs come from torch.randn/rand, which the corpus harness
feeds the same draws under both libraries.
"""

import torch

# torch.allclose
print(torch.allclose(torch.tensor([10000.0, 1e-07]), torch.tensor([10000.1, 1e-08])))
print(torch.allclose(torch.tensor([10000.0, 1e-08]), torch.tensor([10000.1, 1e-09])))
print(torch.allclose(torch.tensor([1.0, float("nan")]), torch.tensor([1.0, float("nan")])))
print(
    torch.allclose(
        torch.tensor([1.0, float("nan")]), torch.tensor([1.0, float("nan")]), equal_nan=True
    )
)

# torch.argsort
a = torch.randn(4, 4)
print(a)
print(torch.argsort(a, dim=1))

# torch.eq
print(torch.eq(torch.tensor([[1, 2], [3, 4]]), torch.tensor([[1, 1], [4, 4]])))

# torch.equal
print(torch.equal(torch.tensor([1, 2]), torch.tensor([1, 2])))
print(torch.equal(torch.tensor([3, torch.nan]), torch.tensor([3, torch.nan])))
print(
    torch.equal(
        torch.tensor([1, 2, 3], dtype=torch.int32), torch.tensor([1, 2, 3], dtype=torch.float32)
    )
)

# torch.ge
print(torch.ge(torch.tensor([[1, 2], [3, 4]]), torch.tensor([[1, 1], [4, 4]])))

# torch.gt
print(torch.gt(torch.tensor([[1, 2], [3, 4]]), torch.tensor([[1, 1], [4, 4]])))

# torch.isclose
print(torch.isclose(torch.tensor((1.0, 2, 3)), torch.tensor((1 + 1e-10, 3, 4))))
print(torch.isclose(torch.tensor((float("inf"), 4)), torch.tensor((float("inf"), 6)), rtol=0.5))

# torch.isfinite
print(torch.isfinite(torch.tensor([1, float("inf"), 2, float("-inf"), float("nan")])))

# torch.isin
print(torch.isin(torch.tensor([[1, 2], [3, 4]]), torch.tensor([2, 3])))

# torch.isinf
print(torch.isinf(torch.tensor([1, float("inf"), 2, float("-inf"), float("nan")])))

# torch.isnan
print(torch.isnan(torch.tensor([1, float("nan"), 2])))

# torch.isneginf
a = torch.tensor([-float("inf"), float("inf"), 1.2])
print(torch.isneginf(a))

# torch.isposinf
a = torch.tensor([-float("inf"), float("inf"), 1.2])
print(torch.isposinf(a))

# torch.isreal
print(torch.isreal(torch.tensor([1, 1 + 1j, 2 + 0j])))

# torch.kthvalue
x = torch.arange(1.0, 6.0)
print(x)
print(torch.kthvalue(x, 4))
x = torch.arange(1.0, 7.0).resize_(2, 3)
print(x)
print(torch.kthvalue(x, 2, 0, True))

# torch.le
print(torch.le(torch.tensor([[1, 2], [3, 4]]), torch.tensor([[1, 1], [4, 4]])))

# torch.lt
print(torch.lt(torch.tensor([[1, 2], [3, 4]]), torch.tensor([[1, 1], [4, 4]])))

# torch.maximum
a = torch.tensor((1, 2, -1))
b = torch.tensor((3, 0, 4))
print(torch.maximum(a, b))

# torch.minimum
a = torch.tensor((1, 2, -1))
b = torch.tensor((3, 0, 4))
print(torch.minimum(a, b))

# torch.fmax
a = torch.tensor([9.7, float("nan"), 3.1, float("nan")])
b = torch.tensor([-2.2, 0.5, float("nan"), float("nan")])
print(torch.fmax(a, b))

# torch.fmin
a = torch.tensor([2.2, float("nan"), 2.1, float("nan")])
b = torch.tensor([-9.3, 0.1, float("nan"), float("nan")])
print(torch.fmin(a, b))

# torch.ne
print(torch.ne(torch.tensor([[1, 2], [3, 4]]), torch.tensor([[1, 1], [4, 4]])))

# torch.msort
t = torch.randn(3, 4)
print(t)
print(torch.msort(t))

# torch.topk
x = torch.arange(1.0, 6.0)
print(x)
print(torch.topk(x, 3))
