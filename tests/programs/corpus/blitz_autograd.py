"""A gentle introduction to torch.autograd, after the 60-minute blitz tutorial.

Model: https://pytorch.org/tutorials/beginner/blitz/autograd_tutorial.html (pytorch/tutorials,
BSD-3-Clause). Written for jitgrad's corpus, not copied. The tutorial's resnet18 step is
replaced by a small two-layer model (torchvision is not part of torch); the fine-tuning part
(freeze every parameter, replace the classifier, optimise only it) keeps its torch calls.
"""

import torch
from torch import nn, optim

model = nn.Sequential(nn.Linear(12, 16), nn.ReLU(), nn.Linear(16, 10))
data = torch.rand(1, 12)
labels = torch.rand(1, 10)
prediction = model(data)
loss = (prediction - labels).sum()
loss.backward()
optimizer = optim.SGD(model.parameters(), lr=1e-2, momentum=0.9)
optimizer.step()
print(f"{loss.item():.5f}")
print(model(data))

a = torch.tensor([2.0, 3.0], requires_grad=True)
b = torch.tensor([6.0, 4.0], requires_grad=True)
Q = 3 * a**3 - b**2
external_grad = torch.tensor([1.0, 1.0])
Q.backward(gradient=external_grad)
print(9 * a**2 == a.grad)
print(-2 * b == b.grad)
print(a.grad, b.grad)

x = torch.rand(5, 5)
y = torch.rand(5, 5)
z = torch.rand((5, 5), requires_grad=True)
a = x + y
print(f"Does `a` require gradients?: {a.requires_grad}")
b = x + z
print(f"Does `b` require gradients?: {b.requires_grad}")

for param in model.parameters():
    param.requires_grad = False
model[2] = nn.Linear(16, 10)
optimizer = optim.SGD(model[2].parameters(), lr=1e-2, momentum=0.9)
print([p.requires_grad for p in model.parameters()])
loss = model(data).pow(2).sum()
loss.backward()
optimizer.step()
print(model[0].weight.grad, model[2].bias.grad is not None)
print(model(data))
