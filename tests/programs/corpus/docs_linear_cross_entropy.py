"""nn.LinearCrossEntropyLoss and F.linear_cross_entropy (new in PyTorch 2.13) from the torch
docs: the docstring's "Examples:" block (class-index targets over a K-dimensional loss, then
class probabilities), and the functional's stated equivalence with ``cross_entropy(linear(input,
linear_weight), target)``, checked on a batch the way a user would before switching.

Source: the docstrings of torch.nn.LinearCrossEntropyLoss and
torch.nn.functional.linear_cross_entropy as shipped in PyTorch 2.13 (pytorch/pytorch,
BSD-3-Clause). Changes: prints added to show the losses and gradients; the equivalence check
and the small training loop are written for jitgrad's corpus.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(283)
# Example of target with class indices
loss = nn.LinearCrossEntropyLoss(5, 10, out_features=(4, 3))
print(loss)
input = torch.randn(2, 5, requires_grad=True)
target = torch.randint(0, 10, (2, 4, 3))
output = loss(input, target)
output.backward()
print(output, input.grad)

# Example of target with class probabilities
input = torch.randn(2, 5, requires_grad=True)
target = torch.randn(2, 10, 4, 3).softmax(dim=1)
output = loss(input, target)
output.backward()
print(output, input.grad)

# the reference implementation the functional docs state
x = torch.randn(8, 16)
w = torch.randn(5, 16, requires_grad=True)
t = torch.randint(0, 5, (8,))
a = F.linear_cross_entropy(x, w, t)
b = F.cross_entropy(F.linear(x, w), t)
print(a, b, torch.allclose(a, b))
ga, = torch.autograd.grad(a, w)
gb, = torch.autograd.grad(b, w)
print(torch.allclose(ga, gb))

# a classifier head trained with it
head = nn.LinearCrossEntropyLoss(16, 5, bias=True, label_smoothing=0.1)
opt = torch.optim.SGD(head.parameters(), lr=0.5)
for step in range(20):
    opt.zero_grad()
    l = head(x, t)
    l.backward()
    opt.step()
    if step % 5 == 0:
        print(step, round(l.item(), 4))
print(sorted(head.state_dict()))
