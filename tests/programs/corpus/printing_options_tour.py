"""Tensor printing under torch.set_printoptions (PyTorch docs: set_printoptions examples):
precision, threshold and edgeitems summarisation, linewidth wrapping, sci_mode, and the
reprs of integer, bool, half, double, complex and empty tensors.

Model: https://pytorch.org/docs/stable/generated/torch.set_printoptions.html
(pytorch/pytorch, BSD-3-Clause). Written for jitgrad's corpus, not copied.
"""

import torch

x = torch.arange(0, 1.2, 0.1)
print(x)
torch.set_printoptions(precision=2)
print(x, torch.tensor([1.23456789e-5, 1.0]))
torch.set_printoptions(threshold=5)
print(torch.arange(10), torch.arange(100.0).reshape(10, 10))
torch.set_printoptions(edgeitems=1)
print(torch.arange(24).reshape(2, 3, 4) * 1.5)
torch.set_printoptions(profile="default")
torch.set_printoptions(linewidth=40)
print(torch.linspace(-1, 1, 15))
torch.set_printoptions(profile="default")
torch.set_printoptions(sci_mode=True)
print(torch.tensor([1.0, 2.5, 300.0]))
torch.set_printoptions(sci_mode=False)
print(torch.tensor([1e-8, 1e8, 1.0]))
torch.set_printoptions(profile="short")
print(torch.tensor([1.123456, 2.0]))
torch.set_printoptions(profile="full")
print(torch.arange(1200).sum(), torch.arange(30))
torch.set_printoptions(profile="default")
print(torch.tensor([1e-8, 1e8, 1.0]), torch.tensor([1e10, -1.0]), torch.tensor([0.001, 1000.0]))
print(torch.tensor([1, -2, 300], dtype=torch.int16), torch.tensor([True, False]))
print(torch.tensor([1.5, 2.25], dtype=torch.float16), torch.tensor([1.5], dtype=torch.bfloat16))
print(torch.tensor([1.0, 2.0], dtype=torch.float64), torch.tensor([1 + 2j, -0.5j]))
print(torch.zeros(0, 3), torch.zeros(2, 0, dtype=torch.int64), torch.tensor([], dtype=torch.bool))
print(torch.tensor([float("nan"), float("inf"), -float("inf"), 1.5]))
print(torch.tensor([123456789.0]), torch.tensor([0.1, 12345.0]))
print(torch.tensor(2.0, requires_grad=True) * 3, torch.nn.Parameter(torch.ones(2)))
print(torch.ones(2, 2, dtype=torch.uint8), torch.tensor([[1.0, -1.0]]).abs())
print(repr(torch.tensor([1.0]).new_empty(0)), torch.tensor(7, dtype=torch.int32))
print(torch.get_printoptions() if hasattr(torch, "get_printoptions") else "")
print(torch.Size([2, 3]), torch.float32, torch.device("cpu"), torch.int64.is_floating_point)
print(torch.tensor([[1e-5, 2e-5], [3.0, 4.0]]), torch.tensor([-1e-5]))
