"""Glow's flow steps (Kingma and Dhariwal 2018) as in rosinality's glow-pytorch: ActNorm with
data-dependent initialisation, the invertible 1x1 convolution in its LU-decomposed form (the
weight rebuilt from P, L, U and log|s| each call), an affine coupling with a zero-initialised
last convolution, their log-determinants, and the reverse pass reconstructing the input.

Model: https://github.com/rosinality/glow-pytorch (model.py: ActNorm, InvConv2dLU,
ZeroConv2d, AffineCoupling, Flow), MIT. Written for jitgrad's corpus, not copied. Changes:
``torch.linalg.lu`` replaces scipy.linalg.lu for the initial decomposition, a 4-channel 6x6
input, three SGD steps on the negative log-likelihood under a standard normal.
"""

import math

import torch
from torch import nn
from torch.nn import functional as F

logabs = lambda x: torch.log(torch.abs(x))  # noqa: E731


class ActNorm(nn.Module):
    def __init__(self, in_channel, logdet=True):
        super().__init__()
        self.loc = nn.Parameter(torch.zeros(1, in_channel, 1, 1))
        self.scale = nn.Parameter(torch.ones(1, in_channel, 1, 1))
        self.register_buffer("initialized", torch.tensor(0, dtype=torch.uint8))
        self.logdet = logdet

    def initialize(self, input):
        with torch.no_grad():
            flatten = input.permute(1, 0, 2, 3).contiguous().view(input.shape[1], -1)
            mean = flatten.mean(1).unsqueeze(1).unsqueeze(2).unsqueeze(3).permute(1, 0, 2, 3)
            std = flatten.std(1).unsqueeze(1).unsqueeze(2).unsqueeze(3).permute(1, 0, 2, 3)
            self.loc.data.copy_(-mean)
            self.scale.data.copy_(1 / (std + 1e-6))

    def forward(self, input):
        _, _, height, width = input.shape
        if self.initialized.item() == 0:
            self.initialize(input)
            self.initialized.fill_(1)
        log_abs = logabs(self.scale)
        logdet = height * width * torch.sum(log_abs)
        return self.scale * (input + self.loc), logdet

    def reverse(self, output):
        return output / self.scale - self.loc


class InvConv2dLU(nn.Module):
    def __init__(self, in_channel):
        super().__init__()
        weight = torch.randn(in_channel, in_channel)
        q, _ = torch.linalg.qr(weight)
        w_p, w_l, w_u = torch.linalg.lu(q)
        w_s = torch.diag(w_u)
        w_u = torch.triu(w_u, 1)
        u_mask = torch.triu(torch.ones_like(w_u), 1)
        l_mask = u_mask.T
        self.register_buffer("w_p", w_p)
        self.register_buffer("u_mask", u_mask)
        self.register_buffer("l_mask", l_mask)
        self.register_buffer("s_sign", torch.sign(w_s))
        self.register_buffer("l_eye", torch.eye(l_mask.shape[0]))
        self.w_l = nn.Parameter(w_l)
        self.w_s = nn.Parameter(logabs(w_s))
        self.w_u = nn.Parameter(w_u)

    def forward(self, input):
        _, _, height, width = input.shape
        weight = self.calc_weight()
        out = F.conv2d(input, weight)
        logdet = height * width * torch.sum(self.w_s)
        return out, logdet

    def calc_weight(self):
        weight = (
            self.w_p
            @ (self.w_l * self.l_mask + self.l_eye)
            @ ((self.w_u * self.u_mask) + torch.diag(self.s_sign * torch.exp(self.w_s)))
        )
        return weight.unsqueeze(2).unsqueeze(3)

    def reverse(self, output):
        weight = self.calc_weight()
        return F.conv2d(output, weight.squeeze().inverse().unsqueeze(2).unsqueeze(3))


