"""Working with sequences (Dive into Deep Learning 9.1): a sine-with-noise time series, the
autoregressive features of the last tau observations, a 2-layer MLP trained with MSE, one-step
predictions, multistep predictions fed back on themselves, and k-step-ahead predictions for
k = 1, 4, 16 built column by column.

Model: https://d2l.ai/chapter_recurrent-neural-networks/sequence.html (d2l-ai/d2l-en, code
MIT-0). Written for jitgrad's corpus, not copied. Changes: T = 200 points and a deterministic
"noise" (0.2 sin(7 t)) instead of torch.randn; 5 epochs; printed errors in place of plots.
"""

import torch
from torch import nn

T = 200  # Generate a total of 200 points
time = torch.arange(1, T + 1, dtype=torch.float32)
x = torch.sin(0.01 * time * 6) + 0.2 * torch.sin(7.0 * time)
print(x[:5], x.shape)

tau = 4
features = torch.zeros((T - tau, tau))
for i in range(tau):
    features[:, i] = x[i : T - tau + i]
labels = x[tau:].reshape((-1, 1))

batch_size, n_train = 16, 120
# Only the first `n_train` examples are used for training
train_iter = torch.utils.data.DataLoader(
    torch.utils.data.TensorDataset(features[:n_train], labels[:n_train]),
    batch_size=batch_size, shuffle=True,
)  # fmt: skip


# Function for initializing the weights of the network
def init_weights(m):
    if type(m) == nn.Linear:  # noqa: E721 - the book's check
        nn.init.xavier_uniform_(m.weight)


# A simple MLP
def get_net():
    net = nn.Sequential(nn.Linear(4, 10), nn.ReLU(), nn.Linear(10, 1))
    net.apply(init_weights)
    return net


# Note: `MSELoss` computes squared error without the 1/2 factor
loss = nn.MSELoss(reduction="none")


def evaluate_loss(net, data_iter, loss):
    total, n = 0.0, 0
    for X, y in data_iter:
        out = net(X)
        l = loss(out, y)  # noqa: E741 - the book's name
        total += l.sum().item()
        n += l.numel()
    return total / n


def train(net, train_iter, loss, epochs, lr):
    trainer = torch.optim.Adam(net.parameters(), lr)
    for epoch in range(epochs):
        for X, y in train_iter:
            trainer.zero_grad()
            l = loss(net(X), y)  # noqa: E741
            l.sum().backward()
            trainer.step()
        print(f"epoch {epoch + 1}, loss: {evaluate_loss(net, train_iter, loss):f}")


net = get_net()
train(net, train_iter, loss, 5, 0.01)

onestep_preds = net(features)
print(onestep_preds.shape, ((onestep_preds - labels) ** 2).mean())

multistep_preds = torch.zeros(T)
multistep_preds[: n_train + tau] = x[: n_train + tau]
for i in range(n_train + tau, T):
    multistep_preds[i] = net(multistep_preds[i - tau : i].reshape((1, -1)))
print(multistep_preds[n_train + tau :: 20].detach())

max_steps = 16
features = torch.zeros((T - tau - max_steps + 1, tau + max_steps))
# Column `i` (`i` < `tau`) are observations from `x` for time steps from
# `i` to `i + T - tau - max_steps + 1`
for i in range(tau):
    features[:, i] = x[i : i + T - tau - max_steps + 1]

# Column `i` (`i` >= `tau`) are the (`i - tau + 1`)-step-ahead predictions for
# time steps from `i` to `i + T - tau - max_steps + 1`
for i in range(tau, tau + max_steps):
    features[:, i] = net(features[:, i - tau : i]).reshape(-1)

steps = (1, 4, 16)
for i in steps:
    err = ((features[:, tau + i - 1] - x[tau + i - 1 : T - max_steps + i]) ** 2).mean()
    print(f"{i}-step preds mse {err.item():.5f}", features[:3, tau + i - 1].detach())
