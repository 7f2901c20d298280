"""Tensor attributes (PyTorch docs): torch.dtype's is_floating_point/is_complex/is_signed and
itemsize, type promotion of mixed operands (zero-dim tensors and Python numbers take part by
category only), torch.result_type, torch.promote_types and torch.can_cast, torch.device
forms, torch.layout and memory formats (contiguous and channels_last strides).

Model: https://pytorch.org/docs/stable/tensor_attributes.html (pytorch/pytorch docs,
BSD-3-Clause). Written for jitgrad's corpus, not copied. Changes: the doc's examples
collected as prints; CUDA devices only constructed, never used.
"""

import torch

for dt in (torch.float32, torch.float16, torch.int64, torch.uint8, torch.bool, torch.complex64):
    print(dt, dt.is_floating_point, dt.is_complex, dt.is_signed, dt.itemsize)

float_tensor = torch.ones(1, dtype=torch.float)
double_tensor = torch.ones(1, dtype=torch.double)
complex_float_tensor = torch.ones(1, dtype=torch.complex64)
int_tensor = torch.ones(1, dtype=torch.int)
long_tensor = torch.ones(1, dtype=torch.long)
uint_tensor = torch.ones(1, dtype=torch.uint8)
long_zerodim = torch.tensor(1, dtype=torch.long)
int_zerodim = torch.tensor(1, dtype=torch.int)

print((uint_tensor + 5).dtype)
print((uint_tensor + 1000).dtype, uint_tensor + 1000)
print((int_tensor + long_zerodim).dtype)
print((long_tensor + int_tensor).dtype)
print(torch.add(long_tensor, float_tensor).dtype)
print((long_tensor * 5.5).dtype)
print((complex_float_tensor + complex_float_tensor).dtype)
print((complex_float_tensor + double_tensor).dtype)
print((int_zerodim + 5).dtype, (int_tensor + 5.0).dtype)
print(torch.add(5.5, long_zerodim).dtype)

float_tensor *= float_tensor
float_tensor *= int_tensor
float_tensor *= uint_tensor
try:
    int_tensor *= float_tensor
except RuntimeError as e:
    print("RuntimeError:", e)

print(torch.result_type(torch.tensor([1, 2], dtype=torch.int), 1.0))
print(torch.result_type(torch.tensor([1, 2], dtype=torch.uint8), torch.tensor(1)))
print(torch.promote_types(torch.int32, torch.float32), torch.promote_types(torch.uint8, torch.int8))
print(torch.can_cast(torch.double, torch.float), torch.can_cast(torch.float, torch.int))

print(torch.device("cuda:0"), torch.device("cpu"), torch.device("cuda"))
print(torch.device("cuda", 0), torch.device("cpu", 0), repr(torch.device("cpu")))
d = torch.device("cuda:1")
print(d.type, d.index, torch.device("cpu").index)
print(torch.randn((2, 3), device=torch.device("cpu")).device)

x = torch.tensor([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]])
print(x.stride(), x.t().stride(), x.layout, torch.strided)
y = torch.zeros(2, 3, 4, 5)
print(y.stride(), y.is_contiguous())
z = y.to(memory_format=torch.channels_last)
print(z.stride(), z.is_contiguous(), z.is_contiguous(memory_format=torch.channels_last))
print(torch.contiguous_format, torch.channels_last, torch.preserve_format)
