"""Broadcasting semantics notes: which shapes broadcast (same shapes, one empty, trailing
dimensions), the resulting sizes, in-place semantics (an in-place op may not change the
shape of its left operand: the error message), backwards compatibility of pointwise ops on
same-numel shapes, and the errors of mismatched sizes in ordinary ops (add, mul, matmul,
cat, view).

Model: https://pytorch.org/docs/stable/notes/broadcasting.html (pytorch/pytorch docs,
BSD-3-Clause). Written for jitgrad's corpus, not copied. Changes: the notes' torch.empty
becomes torch.zeros so values print; the errors are caught and printed.
"""

import torch

x = torch.zeros(5, 7, 3)
y = torch.zeros(5, 7, 3)
# same shapes are always broadcastable (i.e. the above rules always hold)
print((x + y).size())

x = torch.zeros((0,))
y = torch.zeros(2, 2)
# x and y are not broadcastable, because x does not have at least 1 dimension
try:
    print((x + y).size())
except RuntimeError as e:
    print("RuntimeError:", e)

# can line up trailing dimensions
x = torch.zeros(5, 3, 4, 1)
y = torch.zeros(3, 1, 1)
# x and y are broadcastable.
# 1st trailing dimension: both have size 1
# 2nd trailing dimension: y has size 1
# 3rd trailing dimension: x size == y size
# 4th trailing dimension: y dimension doesn't exist
print((x + y).size())

# but:
x = torch.zeros(5, 2, 4, 1)
y = torch.zeros(3, 1, 1)
# x and y are not broadcastable, because in the 3rd trailing dimension 2 != 3
try:
    x + y
except RuntimeError as e:
    print("RuntimeError:", e)

# can line up trailing dimensions to make reading easier
x = torch.zeros(5, 1, 4, 1)
y = torch.zeros(3, 1, 1)
print((x + y).size())

# but not necessary:
x = torch.zeros(1)
y = torch.zeros(3, 1, 7)
print((x + y).size())

x = torch.zeros(5, 2, 4, 1)
y = torch.zeros(3, 1, 1)
try:
    (x + y).size()
except RuntimeError as e:
    print("RuntimeError:", e)

x = torch.zeros(5, 3, 4, 1)
y = torch.zeros(3, 1, 1)
print(x.add_(y).size())

# but:
x = torch.zeros(1, 3, 1)
y = torch.zeros(3, 1, 7)
try:
    x.add_(y)
except RuntimeError as e:
    print("RuntimeError:", e)

print(torch.add(torch.ones(4, 1), torch.randn(4)).size())
print(torch.broadcast_shapes((2,), (3, 1), (1, 1, 1)))
try:
    torch.broadcast_shapes((2, 3), (4,))
except RuntimeError as e:
    print("RuntimeError:", e)
a, b = torch.broadcast_tensors(torch.arange(3), torch.arange(2).view(2, 1))
print(a, b)
print(torch.arange(3).expand(2, 3), torch.arange(3).view(3, 1).expand(-1, 4).shape)
try:
    torch.arange(3).expand(2, 4)
except RuntimeError as e:
    print("RuntimeError:", e)
try:
    torch.ones(2, 3) * torch.ones(2, 4)
except RuntimeError as e:
    print("RuntimeError:", e)
try:
    torch.ones(2, 3) @ torch.ones(2, 3)
except RuntimeError as e:
    print("RuntimeError:", e)
try:
    torch.ones(2, 3).mm(torch.ones(4))
except RuntimeError as e:
    print("RuntimeError:", e)
try:
    torch.cat([torch.ones(2, 3), torch.ones(2, 4)])
except RuntimeError as e:
    print("RuntimeError:", e)
try:
    torch.ones(2, 3).view(4)
except RuntimeError as e:
    print("RuntimeError:", e)
try:
    torch.ones(2, 3).t().view(6)
except RuntimeError as e:
    print("RuntimeError:", e)
try:
    torch.ones(2, 3).reshape(4, -1)
except RuntimeError as e:
    print("RuntimeError:", e)
try:
    torch.ones(2, 3)[2]
except IndexError as e:
    print("IndexError:", e)
try:
    torch.ones(2, 3).sum(2)
except IndexError as e:
    print("IndexError:", e)
try:
    torch.stack([torch.ones(2), torch.ones(3)])
except RuntimeError as e:
    print("RuntimeError:", e)
try:
    torch.nn.Linear(3, 2)(torch.ones(4, 5))
except RuntimeError as e:
    print("RuntimeError:", e)
try:
    torch.nn.Conv2d(3, 4, 3)(torch.ones(1, 2, 5, 5))
except RuntimeError as e:
    print("RuntimeError:", e)
try:
    torch.ones(2, 2).bmm(torch.ones(2, 2))
except RuntimeError as e:
    print("RuntimeError:", e)
try:
    torch.ones(3).dot(torch.ones(4))
except RuntimeError as e:
    print("RuntimeError:", e)
try:
    torch.ones(3, dtype=torch.long).add_(torch.ones(3) * 0.5)
except RuntimeError as e:
    print("RuntimeError:", e)
try:
    torch.nn.functional.cross_entropy(torch.ones(2, 3), torch.tensor([0, 3]))
except IndexError as e:
    print("IndexError:", e)
try:
    torch.nn.functional.mse_loss(torch.ones(2, 3), torch.ones(3, 3))
except RuntimeError as e:
    print("RuntimeError:", e)
