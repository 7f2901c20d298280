"""makemore part 3 (activations, gradients, BatchNorm): hand-written Linear / BatchNorm1d / Tanh
classes with __call__ and parameters(), kaiming-style scaling of the weights (/ fan_in**0.5,
5/3 gain on the last tanh layers), the last layer made less confident, out.retain_grad() on
every layer's output, running mean/var updated under torch.no_grad(), and the statistics the
lecture prints (activation saturation, gradient std, update-to-data ratios).

Model: https://github.com/karpathy/nn-zero-to-hero/blob/master/lectures/makemore/
makemore_part3_bn.ipynb (MIT). Written for jitgrad's corpus, not copied. Changes: synthetic
contexts of 27 characters, n_hidden 16, 3 hidden layers, 20 steps.
"""

# ruff: noqa: B007, UP031  (the original's style, kept)

import torch
import torch.nn.functional as F

torch.manual_seed(0)
vocab_size, block_size = 27, 3
Xtr = torch.randint(0, vocab_size, (200, block_size))
Ytr = (Xtr.sum(1) * 7) % vocab_size


class Linear:
    def __init__(self, fan_in, fan_out, bias=True):
        self.weight = torch.randn((fan_in, fan_out), generator=g) / fan_in**0.5
        self.bias = torch.zeros(fan_out) if bias else None

    def __call__(self, x):
        self.out = x @ self.weight
        if self.bias is not None:
            self.out += self.bias
        return self.out

    def parameters(self):
        return [self.weight] + ([] if self.bias is None else [self.bias])


class BatchNorm1d:
    def __init__(self, dim, eps=1e-5, momentum=0.1):
        self.eps = eps
        self.momentum = momentum
        self.training = True
        self.gamma = torch.ones(dim)
        self.beta = torch.zeros(dim)
        self.running_mean = torch.zeros(dim)
        self.running_var = torch.ones(dim)

    def __call__(self, x):
        if self.training:
            xmean = x.mean(0, keepdim=True)
            xvar = x.var(0, keepdim=True)
        else:
            xmean = self.running_mean
            xvar = self.running_var
        xhat = (x - xmean) / torch.sqrt(xvar + self.eps)
        self.out = self.gamma * xhat + self.beta
        if self.training:
            with torch.no_grad():
                self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * xmean
                self.running_var = (1 - self.momentum) * self.running_var + self.momentum * xvar
        return self.out

    def parameters(self):
        return [self.gamma, self.beta]


class Tanh:
    def __call__(self, x):
        self.out = torch.tanh(x)
        return self.out

    def parameters(self):
        return []


n_embd, n_hidden = 10, 16
g = torch.Generator().manual_seed(2147483647)
C = torch.randn((vocab_size, n_embd), generator=g)
layers = [
    Linear(n_embd * block_size, n_hidden, bias=False), BatchNorm1d(n_hidden), Tanh(),
    Linear(n_hidden, n_hidden, bias=False), BatchNorm1d(n_hidden), Tanh(),
    Linear(n_hidden, n_hidden, bias=False), BatchNorm1d(n_hidden), Tanh(),
    Linear(n_hidden, vocab_size, bias=False), BatchNorm1d(vocab_size),
]
with torch.no_grad():
    layers[-1].gamma *= 0.1
    for layer in layers[:-1]:
        if isinstance(layer, Linear):
            layer.weight *= 5 / 3
parameters = [C] + [p for layer in layers for p in layer.parameters()]
print(sum(p.nelement() for p in parameters))
for p in parameters:
    p.requires_grad = True
ud = []
for i in range(20):
    ix = torch.randint(0, Xtr.shape[0], (32,), generator=g)
    Xb, Yb = Xtr[ix], Ytr[ix]
    emb = C[Xb]
    x = emb.view(emb.shape[0], -1)
    for layer in layers:
        x = layer(x)
    loss = F.cross_entropy(x, Yb)
    for layer in layers:
        layer.out.retain_grad()
    for p in parameters:
        p.grad = None
    loss.backward()
    lr = 0.1
    for p in parameters:
        p.data += -lr * p.grad
    if i % 10 == 0:
        print(f"{i:7d}/{20:7d}: {loss.item():.4f}")
    with torch.no_grad():
        ud.append([((lr * p.grad).std() / p.data.std()).log10().item() for p in parameters])
for i, layer in enumerate(layers[:-1]):
    if isinstance(layer, Tanh):
        t = layer.out
        print("layer %d (%10s): mean %+.2f, std %.2f, saturated: %.2f%%" % (
            i, layer.__class__.__name__, t.mean(), t.std(), (t.abs() > 0.97).float().mean() * 100))
for i, layer in enumerate(layers[:-1]):
    if isinstance(layer, Tanh):
        t = layer.out.grad
        print("layer %d (%10s): mean %+f, std %e" % (
            i, layer.__class__.__name__, t.mean(), t.std()))
for i, p in enumerate(parameters):
    if p.ndim == 2:
        print("weight %10s | mean %+f | std %e | grad:data ratio %e" % (
            tuple(p.shape), p.grad.mean(), p.grad.std(), p.grad.std() / p.std()))
print([round(v, 3) for v in ud[-1][:3]])
for layer in layers:
    layer.training = False
with torch.no_grad():
    x = C[Xtr].view(Xtr.shape[0], -1)
    for layer in layers:
        x = layer(x)
    print("train", F.cross_entropy(x, Ytr).item())
