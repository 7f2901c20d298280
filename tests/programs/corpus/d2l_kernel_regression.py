"""Attention pooling by similarity (Dive into Deep Learning 11.2): Nadaraya-Watson kernel
regression with Gaussian, boxcar and constant kernels, the attention weights as a softmax of
negative squared distances, widths of the Gaussian kernel, and a parametric version whose
width w is learned with SGD through torch.bmm of the attention weights.

Model: https://d2l.ai/chapter_attention-mechanisms-and-transformers/attention-pooling.html
(and the d2l 0.17 "Nadaraya-Watson Kernel Regression" section with its NWKernelRegression
module), d2l-ai/d2l-en, code MIT-0. Written for jitgrad's corpus, not copied. Changes: the
training noise is a fixed 0.3 sin(13 x) instead of torch.normal; plots become printed values.
"""

import torch
from torch import nn


# Define some kernels
def gaussian(x):
    return torch.exp(-(x**2) / 2)


def boxcar(x):
    return torch.abs(x) < 1.0


def constant(x):
    return 1.0 + 0 * x


def epanechikov(x):
    return torch.max(1 - torch.abs(x), torch.zeros_like(x))


kernels = (gaussian, boxcar, constant, epanechikov)
names = ("Gaussian", "Boxcar", "Constant", "Epanechikov")
x = torch.arange(-2.5, 2.5, 0.5)
for kernel, name in zip(kernels, names):
    print(name, kernel(x).float())


def f(x):
    return 2 * torch.sin(x) + x


n = 40
x_train, _ = torch.sort(torch.linspace(0, 5, n) + 0.05 * torch.cos(torch.arange(n) * 2.3))
y_train = f(x_train) + 0.3 * torch.sin(13 * x_train)
x_val = torch.arange(0, 5, 0.1)
y_val = f(x_val)


def nadaraya_watson(x_train, y_train, x_val, kernel):
    dists = x_train.reshape((-1, 1)) - x_val.reshape((1, -1))
    # Each column/row corresponds to each query/key
    k = kernel(dists).type(torch.float32)
    # Normalization over keys for each query
    attention_w = k / k.sum(0)
    y_hat = y_train @ attention_w
    return y_hat, attention_w


for kernel, name in zip(kernels, names):
    y_hat, attention_w = nadaraya_watson(x_train, y_train, x_val, kernel)
    print(name, ((y_hat - y_val) ** 2).mean(), attention_w.sum(0)[:3], attention_w[:2, :2])

sigmas = (0.1, 0.2, 0.5, 1)


def gaussian_with_width(sigma):
    return lambda x: torch.exp(-(x**2) / (2 * sigma**2))


for sigma in sigmas:
    y_hat, _ = nadaraya_watson(x_train, y_train, x_val, gaussian_with_width(sigma))
    print(sigma, ((y_hat - y_val) ** 2).mean())


class NWKernelRegression(nn.Module):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.w = nn.Parameter(torch.ones((1,)) * 0.5)

    def forward(self, queries, keys, values):
        # Shape of the output `queries` and `attention_weights`:
        # (no. of queries, no. of key-value pairs)
        queries = queries.repeat_interleave(keys.shape[1]).reshape((-1, keys.shape[1]))
        self.attention_weights = nn.functional.softmax(-((queries - keys) * self.w) ** 2 / 2, dim=1)
        # Shape of `values`: (no. of queries, no. of key-value pairs)
        return torch.bmm(self.attention_weights.unsqueeze(1), values.unsqueeze(-1)).reshape(-1)


# Shape of `X_tile`: (`n_train`, `n_train`), where each column contains the
# same training inputs
X_tile = x_train.repeat((n, 1))
# Shape of `Y_tile`: (`n_train`, `n_train`), where each column contains the
# same training outputs
Y_tile = y_train.repeat((n, 1))
# Shape of `keys`: ('n_train', 'n_train' - 1)
keys = X_tile[(1 - torch.eye(n)).type(torch.bool)].reshape((n, -1))
# Shape of `values`: ('n_train', 'n_train' - 1)
values = Y_tile[(1 - torch.eye(n)).type(torch.bool)].reshape((n, -1))

net = NWKernelRegression()
loss = nn.MSELoss(reduction="none")
trainer = torch.optim.SGD(net.parameters(), lr=0.5)

for epoch in range(5):
    trainer.zero_grad()
    l = loss(net(x_train, keys, values), y_train)  # noqa: E741 - the book's name
    l.sum().backward()
    trainer.step()
    print(f"epoch {epoch + 1}, loss {float(l.sum()):.6f}, w {net.w.item():.4f}")

# Shape of `keys`: (`n_test`, `n_train`), where each column contains the same
# training inputs (i.e., same keys)
keys = x_train.repeat((len(x_val), 1))
# Shape of `value`: (`n_test`, `n_train`)
values = y_train.repeat((len(x_val), 1))
y_hat = net(x_val, keys, values).unsqueeze(1).detach()
print(y_hat[::10].reshape(-1), net.attention_weights.shape, net.attention_weights[0, :4])
