"""Loss modules from the torch.nn docs (a): the "Example::" blocks of the docstrings of
nn.BCELoss, nn.CosineEmbeddingLoss, nn.CrossEntropyLoss, nn.GaussianNLLLoss,
nn.HingeEmbeddingLoss, nn.HuberLoss, nn.KLDivLoss, nn.L1Loss, nn.MSELoss, pasted one after the
other as a user runs them; a line whose REPL echo the docstring shows is printed.

Source: the docstrings as shipped in PyTorch 2.13 (pytorch/pytorch, BSD-3-Clause; rendered at
https://pytorch.org/docs/stable/). Changes: print() goes around echoed expressions, and a block
that echoes nothing prints its last result's shape and first values; random inputs come from
torch.randn/rand, which the corpus harness feeds the same draws under both libraries.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

# nn.BCELoss
m = nn.Sigmoid()
loss = nn.BCELoss()
input = torch.randn(3, 2, requires_grad=True)
target = torch.rand(3, 2, requires_grad=False)
output = loss(m(input), target)
output.backward()

# nn.CosineEmbeddingLoss
loss = nn.CosineEmbeddingLoss()
input1 = torch.randn(3, 5, requires_grad=True)
input2 = torch.randn(3, 5, requires_grad=True)
target = torch.ones(3)
output = loss(input1, input2, target)
output.backward()

# nn.CrossEntropyLoss
loss = nn.CrossEntropyLoss()
input = torch.randn(3, 5, requires_grad=True)
target = torch.empty(3, dtype=torch.long).random_(5)
output = loss(input, target)
output.backward()
input = torch.randn(3, 5, requires_grad=True)
target = torch.randn(3, 5).softmax(dim=1)
output = loss(input, target)
output.backward()
loss = nn.CrossEntropyLoss()
torch.manual_seed(283)
input = torch.randn(3, 5, requires_grad=True)
target = torch.randn(3, 5)
print(target)
print(target.sum(axis=1))
print(loss(input, target).item())
target_new = target.softmax(dim=1)
print(target_new)
print(target_new.sum(axis=1))
print(loss(input, target_new).item())

# nn.GaussianNLLLoss
loss = nn.GaussianNLLLoss()
input = torch.randn(5, 2, requires_grad=True)
target = torch.randn(5, 2)
var = torch.ones(5, 2, requires_grad=True)  # heteroscedastic
output = loss(input, target, var)
output.backward()
loss = nn.GaussianNLLLoss()
input = torch.randn(5, 2, requires_grad=True)
target = torch.randn(5, 2)
var = torch.ones(5, 1, requires_grad=True)  # homoscedastic
output = loss(input, target, var)
output.backward()

# nn.HingeEmbeddingLoss
loss = nn.HingeEmbeddingLoss()
input = torch.randn(3, 5, requires_grad=True)
target = torch.randn(3, 5).sign()
output = loss(input, target)
output.backward()

# nn.HuberLoss
loss = nn.HuberLoss()
input = torch.randn(3, 5, requires_grad=True)
target = torch.randn(3, 5)
output = loss(input, target)
output.backward()

# nn.KLDivLoss
kl_loss = nn.KLDivLoss(reduction="batchmean")
input = F.log_softmax(torch.randn(3, 5, requires_grad=True), dim=1)
target = F.softmax(torch.rand(3, 5), dim=1)
output = kl_loss(input, target)
kl_loss = nn.KLDivLoss(reduction="batchmean", log_target=True)
log_target = F.log_softmax(torch.rand(3, 5), dim=1)
output = kl_loss(input, log_target)
print(output.shape)
print(output.flatten()[:4])

# nn.L1Loss
loss = nn.L1Loss()
input = torch.randn(3, 5, requires_grad=True)
target = torch.randn(3, 5)
output = loss(input, target)
output.backward()

# nn.MSELoss
loss = nn.MSELoss()
input = torch.randn(3, 5, requires_grad=True)
target = torch.randn(3, 5)
output = loss(input, target)
output.backward()
