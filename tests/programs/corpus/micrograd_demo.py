"""micrograd's demo notebook, run with PyTorch modules: a 2-16-16-1 MLP trained as a binary
classifier on the two-moons data with an SVM "max-margin" loss (relu(1 - y * score)) plus L2
regularization (alpha * sum p*p), accuracy as the share of sign agreements, and SGD with a
learning rate decaying from 1.0 to 0.1 over 100 steps.

Model: https://github.com/karpathy/micrograd/blob/master/demo.ipynb (MIT). Written for
jitgrad's corpus, not copied: micrograd's Value/MLP are replaced by torch tensors and
nn.Linear layers (the notebook's own comparison target). Changes: sklearn's make_moons(100,
noise=0.1) is replaced by a deterministic moons curve with a sin-based wobble; 30 steps.
"""

import math

import torch
import torch.nn as nn

torch.manual_seed(1337)
n = 100
t = torch.linspace(0, math.pi, n // 2)
outer = torch.stack([torch.cos(t), torch.sin(t)], 1)
inner = torch.stack([1 - torch.cos(t), 1 - torch.sin(t) - 0.5], 1)
X = torch.cat([outer, inner]) + 0.1 * torch.sin(torch.arange(n * 2.0).view(n, 2) * 1.7)
y = torch.cat([torch.ones(n // 2), torch.zeros(n // 2)]) * 2 - 1  # make y be -1 or 1

model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 1))
print(model)
print("number of parameters", sum(p.numel() for p in model.parameters()))


def loss(batch_size=None):
    # inline DataLoader :)
    if batch_size is None:
        Xb, yb = X, y
    else:
        ri = torch.randperm(X.shape[0])[:batch_size]
        Xb, yb = X[ri], y[ri]
    inputs = Xb
    # forward the model to get scores
    scores = model(inputs).squeeze(1)
    # svm "max-margin" loss
    losses = (1 + -yb * scores).relu()
    data_loss = losses.sum() * (1.0 / losses.numel())
    # L2 regularization
    alpha = 1e-4
    reg_loss = alpha * sum((p * p).sum() for p in model.parameters())
    total_loss = data_loss + reg_loss
    # also get accuracy
    accuracy = ((yb > 0) == (scores > 0)).float().mean()
    return total_loss, accuracy


total_loss, acc = loss()
print(total_loss, acc)

# optimization
for k in range(30):
    # forward
    total_loss, acc = loss()
    # backward
    model.zero_grad()
    total_loss.backward()
    # update (sgd)
    learning_rate = 1.0 - 0.9 * k / 100
    with torch.no_grad():
        for p in model.parameters():
            p -= learning_rate * p.grad
    if k % 3 == 0:
        print(f"step {k} loss {total_loss.item():.6f}, accuracy {acc.item() * 100:.1f}%")

h = 0.25
x_min, x_max = X[:, 0].min() - 1, X[:, 0].max() + 1
y_min, y_max = X[:, 1].min() - 1, X[:, 1].max() + 1
xx, yy = torch.meshgrid(torch.arange(x_min, x_max, h), torch.arange(y_min, y_max, h), indexing="xy")
Xmesh = torch.stack([xx.ravel(), yy.ravel()], 1)
with torch.no_grad():
    scores = model(Xmesh)
Z = (scores > 0).reshape(xx.shape)
print(xx.shape, Z.float().mean())