class ZeroConv2d(nn.Module):
    def __init__(self, in_channel, out_channel):
        super().__init__()
        self.conv = nn.Conv2d(in_channel, out_channel, 3, padding=0)
        self.conv.weight.data.zero_()
        self.conv.bias.data.zero_()
        self.scale = nn.Parameter(torch.zeros(1, out_channel, 1, 1))

    def forward(self, input):
        out = F.pad(input, [1, 1, 1, 1], value=1)
        out = self.conv(out)
        return out * torch.exp(self.scale * 3)


class AffineCoupling(nn.Module):
    def __init__(self, in_channel, filter_size=8):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(in_channel // 2, filter_size, 3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(filter_size, filter_size, 1),
            nn.ReLU(inplace=True),
            ZeroConv2d(filter_size, in_channel),
        )
        self.net[0].weight.data.normal_(0, 0.05)
        self.net[0].bias.data.zero_()
        self.net[2].weight.data.normal_(0, 0.05)
        self.net[2].bias.data.zero_()

    def forward(self, input):
        in_a, in_b = input.chunk(2, 1)
        log_s, t = self.net(in_a).chunk(2, 1)
        s = F.sigmoid(log_s + 2)
        out_b = (in_b + t) * s
        logdet = torch.sum(torch.log(s).view(input.shape[0], -1), 1)
        return torch.cat([in_a, out_b], 1), logdet

    def reverse(self, output):
        out_a, out_b = output.chunk(2, 1)
        log_s, t = self.net(out_a).chunk(2, 1)
        s = F.sigmoid(log_s + 2)
        in_b = out_b / s - t
        return torch.cat([out_a, in_b], 1)


class Flow(nn.Module):
    def __init__(self, in_channel):
        super().__init__()
        self.actnorm = ActNorm(in_channel)
        self.invconv = InvConv2dLU(in_channel)
        self.coupling = AffineCoupling(in_channel)

    def forward(self, input):
        out, logdet = self.actnorm(input)
        out, det1 = self.invconv(out)
        out, det2 = self.coupling(out)
        logdet = logdet + det1
        if det2 is not None:
            logdet = logdet + det2
        return out, logdet

    def reverse(self, output):
        input = self.coupling.reverse(output)
        input = self.invconv.reverse(input)
        return self.actnorm.reverse(input)


torch.manual_seed(0)
a = torch.tensor([[0.0, 2.0, 1.0], [4.0, 1.0, 3.0], [2.0, 5.0, 1.0]])
P, L, U = torch.linalg.lu(a)
print(P, L, U, sep="\n")
print(torch.dist(P @ L @ U, a).item() < 1e-5)
LU, piv = torch.linalg.lu_factor(a)
print(LU, piv)
P2, L2, U2 = torch.lu_unpack(LU, piv)
print(torch.allclose(P2, P), torch.allclose(L2, L), torch.allclose(U2, U))
print(torch.linalg.lu_solve(LU, piv, torch.tensor([[1.0], [2.0], [3.0]])).flatten())

flows = nn.ModuleList([Flow(4) for _ in range(2)])
x = torch.randn(3, 4, 6, 6) * 0.5 + 0.2
print(flows[0].invconv.w_p, flows[0].invconv.s_sign)
opt = torch.optim.SGD(flows.parameters(), lr=0.05)
for step in range(3):
    out, logdet = x, 0
    for flow in flows:
        out, det = flow(out)
        logdet = logdet + det
    log_p = (-0.5 * (out**2 + math.log(2 * math.pi))).view(3, -1).sum(1)
    loss = -(log_p + logdet).mean() / (4 * 36)
    opt.zero_grad()
    loss.backward()
    opt.step()
    print(f"step {step}: nll per dim {loss.item():.5f} logdet {logdet.mean().item():.4f}")
print(flows[0].actnorm.initialized, flows[0].actnorm.loc.flatten())
with torch.no_grad():
    out = x
    for flow in flows:
        out, _ = flow(out)
    back = out
    for flow in reversed(flows):
        back = flow.reverse(back)
    print("reconstruction error", (back - x).abs().max().item() < 1e-4)
    w = flows[1].invconv.calc_weight().squeeze()
    print(torch.slogdet(w).logabsdet.item(), flows[1].invconv.w_s.sum().item())
