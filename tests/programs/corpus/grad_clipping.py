"""Gradient clipping in a training loop (the pattern of pytorch/examples' word_language_model:
clip_grad_norm_ between backward and step), with the total norm it returns, clip_grad_value_,
and a norm_type=inf clip.

Model: https://github.com/pytorch/examples/blob/main/word_language_model/main.py
(BSD-3-Clause). Written for jitgrad's corpus, not copied: a small tanh MLP instead of the LSTM
language model.
"""

import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 1))
x, y = torch.randn(32, 6) * 3, torch.randn(32, 1) * 5
criterion = nn.MSELoss()
lr = 0.05
for step in range(6):
    model.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    total = torch.nn.utils.clip_grad_norm_(model.parameters(), 0.25)
    for p in model.parameters():
        p.data.add_(p.grad, alpha=-lr)
    print(step, f"{loss.item():.5f}", f"{total.item():.5f}")

model.zero_grad()
criterion(model(x), y).backward()
torch.nn.utils.clip_grad_value_(model.parameters(), clip_value=0.01)
print(model[0].bias.grad)
model.zero_grad()
criterion(model(x), y).backward()
norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm=0.1, norm_type=float("inf"))
print(norm, model[2].weight.grad.abs().max())
params = list(model.parameters())
print(nn.utils.parameters_to_vector(params).shape)
