"""Dive into Deep Learning, section 2.1 "Data Manipulation": creating tensors (arange, zeros,
ones, randn, from lists), reshape with -1, elementwise operators and exp, concatenation,
comparisons, sums, broadcasting, indexing and slicing (reading, writing, assigning a range),
saving memory (a new allocation versus in-place writes, checked with id()), and conversion to
NumPy and Python scalars.

Source: d2l-ai/d2l-en, chapter_preliminaries/ndarray.md, PyTorch tab (CC BY-SA 4.0 text,
MIT-0 code; https://d2l.ai/chapter_preliminaries/ndarray.html). Changes: print() around each
cell's echoed value; the random tensor comes from torch.randn, which the corpus harness feeds
the same draws under both libraries.
"""

import torch

x = torch.arange(12, dtype=torch.float32)
print(x)
print(x.numel())
print(x.shape)

X = x.reshape(3, 4)
print(X)
print(x.reshape(-1, 4).shape, x.reshape(3, -1).shape)

print(torch.zeros((2, 3, 4)))
print(torch.ones((2, 3, 4)))
print(torch.randn(3, 4))
print(torch.tensor([[2, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]]))

print(X[-1], X[1:3])

X[1, 2] = 17
print(X)

X[:2, :] = 12
print(X)

x = torch.tensor([1.0, 2, 4, 8])
y = torch.tensor([2, 2, 2, 2])
print(x + y, x - y, x * y, x / y, x**y)
print(torch.exp(x))

X = torch.arange(12, dtype=torch.float32).reshape((3, 4))
Y = torch.tensor([[2.0, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])
print(torch.cat((X, Y), dim=0), torch.cat((X, Y), dim=1))

print(X == Y)
print(X.sum())

a = torch.arange(3).reshape((3, 1))
b = torch.arange(2).reshape((1, 2))
print(a, b)
print(a + b)

before = id(Y)
Y = Y + X
print(id(Y) == before)

Z = torch.zeros_like(Y)
print("id(Z):", id(Z) == id(Z))
z_id = id(Z)
Z[:] = X + Y
print("id(Z) unchanged:", id(Z) == z_id)

before = id(X)
X += Y
print(id(X) == before)

A = X.numpy()
B = torch.from_numpy(A)
print(type(A).__name__, type(B).__name__)

a = torch.tensor([3.5])
print(a, a.item(), float(a), int(a))

# exercises: the other comparison, and broadcasting 3-d operands
print(X < Y, X > Y)
c = torch.arange(6).reshape((3, 1, 2))
d = torch.arange(4).reshape((1, 4, 1))
print((c + d).shape, (c * d).sum())
