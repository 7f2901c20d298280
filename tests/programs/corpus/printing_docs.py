"""How tensors print, after torch.set_printoptions' documentation examples and the tensor
tutorial's printouts: precision, threshold and edgeitems (summarised long tensors), linewidth,
profile "short" / "full" / "default", sci_mode, integer / bool / float64 / 0-dim / empty
tensors, nan and inf, tiny and huge magnitudes (scientific notation chosen automatically),
requires_grad and grad_fn in the repr, a Parameter, torch.Size, format specs on a 0-dim tensor,
and tensor.tolist / item.

Docs: https://pytorch.org/docs/stable/generated/torch.set_printoptions.html (pytorch/pytorch
docstrings, BSD-3-Clause) and https://pytorch.org/tutorials/beginner/basics/tensorqs_tutorial.html.
Written for jitgrad's corpus, not copied. Changes: arange/linspace data instead of rand.
"""
# ruff: noqa: E501, UP032  (the source's code and long printouts, kept as written)

import torch

# Limit the precision of elements
torch.set_printoptions(precision=2)
print(torch.tensor([1.12345]))
# Limit the number of elements shown
torch.set_printoptions(threshold=5)
print(torch.arange(10))
# Restore defaults
torch.set_printoptions(profile="default")
print(torch.tensor([1.12345]))
print(torch.arange(10))
torch.set_printoptions(threshold=10, edgeitems=2)
print(torch.arange(30.0).view(5, 6))
torch.set_printoptions(profile="short")
print(torch.linspace(0, 1, 7))
torch.set_printoptions(profile="default")
print(torch.arange(1200.0))
print(torch.arange(2000).view(40, 50))
torch.set_printoptions(linewidth=40)
print(torch.linspace(-1, 1, 12))
torch.set_printoptions(profile="default")
torch.set_printoptions(sci_mode=True)
print(torch.tensor([1.5, 2.25, 100.0]))
torch.set_printoptions(sci_mode=False)
print(torch.tensor([1e-8, 1.0, 1e8]))
torch.set_printoptions(profile="default")

print(torch.tensor([1e-8, 1.0, 1e8]))
print(torch.tensor([1e-5, 1.0]), torch.tensor([0.0001, 1.0]), torch.tensor([123456.0, 1.5]))
print(torch.tensor([1e10, 2e10]), torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.0, 2.5]))
print(torch.tensor([float("nan"), float("inf"), -float("inf"), 1.5]))
print(torch.tensor([float("nan"), 2.0]), torch.tensor([float("inf"), 2.0]))
print(torch.tensor([-0.0, 0.0]), torch.tensor([1e-40]), torch.tensor([3.4e38]))
print(torch.tensor(3.5), torch.tensor(7), torch.tensor(True), torch.tensor(-0.25, dtype=torch.float64))
print(torch.tensor([]), torch.zeros(0, 3), torch.ones(2, 0, dtype=torch.long))
print(torch.tensor([[True, False], [False, True]]))
print(torch.arange(6, dtype=torch.int32).view(2, 3), torch.arange(3, dtype=torch.uint8))
print(torch.arange(4, dtype=torch.int16), torch.arange(3, dtype=torch.int8) - 5)
print(torch.tensor([1.0, 2.0], dtype=torch.float64), torch.tensor([1, 2]) * 1000000000000)
print(torch.linspace(0, 1, 5, dtype=torch.float64) / 3)
print(torch.arange(24.0).view(2, 3, 4) / 7)
print(torch.zeros(2, 1, 1, 2))

x = torch.linspace(-1, 1, 4, requires_grad=True)
y = x * 2
print(x)
print(y)
print(y.sum(), y.mean(), y[1:], y.detach())
print(torch.nn.Parameter(torch.ones(2)))
print(torch.nn.Parameter(torch.ones(2), requires_grad=False))
print(torch.Size([2, 3]), torch.ones(2, 3).shape, torch.ones(2, 3).size(1))
t = torch.tensor(2.0 / 3)
print(f"{t:.3f}", f"{t.item():.3f}", "{:.2e}".format(t), str(t), repr(t))
print(torch.arange(3.0).tolist(), torch.tensor(4).item(), torch.tensor([[1, 2]]).tolist())
print(torch.tensor([0.1, 0.2]) + torch.tensor([0.2, 0.1]))
print(torch.tensor([123.456789, 0.001]), torch.tensor([1000.5, 2.25]))
print(torch.ones(3, dtype=torch.float64) * 1e-3, torch.tensor([5e-5, 1.0], dtype=torch.float64))
