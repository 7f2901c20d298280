"""How tensors of many shapes and dtypes print, as tutorials show them: 1-D to 4-D tensors,
int8/uint8/int16/int32/int64, bool, float16/bfloat16/float64 (dtype= suffixes), mixed
magnitudes in one tensor, integer-valued floats ("1., 2."), negative zero, wide rows wrapping
at linewidth 80, summarised 3-D tensors, set_printoptions(precision=, sci_mode=, linewidth=,
edgeitems=, threshold=) and tensors inside lists, tuples, dicts and f-strings.

Models: https://pytorch.org/docs/stable/generated/torch.set_printoptions.html and
https://pytorch.org/tutorials/beginner/basics/tensorqs_tutorial.html (BSD-3-Clause). Written for
jitgrad's corpus, not copied.
"""
# ruff: noqa: E501  (one-line printouts, as tutorials write them)

import torch

print(torch.arange(4.0))
print(torch.arange(6).view(2, 3))
print(torch.arange(12.0).view(2, 2, 3))
print(torch.arange(16).view(2, 2, 2, 2))
for dt in [torch.int8, torch.uint8, torch.int16, torch.int32, torch.int64, torch.bool]:
    print(torch.tensor([0, 1, 2]).to(dt))
for dt in [torch.float16, torch.bfloat16, torch.float64]:
    print(torch.tensor([0.1, 1.0, -2.5]).to(dt))
print(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.5, 2.0]), torch.tensor([-0.0, 1.0]))
print(torch.tensor([0.001, 1000.0]), torch.tensor([0.0001, 10000.0]), torch.tensor([1e-3, 1e3, 1e5]))
print(torch.tensor([123456789.0]), torch.tensor([1.0e-20, 1.0]), torch.tensor([100.0, 200.5]))
print(torch.tensor([[1e-5, 2.0], [3.0, 4.0]]), torch.tensor([-1e9, 1]))
print(torch.tensor([10**12, -5]), torch.tensor([[1, -1], [100, 1000]]))
print(torch.linspace(0, 1, 30))
print(torch.arange(40).view(2, 20) * 1001)
print(torch.arange(2 * 3 * 1001.0).view(2, 3, 1001))
print(torch.ones(3, 1001))
torch.set_printoptions(precision=3)
print(torch.tensor([1 / 3, 2 / 3]), torch.tensor([1e-6, 1.0]))
torch.set_printoptions(precision=6, sci_mode=False)
print(torch.tensor([1 / 3, 1e-6, 12345.678]))
torch.set_printoptions(precision=4, sci_mode=None, linewidth=50)
print(torch.linspace(-5, 5, 12))
torch.set_printoptions(linewidth=80, edgeitems=1, threshold=4)
print(torch.arange(10), torch.arange(20.0).view(4, 5))
torch.set_printoptions(profile="default")
torch.manual_seed(0)
r = torch.randn(2, 3)
print([r[0], r[1, :2]])
print((torch.tensor(1), torch.tensor([2.5])))
print({"w": torch.ones(2), "b": torch.zeros(1, dtype=torch.long)})
print(f"{torch.tensor(3.14159):.2f} {torch.tensor(2).item():d} {r.shape} {r.dtype} {r.device}")
print(str(torch.tensor([1.0])), repr(torch.tensor(2)), torch.tensor([True]).dtype)
print(r.requires_grad_(), r.sum(), torch.nn.Parameter(torch.zeros(2)))
print(torch.zeros(2, 0, 3), torch.empty(0, dtype=torch.int64), torch.tensor([[]]))
print(torch.tensor(float("nan")), torch.tensor([float("inf"), 1e-10]), torch.tensor([2.0, float("nan")], dtype=torch.float64))
