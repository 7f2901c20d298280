"""Self-supervised losses on two augmented views: Barlow Twins' cross-correlation loss with
its ``off_diagonal`` view trick, VICReg's variance/invariance/covariance terms, and BYOL's
predictor with an exponential-moving-average target network updated under ``no_grad``.

Models: https://github.com/facebookresearch/barlowtwins (main.py: BarlowTwins, off_diagonal),
https://github.com/facebookresearch/vicreg (main_vicreg.py: VICReg.forward, off_diagonal),
https://github.com/lucidrains/byol-pytorch (loss_fn, EMA update_moving_average); MIT /
Apache-2.0. Written for jitgrad's corpus, not copied. Changes: an MLP on 16-dim synthetic
inputs replaces the ResNet backbones; views are noise and feature masks; a few SGD steps.
"""

import copy

import torch
import torch.nn as nn
import torch.nn.functional as F


def off_diagonal(x):
    # return a flattened view of the off-diagonal elements of a square matrix
    n, m = x.shape
    assert n == m
    return x.flatten()[:-1].view(n - 1, n + 1)[:, 1:].flatten()


class BarlowTwins(nn.Module):
    def __init__(self, dim=16, proj=(32, 32), lambd=0.0051):
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(dim, 24), nn.ReLU())
        sizes = [24] + list(proj)
        layers = []
        for i in range(len(sizes) - 2):
            layers.append(nn.Linear(sizes[i], sizes[i + 1], bias=False))
            layers.append(nn.BatchNorm1d(sizes[i + 1]))
            layers.append(nn.ReLU(inplace=True))
        layers.append(nn.Linear(sizes[-2], sizes[-1], bias=False))
        self.projector = nn.Sequential(*layers)
        self.bn = nn.BatchNorm1d(sizes[-1], affine=False)
        self.lambd = lambd

    def forward(self, y1, y2):
        z1 = self.projector(self.backbone(y1))
        z2 = self.projector(self.backbone(y2))
        c = self.bn(z1).T @ self.bn(z2)
        c.div_(y1.shape[0])
        on_diag = torch.diagonal(c).add_(-1).pow_(2).sum()
        off_diag = off_diagonal(c).pow_(2).sum()
        loss = on_diag + self.lambd * off_diag
        return loss, on_diag, off_diag


def vicreg_loss(x, y, sim_coeff=25.0, std_coeff=25.0, cov_coeff=1.0):
    repr_loss = F.mse_loss(x, y)
    x = x - x.mean(dim=0)
    y = y - y.mean(dim=0)
    std_x = torch.sqrt(x.var(dim=0) + 0.0001)
    std_y = torch.sqrt(y.var(dim=0) + 0.0001)
    std_loss = torch.mean(F.relu(1 - std_x)) / 2 + torch.mean(F.relu(1 - std_y)) / 2
    batch_size, num_features = x.shape
    cov_x = (x.T @ x) / (batch_size - 1)
    cov_y = (y.T @ y) / (batch_size - 1)
    cov_loss = off_diagonal(cov_x).pow_(2).sum().div(num_features) + off_diagonal(cov_y).pow_(
        2
    ).sum().div(num_features)
    loss = sim_coeff * repr_loss + std_coeff * std_loss + cov_coeff * cov_loss
    return loss, repr_loss, std_loss, cov_loss


def byol_loss_fn(x, y):
    x = F.normalize(x, dim=-1, p=2)
    y = F.normalize(y, dim=-1, p=2)
    return 2 - 2 * (x * y).sum(dim=-1)


class EMA:
    def __init__(self, beta):
        super().__init__()
        self.beta = beta

    def update_average(self, old, new):
        if old is None:
            return new
        return old * self.beta + (1 - self.beta) * new


def update_moving_average(ema_updater, ma_model, current_model):
    for current_params, ma_params in zip(current_model.parameters(), ma_model.parameters()):
        old_weight, up_weight = ma_params.data, current_params.data
        ma_params.data = ema_updater.update_average(old_weight, up_weight)


torch.manual_seed(0)
x = torch.randn(32, 16)


def views(x, step):
    g = torch.Generator().manual_seed(100 + step)
    v1 = x + 0.1 * torch.randn(x.shape, generator=g)
    mask = (torch.rand(x.shape, generator=g) > 0.2).float()
    v2 = x * mask
    return v1, v2


x_sq = torch.arange(16.0).reshape(4, 4)
print(off_diagonal(x_sq))
print(off_diagonal(x_sq).shape, off_diagonal(x_sq)._base is x_sq)

bt = BarlowTwins()
opt = torch.optim.SGD(bt.parameters(), lr=0.05, momentum=0.9)
for step in range(4):
    v1, v2 = views(x, step)
    loss, on_d, off_d = bt(v1, v2)
    opt.zero_grad()
    loss.backward()
    opt.step()
    print(f"barlow step {step}: loss {loss.item():.5f} on {on_d.item():.5f} off {off_d.item():.5f}")
print(bt.bn.running_mean[:4], bt.bn.num_batches_tracked)

enc = nn.Sequential(nn.Linear(16, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Linear(32, 24))
opt = torch.optim.Adam(enc.parameters(), lr=1e-3)
for step in range(4):
    v1, v2 = views(x, step)
    loss, r, s, c = vicreg_loss(enc(v1), enc(v2))
    opt.zero_grad()
    loss.backward()
    opt.step()
    parts = f"repr {r.item():.5f} std {s.item():.5f} cov {c.item():.5f}"
    print(f"vicreg step {step}: {loss.item():.5f} {parts}")

online = nn.Sequential(nn.Linear(16, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Linear(32, 8))
predictor = nn.Sequential(nn.Linear(8, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, 8))
target = copy.deepcopy(online)
for p in target.parameters():
    p.requires_grad = False
ema = EMA(0.99)
opt = torch.optim.SGD(list(online.parameters()) + list(predictor.parameters()), lr=0.1)
for step in range(4):
    v1, v2 = views(x, step)
    p1, p2 = predictor(online(v1)), predictor(online(v2))
    with torch.no_grad():
        t1, t2 = target(v1), target(v2)
        t1.detach_()
        t2.detach_()
    loss = (byol_loss_fn(p1, t2.detach()) + byol_loss_fn(p2, t1.detach())).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    update_moving_average(ema, target, online)
    print(f"byol step {step}: {loss.item():.6f}")
print(sum(p.sum() for p in target.parameters()).item(), target[0].weight.requires_grad)
pairs = zip(online.parameters(), target.parameters())
print([round((a - b).abs().max().item(), 6) for a, b in pairs])
