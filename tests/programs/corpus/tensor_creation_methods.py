"""torch.Tensor docs examples: the new_* methods, conversions (int/float/bool/type strings),
tolist/item, and creation functions' dtype inference from Python values.

Model: https://pytorch.org/docs/stable/tensors.html (pytorch/pytorch, BSD-3-Clause). Written
for jitgrad's corpus, not copied.
"""

import numpy as np
import torch

t = torch.ones((2,), dtype=torch.int8)
print(t.new_tensor([[0, 1], [2, 3]]))
print(t.new_full((3, 4), 3.141592))
print(t.new_empty((2, 3)).shape, t.new_empty((2, 3)).dtype)
print(t.new_ones((2, 3)), t.new_zeros((2, 3)))
print(torch.ones(2, dtype=torch.float64).new_full((2,), 1.5, dtype=torch.int32))
print(torch.tensor([1.5, -2.7, 3.5, -0.5]).int(), torch.tensor([1.5, -2.7]).long().dtype)
print(torch.tensor([300, -1, 255]).to(torch.uint8), torch.tensor([200]).to(torch.int8))
print(torch.tensor([0.0, 0.1, -2.0]).bool(), torch.tensor([True, False]).float())
print(torch.tensor([1, 2]).type(), torch.tensor([1.0]).type(torch.float64).type())
print(torch.tensor([1, 2]).type("torch.DoubleTensor"))
print(torch.tensor(3.5).item(), type(torch.tensor(3).item()), type(torch.tensor(True).item()))
print(torch.tensor([[1, 2], [3, 4]]).tolist(), torch.tensor(2.5).tolist())
print(torch.tensor([1, 2.0]).dtype, torch.tensor([1, True]).dtype, torch.tensor([1j]).dtype)
print(torch.tensor(np.array([1, 2], dtype=np.int32)).dtype, torch.tensor(np.float64(2)).dtype)
print(torch.as_tensor([1, 2], dtype=torch.float32), torch.asarray([[1.0], [2.0]]).shape)
print(torch.tensor([]).dtype, torch.tensor([[]]).shape, torch.tensor(()).shape)
print(torch.zeros(2, 3).new_tensor(5), torch.empty(0).new_tensor([]).shape)
print(torch.full((2,), 7).dtype, torch.full((2,), True).dtype, torch.full((2,), 1.0).dtype)
print(torch.arange(5).dtype, torch.arange(0.0, 1.0, 0.25), torch.arange(1, 4, dtype=torch.float64))
print(torch.linspace(0, 1, 5), torch.logspace(0, 2, 3), torch.logspace(0, 3, 4, base=2))
print(torch.eye(2, 3), torch.empty_like(torch.ones(2, dtype=torch.int16)).dtype)
print(torch.zeros_like(torch.ones(2, 2), dtype=torch.bool))
print(torch.tensor([[1, 2], [3, 4]]).T.tolist(), torch.tensor(5).T)
print(torch.tensor([1, 2, 3]).numpy().dtype, torch.tensor([1.0]).double().numpy().dtype)
print(torch.scalar_tensor(3), torch.tensor(-0.0), torch.tensor([float("nan"), float("inf")]))
print(torch.heaviside(torch.tensor([-1.5, 0, 2.0]), torch.tensor([0.5])))
