"""The NumPy bridge (60 Minute Blitz "Tensors", tensors tutorial): memory shared by
.numpy()/from_numpy/as_tensor, copies made by torch.tensor, dtypes carried across, and numpy
scalars and arrays mixed into tensor arithmetic.

Model: https://pytorch.org/tutorials/beginner/blitz/tensor_tutorial.html (pytorch/tutorials,
BSD-3-Clause). Written for jitgrad's corpus, not copied.
"""

import numpy as np
import torch

t = torch.ones(5)
n = t.numpy()
t.add_(1)
print(t, n)
n = np.ones(5)
t = torch.from_numpy(n)
np.add(n, 1, out=n)
print(t, n, t.dtype)
a = np.arange(6, dtype=np.int32).reshape(2, 3)
print(
    torch.as_tensor(a).dtype,
    torch.tensor(a).dtype,
    torch.from_numpy(a.T).stride(),
    torch.from_numpy(a[:, ::2].copy()).shape,
)
shared = torch.as_tensor(a)
copied = torch.tensor(a)
a[0, 0] = 100
print(shared[0, 0].item(), copied[0, 0].item())
print(
    torch.from_numpy(np.array([1.5], dtype=np.float16)).dtype,
    torch.from_numpy(np.array([True])).dtype,
)
print(
    torch.from_numpy(np.array(3.0)).shape,
    torch.tensor(np.float32(2.5)).dtype,
    torch.tensor([np.int64(1), 2]).dtype,
)
x = torch.tensor([1.0, 2.0])
print(
    x + np.float64(1.5), (x + np.float64(1.5)).dtype, (x * np.int32(3)).dtype, np.float32(2.0) * x
)
print(torch.tensor([1, 2]) + np.int64(5), (torch.tensor([1, 2]) * np.float64(0.5)).dtype)
print(
    x.numpy().dtype,
    x.double().numpy().dtype,
    torch.tensor([1, 2]).numpy().dtype,
    torch.tensor([True]).numpy(),
)
print(np.asarray(x), np.array(torch.tensor([[1, 2]])).shape, np.sum(x.numpy()))
print(x.numpy(force=True), torch.tensor([1.0], requires_grad=True).detach().numpy())
try:
    np.asarray(torch.tensor([1.0], requires_grad=True))
except RuntimeError as e:
    print("RuntimeError:", e)
print(torch.from_numpy(np.zeros((2, 0))).shape, torch.tensor(np.zeros((0,))).dtype)
b = torch.from_numpy(np.arange(4.0))
b[1:3] = 9
print(b, b.numpy()[1:3])
print(torch.tensor(np.array([[1, 2], [3, 4]])).T.contiguous().numpy().flags["C_CONTIGUOUS"])
