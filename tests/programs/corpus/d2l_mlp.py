"""Dive into Deep Learning, sections 5.1 "Multilayer Perceptrons" and 5.2 "Implementation of
Multilayer Perceptrons": the ReLU, sigmoid and tanh activations and their derivatives (backward
with a ones gradient and retain_graph, zeroing x.grad.data between them), then an MLP from
scratch (nn.Parameter weights, relu via torch.max against zeros_like, matmul) and the concise
nn.Sequential with LazyLinear, both trained with minibatch SGD on cross_entropy.

Source: d2l-ai/d2l-en, chapter_multilayer-perceptrons/mlp.md and mlp-implementation.md,
PyTorch tab (CC BY-SA 4.0 text, MIT-0 code; https://d2l.ai/chapter_multilayer-perceptrons/).
Written for jitgrad's corpus after those sections. Changes: d2l's plotting, Trainer and
Fashion-MNIST loader are replaced by prints and a plain loop over a fixed random dataset
(torch.randn/randint, fed the same draws under both libraries).
"""

import torch
from torch import nn
from torch.nn import functional as F

# 5.1: activation functions and their gradients
x = torch.arange(-8.0, 8.0, 0.1, requires_grad=True)
y = torch.relu(x)
y.backward(torch.ones_like(x), retain_graph=True)
print(y[75:85].detach(), x.grad[75:85])

y = torch.sigmoid(x)
# Clear out previous gradients
x.grad.data.zero_()
y.backward(torch.ones_like(x), retain_graph=True)
print(y[::20].detach(), x.grad[::20])

y = torch.tanh(x)
x.grad.data.zero_()
y.backward(torch.ones_like(x), retain_graph=True)
print(y[::20].detach(), x.grad[::20])


# 5.2: from scratch
class MLPScratch(nn.Module):
    def __init__(self, num_inputs, num_outputs, num_hiddens, lr, sigma=0.01):
        super().__init__()
        self.num_inputs, self.lr = num_inputs, lr
        self.W1 = nn.Parameter(torch.randn(num_inputs, num_hiddens) * sigma)
        self.b1 = nn.Parameter(torch.zeros(num_hiddens))
        self.W2 = nn.Parameter(torch.randn(num_hiddens, num_outputs) * sigma)
        self.b2 = nn.Parameter(torch.zeros(num_outputs))

    def forward(self, X):
        X = X.reshape((-1, self.num_inputs))
        H = relu(torch.matmul(X, self.W1) + self.b1)
        return torch.matmul(H, self.W2) + self.b2


def relu(X):
    a = torch.zeros_like(X)
    return torch.max(X, a)


def accuracy(Y_hat, Y):
    preds = Y_hat.reshape((-1, Y_hat.shape[-1])).argmax(axis=1).type(Y.dtype)
    compare = (preds == Y.reshape(-1)).type(torch.float32)
    return compare.mean()


X_all = torch.randn(256, 1, 8, 8)
Y_all = torch.randint(0, 10, (256,))


def fit(model, optim, epochs=3, batch_size=64):
    for epoch in range(epochs):
        for i in range(0, len(X_all), batch_size):
            X, Y = X_all[i : i + batch_size], Y_all[i : i + batch_size]
            loss = F.cross_entropy(model(X), Y, reduction="mean")
            optim.zero_grad()
            with torch.no_grad():
                loss.backward()
                optim.step()
        with torch.no_grad():
            Y_hat = model(X_all)
            print(epoch, round(F.cross_entropy(Y_hat, Y_all).item(), 5), accuracy(Y_hat, Y_all))


model = MLPScratch(num_inputs=64, num_outputs=10, num_hiddens=32, lr=0.1)
fit(model, torch.optim.SGD(model.parameters(), lr=model.lr))
print([tuple(p.shape) for p in model.parameters()])


# 5.2: concise
class MLP(nn.Module):
    def __init__(self, num_outputs, num_hiddens, lr):
        super().__init__()
        self.lr = lr
        self.net = nn.Sequential(
            nn.Flatten(), nn.LazyLinear(num_hiddens), nn.ReLU(), nn.LazyLinear(num_outputs)
        )

    def forward(self, X):
        return self.net(X)


model = MLP(num_outputs=10, num_hiddens=32, lr=0.1)
model(X_all[:1])  # materialize the lazy layers
print(model)
fit(model, torch.optim.SGD(model.parameters(), lr=model.lr))
