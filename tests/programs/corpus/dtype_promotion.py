"""Type promotion and dtype conversions as the "Tensor Attributes" notes and numpy-interop blog
posts show them: int + float tensors, int tensor * Python float, bool arithmetic, division of
integer tensors, torch.result_type / promote_types / can_cast, finfo/iinfo, .to() / .type() /
.double() / .long(), integer overflow wrap in uint8/int8, float16 and bfloat16 round trips,
torch.from_numpy sharing memory, .numpy() / tolist / as_tensor, default dtype changes, and
in-place ops that may not change dtype (the error).

Models: https://pytorch.org/docs/stable/tensor_attributes.html#type-promotion-doc and
https://pytorch.org/tutorials/beginner/basics/tensorqs_tutorial.html (BSD-3-Clause). Written for
jitgrad's corpus, not copied.
"""
# ruff: noqa: E501  (one-line printouts, as tutorials write them)

import numpy as np
import torch

i = torch.tensor([1, 2, 3])
f = torch.tensor([0.5, 1.5, 2.5])
d = torch.tensor([1.0, 2.0], dtype=torch.float64)
print(i.dtype, f.dtype, (i + f).dtype, (i * 2.5).dtype, (i * 2).dtype, (i / 2).dtype, (i // 2).dtype)
print((torch.tensor([True, False]) + 1).dtype, torch.tensor([True, True]).sum(), (f + d[:1]).dtype)
print((torch.tensor(1.5, dtype=torch.float64) * f).dtype, (torch.tensor(2) * f).dtype, (d * f[0]).dtype)
print(torch.result_type(i, 1.0), torch.result_type(torch.tensor([1], dtype=torch.uint8), -1))
print(torch.promote_types(torch.int32, torch.float32), torch.promote_types(torch.uint8, torch.int8))
print(torch.can_cast(torch.double, torch.float), torch.can_cast(torch.float, torch.int))
print(torch.finfo(torch.float32).eps, torch.finfo(torch.float16).max, torch.finfo(torch.bfloat16).eps, torch.finfo().tiny)
print(torch.iinfo(torch.int8).min, torch.iinfo(torch.uint8).max, torch.iinfo(torch.int64).max, torch.finfo(torch.float64).bits)
print(f.to(torch.int64), f.long(), f.int().dtype, i.double(), i.float(), f.half(), f.bfloat16(), i.bool())
print(f.type(), f.type(torch.float64), i.type(torch.IntTensor).dtype, f.to(dtype=torch.float16).dtype)
print(f.to(d), f.to(d).dtype, torch.zeros(2).new_tensor([1, 2]).dtype, f.new_zeros(2, dtype=torch.int32), f.new_ones(1), f.new_full((2,), 7))
u8 = torch.tensor([250, 5], dtype=torch.uint8)
print(u8 + 10, u8 - 10, torch.tensor([127], dtype=torch.int8) + 1, u8.dtype.is_floating_point, u8.is_signed())
h = torch.tensor([1.0 / 3, 1000.1, 65504.0], dtype=torch.float16)
print(h, h.float(), torch.tensor([1.0 / 3, 1000.1], dtype=torch.bfloat16))
arr = np.arange(4.0)
t = torch.from_numpy(arr)
arr[0] = 100
print(t, t.dtype)
t[1] = -1
print(arr)
n = t.numpy()
print(type(n).__name__, n.dtype, torch.as_tensor(np.array([1, 2], dtype=np.int32)).dtype, torch.tensor(np.float32(2.5)).dtype)
print(i.tolist(), f[0].item(), type(i[0].item()).__name__, torch.tensor([[1, 2]]).tolist())
torch.set_default_dtype(torch.float64)
print(torch.tensor([1.5]).dtype, torch.zeros(1).dtype, torch.get_default_dtype(), (torch.arange(3) * 0.5).dtype)
torch.set_default_dtype(torch.float32)
try:
    i.add_(0.5)
except RuntimeError as e:
    print(e)
i2 = i.clone()
i2 *= 2
print(i2, i2.dtype)
print(torch.float32.is_floating_point, torch.int64.itemsize, torch.float16.itemsize, f.element_size(), f.nbytes)
print(torch.get_default_dtype(), torch.is_floating_point(f), torch.is_tensor(f), torch.numel(f))
