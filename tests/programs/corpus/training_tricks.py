"""Training-loop techniques the way tutorials and "tips and tricks" posts write them:
gradient accumulation over micro-batches, parameter groups with different learning rates and
no weight decay on biases/norms, freezing a backbone then unfreezing it, clip_grad_value_ and
clip_grad_norm_ (returned norm, error_if_nonfinite), parameters_to_vector /
vector_to_parameters, an exponential moving average of weights, early stopping on a validation
loss, and label smoothing.

Models: https://pytorch.org/docs/stable/generated/torch.nn.utils.clip_grad_norm_.html and
https://pytorch.org/tutorials/recipes/recipes/tuning_guide.html (BSD-3-Clause). Written for
jitgrad's corpus, not copied.
"""
# ruff: noqa: E501  (one-line printouts, as tutorials write them)

import copy

import torch
import torch.nn as nn
from torch.nn.utils import (
    clip_grad_norm_,
    clip_grad_value_,
    parameters_to_vector,
    vector_to_parameters,
)

torch.manual_seed(0)
backbone = nn.Sequential(nn.Linear(6, 16), nn.LayerNorm(16), nn.ReLU())
head = nn.Linear(16, 3)
model = nn.Sequential(backbone, head)
X = torch.randn(64, 6)
Y = (X[:, 0] > 0).long() + (X[:, 1] > 0).long()
Xv, Yv = torch.randn(16, 6), torch.randint(0, 3, (16,))

decay, no_decay = [], []
for name, p in model.named_parameters():
    (no_decay if name.endswith("bias") or "1." in name else decay).append(p)
print(len(decay), len(no_decay))
opt = torch.optim.SGD(
    [{"params": decay, "weight_decay": 1e-2}, {"params": no_decay, "weight_decay": 0.0}],
    lr=0.1, momentum=0.9,
)
loss_fn = nn.CrossEntropyLoss(label_smoothing=0.05)
ema = copy.deepcopy(model)
for p in ema.parameters():
    p.requires_grad_(False)

for p in backbone.parameters():
    p.requires_grad = False
print(sum(p.numel() for p in model.parameters() if p.requires_grad))
accum = 4
best, bad_epochs = float("inf"), 0
for epoch in range(12):
    if epoch == 3:
        for p in backbone.parameters():
            p.requires_grad = True
    model.train()
    opt.zero_grad()
    for i, (xb, yb) in enumerate(zip(X.split(8), Y.split(8))):
        loss = loss_fn(model(xb), yb) / accum
        loss.backward()
        if (i + 1) % accum == 0:
            clip_grad_value_(model.parameters(), clip_value=0.5)
            norm = clip_grad_norm_(model.parameters(), max_norm=1.0)
            opt.step()
            opt.zero_grad()
            with torch.no_grad():
                for pe, pm in zip(ema.parameters(), model.parameters()):
                    pe.mul_(0.9).add_(pm, alpha=0.1)
    model.eval()
    with torch.no_grad():
        val = loss_fn(model(Xv), Yv).item()
        acc = (model(X).argmax(1) == Y).float().mean().item()
    print(epoch, round(val, 4), round(acc, 4), round(norm.item(), 4), backbone[0].weight.grad is None)
    if val < best - 1e-3:
        best, bad_epochs = val, 0
    else:
        bad_epochs += 1
        if bad_epochs >= 3:
            print("early stop at", epoch)
            break

vec = parameters_to_vector(model.parameters())
print(vec.shape, round(vec.norm().item(), 4))
vector_to_parameters(torch.zeros_like(vec), ema.parameters())
print(ema[1].bias, sum(p.abs().sum().item() for p in ema.parameters()))
p = nn.Parameter(torch.ones(2))
p.grad = torch.tensor([float("inf"), 1.0])
try:
    clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
except RuntimeError as e:
    print(str(e)[:80])
g = nn.Parameter(torch.ones(3))
g.grad = torch.tensor([3.0, 4.0, 0.0])
print(clip_grad_norm_([g], max_norm=1.0, norm_type=2.0), g.grad)
g.grad = torch.tensor([3.0, -4.0, 1.0])
print(clip_grad_norm_(g, max_norm=2.0, norm_type="inf"), g.grad)
