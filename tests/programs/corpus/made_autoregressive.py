"""MADE (Masked Autoencoder for Distribution Estimation) in the style of Andrej Karpathy's
pytorch-made: a MaskedLinear subclass of nn.Linear holding its mask as a registered buffer that
set_mask fills with self.mask.data.copy_(torch.from_numpy(mask.astype(np.uint8).T)) (a uint8
copy into float32), F.linear with mask * weight, connectivity drawn with numpy's RandomState,
net.modules() filtered by isinstance, torch.autograd.Variable(..., requires_grad=True), and
the autoregressive property checked by backpropagating each output and reading x.grad.numpy().

Source: https://github.com/karpathy/pytorch-made (made.py; MIT licence). Written for jitgrad's
corpus after that file's structure, not copied. Changes: D=6 inputs and hidden sizes [12],
[12, 14] instead of 10 and 200-230; a few Adam steps on a binary toy set added (the
repository's run.py loop, with BCE-with-logits summed) with mask cycling (num_masks=2).
"""
# ruff: noqa: B007, E402, E701, UP031  (the original's style, kept)

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class MaskedLinear(nn.Linear):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__(in_features, out_features, bias)
        self.register_buffer('mask', torch.ones(out_features, in_features))

    def set_mask(self, mask):
        self.mask.data.copy_(torch.from_numpy(mask.astype(np.uint8).T))

    def forward(self, input):
        return F.linear(input, self.mask * self.weight, self.bias)


class MADE(nn.Module):
    def __init__(self, nin, hidden_sizes, nout, num_masks=1, natural_ordering=False):
        super().__init__()
        self.nin = nin
        self.hidden_sizes = hidden_sizes
        self.net = []
        hs = [nin] + hidden_sizes + [nout]
        for h0, h1 in zip(hs, hs[1:]):
            self.net.extend([MaskedLinear(h0, h1), nn.ReLU()])
        self.net.pop()
        self.net = nn.Sequential(*self.net)
        self.natural_ordering = natural_ordering
        self.num_masks = num_masks
        self.seed = 0
        self.m = {}
        self.update_masks()

    def update_masks(self):
        if self.m and self.num_masks == 1: return
        L = len(self.hidden_sizes)
        rng = np.random.RandomState(self.seed)
        self.seed = (self.seed + 1) % self.num_masks
        self.m[-1] = np.arange(self.nin) if self.natural_ordering else rng.permutation(self.nin)
        for l in range(L):
            self.m[l] = rng.randint(self.m[l - 1].min(), self.nin - 1, size=self.hidden_sizes[l])
        masks = [self.m[l - 1][:, None] <= self.m[l][None, :] for l in range(L)]
        masks.append(self.m[L - 1][:, None] < self.m[-1][None, :])
        layers = [l for l in self.net.modules() if isinstance(l, MaskedLinear)]
        for l, m in zip(layers, masks):
            l.set_mask(m)

    def forward(self, x):
        return self.net(x)


from torch.autograd import Variable

torch.manual_seed(0)
D = 6
rng = np.random.RandomState(14)
x = (rng.rand(1, D) > 0.5).astype(np.float32)
for natural in [True, False]:
    for hiddens in [[12], [12, 14]]:
        print("checking hiddens %s with natural = %s" % (hiddens, natural))
        model = MADE(D, hiddens, D, natural_ordering=natural)
        res = []
        for k in range(D):
            xtr = Variable(torch.from_numpy(x), requires_grad=True)
            xtrhat = model(xtr)
            loss = xtrhat[0, k]
            loss.backward()
            depends = (xtr.grad[0].numpy() != 0).astype(np.uint8)
            depends_ix = list(np.where(depends)[0])
            isok = k not in depends_ix
            res.append((len(depends_ix), k, depends_ix, isok))
        res.sort()
        for nl, k, ix, isok in res:
            print("output %d depends on inputs: %30s : %s" % (k, ix, "OK" if isok else "NOTOK"))

data = (torch.rand(64, D) > 0.5).float()
model = MADE(D, [16, 16], D, num_masks=2)
print(model.net[0].mask.dtype, model.net[0].mask.sum().item())
opt = torch.optim.Adam(model.parameters(), lr=1e-2, weight_decay=1e-4)
for epoch in range(4):
    model.update_masks()
    logits = model(data)
    loss = F.binary_cross_entropy_with_logits(logits, data, reduction='sum') / data.size(0)
    opt.zero_grad()
    loss.backward()
    opt.step()
    print("epoch %d loss %.5f" % (epoch, loss.item()))
