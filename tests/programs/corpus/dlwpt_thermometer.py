"""The thermometer model of "Deep Learning with PyTorch" (chapters 5-6): readings t_u in unknown
units against t_c in Celsius, the linear model w * t_u + b with a hand-written loss, its
gradient by hand (dloss_fn, dmodel_dw, dmodel_db), then with autograd (params.grad zeroed
between steps), normalized inputs (t_un = 0.1 * t_u), optim.SGD and Adam, a train/validation
split with randperm under torch.no_grad(), and the nn.Linear / nn.Sequential version with
an OrderedDict of named layers.

Model: https://github.com/deep-learning-with-pytorch/dlwpt-code (p1ch5 and p1ch6 notebooks,
Apache-2.0). Written for jitgrad's corpus, not copied. Changes: fewer epochs (500 for the
hand-written loop, 100-300 for the others), prints only every few epochs.
"""
# ruff: noqa: B007  (the source's unused loop variables, kept as written)

from collections import OrderedDict

import torch
import torch.nn as nn
import torch.optim as optim

t_c = [0.5, 14.0, 15.0, 28.0, 11.0, 8.0, 3.0, -4.0, 6.0, 13.0, 21.0]
t_u = [35.7, 55.9, 58.2, 81.9, 56.3, 48.9, 33.9, 21.8, 48.4, 60.4, 68.4]
t_c = torch.tensor(t_c)
t_u = torch.tensor(t_u)


def model(t_u, w, b):
    return w * t_u + b


def loss_fn(t_p, t_c):
    squared_diffs = (t_p - t_c) ** 2
    return squared_diffs.mean()


w = torch.ones(())
b = torch.zeros(())
t_p = model(t_u, w, b)
print(t_p, loss_fn(t_p, t_c))


def dloss_fn(t_p, t_c):
    return 2 * (t_p - t_c) / t_p.size(0)


def grad_fn(t_u, t_c, t_p, w, b):
    dloss_dtp = dloss_fn(t_p, t_c)
    dloss_dw = dloss_dtp * t_u
    dloss_db = dloss_dtp * 1.0
    return torch.stack([dloss_dw.sum(), dloss_db.sum()])


def training_loop(n_epochs, learning_rate, params, t_u, t_c, print_every=500):
    for epoch in range(1, n_epochs + 1):
        w, b = params
        t_p = model(t_u, w, b)
        loss = loss_fn(t_p, t_c)
        grad = grad_fn(t_u, t_c, t_p, w, b)
        params = params - learning_rate * grad
        if epoch % print_every == 0 or epoch == 1:
            print(f"Epoch {epoch}, Loss {float(loss):.6f}")
    return params


t_un = 0.1 * t_u
print(training_loop(n_epochs=500, learning_rate=1e-2, params=torch.tensor([1.0, 0.0]),
                    t_u=t_un, t_c=t_c))

params = torch.tensor([1.0, 0.0], requires_grad=True)
loss = loss_fn(model(t_u, *params), t_c)
loss.backward()
print(params.grad)
for epoch in range(1, 101):
    if params.grad is not None:
        params.grad.zero_()
    loss = loss_fn(model(t_un, *params), t_c)
    loss.backward()
    with torch.no_grad():
        params -= 1e-2 * params.grad
print(params, loss)

for opt_cls, lr in ((optim.SGD, 1e-2), (optim.Adam, 1e-1)):
    params = torch.tensor([1.0, 0.0], requires_grad=True)
    optimizer = opt_cls([params], lr=lr)
    for epoch in range(100):
        loss = loss_fn(model(t_un, *params), t_c)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(opt_cls.__name__, params.detach(), float(loss))

torch.manual_seed(0)
n_samples = t_u.shape[0]
n_val = int(0.2 * n_samples)
shuffled_indices = torch.randperm(n_samples)
train_indices, val_indices = shuffled_indices[:-n_val], shuffled_indices[-n_val:]
print(train_indices, val_indices)
train_t_un, val_t_un = t_un[train_indices], t_un[val_indices]
train_t_c, val_t_c = t_c[train_indices], t_c[val_indices]
params = torch.tensor([1.0, 0.0], requires_grad=True)
optimizer = optim.SGD([params], lr=1e-2)
for epoch in range(1, 301):
    train_loss = loss_fn(model(train_t_un, *params), train_t_c)
    with torch.no_grad():
        val_loss = loss_fn(model(val_t_un, *params), val_t_c)
        assert val_loss.requires_grad is False
    optimizer.zero_grad()
    train_loss.backward()
    optimizer.step()
    if epoch in {1, 2, 3, 100, 300}:
        print(f"Epoch {epoch}, Training loss {train_loss.item():.4f}, "
              f"Validation loss {val_loss.item():.4f}")

t_c2, t_un2 = t_c.unsqueeze(1), t_un.unsqueeze(1)
seq_model = nn.Sequential(OrderedDict([
    ("hidden_linear", nn.Linear(1, 8)),
    ("hidden_activation", nn.Tanh()),
    ("output_linear", nn.Linear(8, 1)),
]))
print(seq_model)
print([(name, param.shape) for name, param in seq_model.named_parameters()])
optimizer = optim.SGD(seq_model.parameters(), lr=1e-3)
loss_fn2 = nn.MSELoss()
for epoch in range(1, 101):
    loss = loss_fn2(seq_model(t_un2), t_c2)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if epoch % 50 == 0:
        print(f"Epoch {epoch}, Loss {loss.item():.4f}")
print(seq_model.output_linear.bias, seq_model.hidden_linear.weight.grad[:3])
