"""Dropout and weight decay (Dive into Deep Learning 4.5-4.6, d2l 0.17 forms): dropout_layer
from scratch (torch.rand(X.shape) > dropout, mask * X / (1.0 - dropout)), an MLP that applies
it only when self.training, the L2 penalty added to the loss by hand, and the concise forms:
nn.Dropout in nn.Sequential and SGD parameter groups with weight_decay on the weights only.

Model: https://d2l.ai/chapter_multilayer-perceptrons/dropout.html and
https://d2l.ai/chapter_linear-regression/weight-decay.html (d2l-ai/d2l-en, code MIT-0).
Written for jitgrad's corpus, not copied. Changes: smaller inputs (20 features, 40 examples),
3 epochs each, the plotting removed.
"""

# ruff: noqa: B007  (the original's style, kept)

import torch
from torch import nn


def dropout_layer(X, dropout):
    assert 0 <= dropout <= 1
    if dropout == 1:
        return torch.zeros_like(X)
    if dropout == 0:
        return X
    mask = (torch.rand(X.shape) > dropout).float()
    return mask * X / (1.0 - dropout)


X = torch.arange(16, dtype=torch.float32).reshape((2, 8))
print(X)
print(dropout_layer(X, 0.0))
print(dropout_layer(X, 0.5))
print(dropout_layer(X, 1.0))

num_inputs, num_outputs, num_hiddens1, num_hiddens2 = 20, 4, 16, 16
dropout1, dropout2 = 0.2, 0.5


class Net(nn.Module):
    def __init__(self, num_inputs, num_outputs, num_hiddens1, num_hiddens2, is_training=True):
        super().__init__()
        self.num_inputs = num_inputs
        self.training = is_training
        self.lin1 = nn.Linear(num_inputs, num_hiddens1)
        self.lin2 = nn.Linear(num_hiddens1, num_hiddens2)
        self.lin3 = nn.Linear(num_hiddens2, num_outputs)
        self.relu = nn.ReLU()

    def forward(self, X):
        H1 = self.relu(self.lin1(X.reshape((-1, self.num_inputs))))
        if self.training:
            H1 = dropout_layer(H1, dropout1)
        H2 = self.relu(self.lin2(H1))
        if self.training:
            H2 = dropout_layer(H2, dropout2)
        out = self.lin3(H2)
        return out


torch.manual_seed(1)
features = torch.randn(40, num_inputs)
labels = features[:, :4].argmax(1)
net = Net(num_inputs, num_outputs, num_hiddens1, num_hiddens2)
loss = nn.CrossEntropyLoss(reduction="none")
trainer = torch.optim.SGD(net.parameters(), lr=0.5)
for epoch in range(3):
    for i in range(0, 40, 10):
        trainer.zero_grad()
        l = loss(net(features[i : i + 10]), labels[i : i + 10])  # noqa: E741
        l.mean().backward()
        trainer.step()
    print("scratch dropout", epoch, round(l.mean().item(), 5))
net.eval()
print((net(features).argmax(1) == labels).float().mean())

net = nn.Sequential(
    nn.Flatten(), nn.Linear(num_inputs, 16), nn.ReLU(), nn.Dropout(dropout1),
    nn.Linear(16, 16), nn.ReLU(), nn.Dropout(dropout2), nn.Linear(16, num_outputs),
)


def init_weights(m):
    if type(m) == nn.Linear:  # noqa: E721
        nn.init.normal_(m.weight, std=0.01)


net.apply(init_weights)
trainer = torch.optim.SGD(net.parameters(), lr=0.5)
for epoch in range(3):
    trainer.zero_grad()
    l = loss(net(features), labels)  # noqa: E741
    l.mean().backward()
    trainer.step()
    print("concise dropout", epoch, round(l.mean().item(), 5))

n_train, num_inputs, batch_size = 20, 200, 5
true_w, true_b = torch.ones((num_inputs, 1)) * 0.01, 0.05
Xw = torch.normal(0, 1, (n_train, num_inputs))
yw = Xw @ true_w + true_b + torch.normal(0, 0.01, (n_train, 1))


def init_params():
    w = torch.normal(0, 1, size=(num_inputs, 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    return [w, b]


def l2_penalty(w):
    return torch.sum(w.pow(2)) / 2


def train(lambd):
    w, b = init_params()
    for epoch in range(3):
        for i in range(0, n_train, batch_size):
            X, y = Xw[i : i + batch_size], yw[i : i + batch_size]
            l = ((X @ w + b - y) ** 2 / 2) + lambd * l2_penalty(w)  # noqa: E741
            l.sum().backward()
            with torch.no_grad():
                for param in (w, b):
                    param -= 0.003 * param.grad / batch_size
                    param.grad.zero_()
    print("L2 norm of w:", torch.norm(w).item())


train(lambd=0)
train(lambd=3)


def train_concise(wd):
    net = nn.Sequential(nn.Linear(num_inputs, 1))
    for param in net.parameters():
        param.data.normal_()
    loss = nn.MSELoss(reduction="none")
    trainer = torch.optim.SGD(
        [{"params": net[0].weight, "weight_decay": wd}, {"params": net[0].bias}], lr=0.003
    )
    for epoch in range(3):
        for i in range(0, n_train, batch_size):
            trainer.zero_grad()
            l = loss(net(Xw[i : i + batch_size]), yw[i : i + batch_size])  # noqa: E741
            l.mean().backward()
            trainer.step()
    print("L2 norm of w:", net[0].weight.norm().item())


train_concise(0)
train_concise(3)
