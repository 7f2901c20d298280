"""Stochastic weight averaging and EMA, as the torch.optim documentation's "Weight Averaging
(SWA and EMA)" section writes them: AveragedModel, SWALR with cosine annealing after a
CosineAnnealingLR phase, swa_model.update_parameters, torch.optim.swa_utils.update_bn over a
loader, predictions of the averaged model; then an EMA model with get_ema_multi_avg_fn and
use_buffers=True, and a custom avg_fn.

Docs: https://pytorch.org/docs/stable/optim.html#weight-averaging-swa-and-ema (pytorch/pytorch,
BSD-3-Clause). Written for jitgrad's corpus, not copied. Changes: the docs' placeholders
(model, loader, loss_fn, 300 epochs, swa_start 160) become a small MLP with BatchNorm1d on 32
synthetic points in 4 batches, 8 epochs with swa_start 4.
"""
# ruff: noqa: B007  (the original's style, kept)

import torch
from torch import nn
from torch.optim.lr_scheduler import CosineAnnealingLR
from torch.optim.swa_utils import SWALR, AveragedModel, get_ema_multi_avg_fn, update_bn

torch.manual_seed(0)
X = torch.randn(32, 4)
y = X @ torch.tensor([1.0, -2.0, 0.5, 3.0]) + 0.1
loader = [(X[i : i + 8], y[i : i + 8]) for i in range(0, 32, 8)]


def make_model():
    return nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 1))


model = make_model()
loss_fn = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
swa_model = AveragedModel(model)
scheduler = CosineAnnealingLR(optimizer, T_max=8)
swa_start = 4
swa_scheduler = SWALR(optimizer, swa_lr=0.02, anneal_epochs=2, anneal_strategy="cos")

for epoch in range(8):
    total = 0.0
    for input, target in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(input).squeeze(1), target)
        loss.backward()
        optimizer.step()
        total += loss.item()
    if epoch > swa_start:
        swa_model.update_parameters(model)
        swa_scheduler.step()
    else:
        scheduler.step()
    print(epoch, round(total / 4, 4), optimizer.param_groups[0]["lr"])

print(swa_model.n_averaged)
# Update bn statistics for the swa_model at the end
update_bn(loader, swa_model)
print(swa_model.module[1].running_mean)
# Use swa_model to make predictions on test data
swa_model.eval()
with torch.no_grad():
    preds = swa_model(X[:4])
print(preds.squeeze(1))
print(list(swa_model.state_dict().keys())[:3])

# EMA
model = make_model()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
decay = 0.9
ema_model = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(decay), use_buffers=True)
for epoch in range(3):
    for input, target in loader:
        optimizer.zero_grad()
        loss_fn(model(input).squeeze(1), target).backward()
        optimizer.step()
        ema_model.update_parameters(model)
print(ema_model.n_averaged, ema_model.module[0].bias)
print(ema_model.module[1].running_var)

averaged_params = AveragedModel(
    model,
    avg_fn=lambda averaged_param, model_param, num_averaged: (
        0.5 * averaged_param + 0.5 * model_param
    ),
)
with torch.no_grad():
    for p in model.parameters():
        p.add_(1.0)
averaged_params.update_parameters(model)
print(averaged_params.module[3].bias, model[3].bias)
