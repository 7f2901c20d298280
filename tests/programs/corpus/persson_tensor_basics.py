"""Tensor basics after Aladdin Persson's PyTorch tutorial: initialization (tensor with dtype,
device and requires_grad, empty/zeros/rand/ones/eye/arange/linspace, normal_/uniform_, diag),
conversions between dtypes and numpy, math (add/sub/div/true_divide, in-place, pow,
comparisons, matmul, matrix_power, element-wise mul, dot, bmm, broadcasting, sum/max/min/abs/
argmax/mean/eq/sort/clamp/any/all), indexing (fancy indexing, conditions, where, unique,
ndimension, numel) and reshaping (view/reshape/cat/permute/squeeze/unsqueeze).

Model: https://github.com/aladdinpersson/Machine-Learning-Collection
(ML/Pytorch/Basics/pytorch_tensorbasics.py, MIT). Written for jitgrad's corpus, not copied.
Changes: CPU only, seeded, shapes printed instead of large tensors.
"""

import numpy as np
import torch

torch.manual_seed(0)
device = "cpu"
my_tensor = torch.tensor([[1, 2, 3], [4, 5, 6]], dtype=torch.float32, device=device,
                         requires_grad=True)
print(my_tensor)
print(my_tensor.dtype, my_tensor.device, my_tensor.shape, my_tensor.requires_grad)

x = torch.zeros((3, 3))
print(x, torch.ones((2, 3)), torch.eye(3, 2))
print(torch.arange(start=0, end=5, step=1), torch.linspace(start=0.1, end=1, steps=10))
x = torch.empty(size=(1, 5)).normal_(mean=0, std=1)
print(x)
x = torch.empty(size=(1, 5)).uniform_(0, 1)
print(x, torch.diag(torch.ones(3)))

tensor = torch.arange(4)
print(tensor.bool(), tensor.short(), tensor.long(), tensor.half(), tensor.float(),
      tensor.double())
np_array = np.zeros((5, 5))
tensor = torch.from_numpy(np_array)
np_array_again = tensor.numpy()
print(tensor.dtype, np_array_again.dtype)

x = torch.tensor([1, 2, 3])
y = torch.tensor([9, 8, 7])
z1 = torch.empty(3)
torch.add(x, y, out=z1)
print(z1, torch.add(x, y), x + y, x - y)
z = torch.true_divide(x, y)
print(z)
t = torch.zeros(3)
t.add_(x)
t += x
print(t, x.pow(2), x**2, x > 0, x < 0)
x1 = torch.rand((2, 5))
x2 = torch.rand((5, 3))
print(torch.mm(x1, x2), x1.mm(x2).shape)
matrix_exp = torch.rand(5, 5)
print(matrix_exp.matrix_power(3).sum())
print(x * y, torch.dot(x, y))
batch, n, m, p = 4, 3, 5, 2
tensor1 = torch.rand((batch, n, m))
tensor2 = torch.rand((batch, m, p))
print(torch.bmm(tensor1, tensor2).shape)
x1 = torch.rand((5, 5))
x2 = torch.ones((1, 5))
print((x1 - x2).shape, (x1**x2).shape)
sum_x = torch.sum(x, dim=0)
values, indices = torch.max(x, dim=0)
values2, indices2 = torch.min(x, dim=0)
print(sum_x, values, indices, values2, indices2)
print(torch.abs(x), torch.argmax(x, dim=0), torch.mean(x.float(), dim=0), torch.eq(x, y))
sorted_y, idx = torch.sort(y, dim=0, descending=False)
print(sorted_y, idx)
print(torch.clamp(x, min=0, max=2))
b = torch.tensor([1, 0, 1, 1, 1], dtype=torch.bool)
print(torch.any(b), torch.all(b))

batch_size, features = 10, 25
x = torch.rand((batch_size, features))
print(x[0].shape, x[:, 0].shape, x[2, 0:10].shape)
x[0, 0] = 100
x = torch.arange(10)
indices = [2, 5, 8]
print(x[indices])
x = torch.rand((3, 5))
rows = torch.tensor([1, 0])
cols = torch.tensor([4, 0])
print(x[rows, cols])
x = torch.arange(10)
print(x[(x < 2) | (x > 8)], x[x.remainder(2) == 0])
print(torch.where(x > 5, x, x * 2))
print(torch.tensor([0, 0, 1, 2, 2, 3, 4]).unique(), x.ndimension(), x.numel())

x = torch.arange(9)
x_3x3 = x.view(3, 3)
x_3x3 = x.reshape(3, 3)
y = x_3x3.t()
print(y.is_contiguous(), y.contiguous().view(9))
x1 = torch.rand(2, 5)
x2 = torch.rand(2, 5)
print(torch.cat((x1, x2), dim=0).shape, torch.cat((x1, x2), dim=1).shape)
z = x1.view(-1)
print(z.shape)
x = torch.rand((batch, 2, 5))
z = x.view(batch, -1)
print(z.shape, x.permute(0, 2, 1).shape)
x = torch.arange(10)
print(x.unsqueeze(0).shape, x.unsqueeze(1).shape)
x = torch.arange(10).unsqueeze(0).unsqueeze(1)
print(x.squeeze(1).shape)
