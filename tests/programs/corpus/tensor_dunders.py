"""Python operators on tensors (torch.Tensor docs, Python data model): reflected operators
with numbers on the left, in-place operators on views, abs/round/neg/pos, comparisons
chaining to bool tensors, and operator results' dtypes.

Model: https://pytorch.org/docs/stable/tensors.html (pytorch/pytorch, BSD-3-Clause). Written
for jitgrad's corpus, not copied.
"""

import torch

x = torch.tensor([1.0, -2.5, 4.0])
i = torch.tensor([3, -4, 5])
print(2 + x, 2 - x, 2 * x, 2 / x, 2**x, 2 // x, 7 % x, 2 ** i.abs())
print(3 - i, 3 / i, 3 // i, 3 % i, -i, +i, abs(i), ~i, 1 << i.abs(), 64 >> i.abs())
try:
    print(round(torch.tensor(2.5)))
except TypeError as e:
    print("TypeError:", e)
print(
    x.round(decimals=1), abs(x), torch.tensor(2.5).round(), round(torch.tensor(3.14159).item(), 2)
)
print(x @ x, torch.ones(2, 3) @ torch.ones(3), [1.0, 2.0, 3.0] @ x if False else x.dot(x))
y = x.clone()
v = y[1:]
v += 10
v *= 2
print(y, v)
z = i.clone()
z //= 2
z %= 3
z <<= 1
z |= 1
z ^= 2
z &= 7
print(z, z.dtype)
w = x.clone()
w **= 2
w /= 4
w -= 1
print(w)
print(0 < x, x > i, x == i.float(), x != 4, (x > 0) & (x < 5), (x > 0) | (i > 0), (x > 0) ^ True)
print((x > 0).sum(), (x > 0).float().mean(), True + (x > 0), (x > 0) * 2.5)
print(torch.tensor(5) > 3, bool(torch.tensor(5) > 3), 3 in torch.tensor([1, 3]), 2.5 in x)
print(
    divmod(7, 2),
    [t.item() for t in divmod(torch.tensor(7), torch.tensor(2))]
    if hasattr(torch.Tensor, "__divmod__")
    else "",
)
print(
    len(x),
    list(torch.arange(3)),
    reversed(torch.arange(3)) if hasattr(torch.Tensor, "__reversed__") else "",
    x.__len__(),
)
print(hash(x) == hash(x), x.__eq__(x).all(), (x == None) if False else x is not None)  # noqa: E711
