"""Integer tensors as the PyTorch docs describe them: powers that wrap like C's integers,
floor and true division, remainders' signs, bitwise and shift operators, overflow of narrow
types, and the result types of reductions over integers.

Model: https://pytorch.org/docs/stable/generated/torch.pow.html, torch.div, torch.remainder,
torch.bitwise_* and the tensor attributes notes (pytorch/pytorch, BSD-3-Clause). Written for
jitgrad's corpus, not copied.
"""

import torch

x = torch.tensor([2, 3, -2, 1, 0, -1, 7])
print(x**2, x**63, x**64)
print(torch.pow(x, 2**62 + 1))
print(torch.pow(2, torch.tensor([10, 62, 63, 64])))
print(x ** torch.tensor([-1, -2, -3, -4, 2, -5, 0]))
try:
    x**-1
except RuntimeError as e:
    print(e)
i32 = x.to(torch.int32)
print(i32**31, (i32**33).dtype)
u8 = torch.tensor([200, 100, 3], dtype=torch.uint8)
print(u8 + u8, u8 * 2, u8**3, u8 - 201)
i8 = torch.tensor([100, -100, 127], dtype=torch.int8)
print(i8 + i8, i8 * 3, -i8, i8.abs())
a = torch.tensor([7, -7, 7, -7])
b = torch.tensor([2, 2, -2, -2])
print(a // b, torch.div(a, b, rounding_mode="trunc"), a / b, a % b, torch.fmod(a, b))
print(torch.remainder(a, 3), torch.fmod(a, 3), a // 3, torch.true_divide(a, 2))
print(a & 3, a | 8, a ^ 5, ~a, a << 2, a >> 1, torch.bitwise_left_shift(a, 3))
print(torch.tensor([1, 2, 3]).sum().dtype, torch.tensor([1, 2], dtype=torch.int8).sum().dtype)
print(torch.tensor([1, 2], dtype=torch.uint8).cumsum(0).dtype, torch.tensor([True, True]).sum())
print(torch.tensor([1, 2, 4]).prod(), torch.tensor([3, 1, 2]).argmax(), torch.tensor([5, 9]).max())
try:
    torch.tensor([1, 2]).mean()
except RuntimeError as e:
    print(e)
print(torch.tensor([1, 2]).float().mean(), torch.tensor([1, 2]).mean(dtype=torch.float64))
print(torch.iinfo(torch.int16), torch.iinfo(torch.uint8).max, torch.iinfo(torch.int64).min)
print(
    torch.tensor([5]) * 2.5, (torch.tensor([5]) * 2.5).dtype, torch.tensor([3]) / torch.tensor([2])
)
print(
    torch.tensor([2**62]) * 4,
    torch.tensor([-(2**63)]) - 1,
    torch.tensor([2**31], dtype=torch.int64).to(torch.int32),
)
print(
    torch.gcd(torch.tensor([12, -18, 0]), torch.tensor([8, 12, 5])),
    torch.lcm(torch.tensor([4, 6]), torch.tensor([6, 8])),
)
print(torch.tensor([5, 3]).clamp(min=4), torch.tensor([1, 2, 3]).float().pow(2).long())
print(torch.arange(10).view(2, 5) % 3 == 0, torch.bincount(torch.tensor([0, 1, 1, 3])))
