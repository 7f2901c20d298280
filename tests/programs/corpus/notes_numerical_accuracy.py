"""Numerical accuracy (PyTorch notes): floating point is not associative (sums in a different
order differ in the last bits), extremal values (float32 overflow to inf, exp of large
numbers, log of 0), torch.finfo/iinfo limits, float16 range, integer wrap-around, and
batched against sliced computations giving the same values here.

Model: https://pytorch.org/docs/stable/notes/numerical_accuracy.html (pytorch/pytorch docs,
BSD-3-Clause). Written for jitgrad's corpus, not copied. Changes: the prose's examples as
small printed checks.
"""

import torch

a = torch.tensor([1e8, 1.0, -1e8], dtype=torch.float32)
print(a.sum(), (a[0] + a[2]) + a[1], (a[0] + a[1]) + a[2])
print(torch.tensor(0.1, dtype=torch.float32) + 0.2 == 0.3)
print(torch.tensor(0.1, dtype=torch.float64) + 0.2 == 0.3)

x = torch.tensor([1e20, 3.4e38, 1e-46], dtype=torch.float32)
print(x, x * 10)
print(torch.exp(torch.tensor([10.0, 88.0, 89.0, 100.0])))
print(torch.log(torch.tensor([0.0, 1.0, -1.0])))
big = torch.tensor([1e38, 2e38, 3e38])
print(big.norm(), (big.double() ** 2).sum().sqrt())
print(torch.finfo(torch.float32))
print(torch.finfo(torch.float16).max, torch.finfo(torch.bfloat16).eps, torch.finfo().tiny)
print(torch.iinfo(torch.int8), torch.iinfo(torch.int64).max)
print(torch.tensor([70000.0]).half(), torch.tensor([1e-8]).half())
print(torch.tensor([127], dtype=torch.int8) + 1)
print(torch.tensor([250], dtype=torch.uint8) + 10)

torch.manual_seed(0)
A = torch.randn(4, 5, 6)
B = torch.randn(4, 6, 3)
batched = A @ B
sliced = torch.stack([A[i] @ B[i] for i in range(4)])
print((batched - sliced).abs().max() < 1e-5)
print(torch.allclose(A.sum(0), A[0] + A[1] + A[2] + A[3]))
s32 = torch.full((1000,), 0.1).sum()
s64 = torch.full((1000,), 0.1, dtype=torch.float64).sum()
print(s32.item(), s64.item(), torch.tensor(0.1).double().item())
print(torch.tensor(16777217.0), torch.tensor(16777217.0, dtype=torch.float64))
