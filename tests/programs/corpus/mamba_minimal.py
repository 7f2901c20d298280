"""Mamba (selective state-space model) in the style of johnma2006's mamba-minimal: a
dataclass ModelArgs with __post_init__ (math.ceil dt_rank, vocab padded to a multiple), a
depthwise causal nn.Conv1d (groups=d_inner, padding=d_conv-1, output sliced [:, :, :l]),
x_and_res.split(split_size=[...], dim=1), F.silu and F.softplus, A_log = log(arange)
as an nn.Parameter, the discretised scan with torch.exp of an einsum and a Python loop
over time steps stacked with torch.stack(..., dim=2), a hand-written RMSNorm with torch.rsqrt,
and weight tying (lm_head.weight = embedding.weight); then a few Adam steps.

Source: https://github.com/johnma2006/mamba-minimal (model.py; Apache 2.0). Written for
jitgrad's corpus after that file's structure, not copied. Changes: einops' rearrange/repeat and
einsum are spelled with transpose/expand/torch.einsum (the corpus has no einops); d_model=8,
2 layers, vocabulary 20 (padded to 24), sequence length 6; no from_pretrained (a download); 4
training steps on random tokens.
"""
# ruff: noqa: UP007  (the original's style, kept)

import math
from dataclasses import dataclass
from typing import Union

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class ModelArgs:
    d_model: int
    n_layer: int
    vocab_size: int
    d_state: int = 4
    expand: int = 2
    dt_rank: Union[int, str] = 'auto'
    d_conv: int = 4
    pad_vocab_size_multiple: int = 8
    conv_bias: bool = True
    bias: bool = False

    def __post_init__(self):
        self.d_inner = int(self.expand * self.d_model)
        if self.dt_rank == 'auto':
            self.dt_rank = math.ceil(self.d_model / 16)
        if self.vocab_size % self.pad_vocab_size_multiple != 0:
            self.vocab_size += (self.pad_vocab_size_multiple
                                - self.vocab_size % self.pad_vocab_size_multiple)


class Mamba(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.args = args
        self.embedding = nn.Embedding(args.vocab_size, args.d_model)
        self.layers = nn.ModuleList([ResidualBlock(args) for _ in range(args.n_layer)])
        self.norm_f = RMSNorm(args.d_model)
        self.lm_head = nn.Linear(args.d_model, args.vocab_size, bias=False)
        self.lm_head.weight = self.embedding.weight

    def forward(self, input_ids):
        x = self.embedding(input_ids)
        for layer in self.layers:
            x = layer(x)
        return self.lm_head(self.norm_f(x))


class ResidualBlock(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.args = args
        self.mixer = MambaBlock(args)
        self.norm = RMSNorm(args.d_model)

    def forward(self, x):
        return self.mixer(self.norm(x)) + x


class MambaBlock(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.args = args
        self.in_proj = nn.Linear(args.d_model, args.d_inner * 2, bias=args.bias)
        self.conv1d = nn.Conv1d(in_channels=args.d_inner, out_channels=args.d_inner,
                                bias=args.conv_bias, kernel_size=args.d_conv,
                                groups=args.d_inner, padding=args.d_conv - 1)
        self.x_proj = nn.Linear(args.d_inner, args.dt_rank + args.d_state * 2, bias=False)
        self.dt_proj = nn.Linear(args.dt_rank, args.d_inner, bias=True)
        A = torch.arange(1, args.d_state + 1).unsqueeze(0).expand(args.d_inner, -1)
        self.A_log = nn.Parameter(torch.log(A))
        self.D = nn.Parameter(torch.ones(args.d_inner))
        self.out_proj = nn.Linear(args.d_inner, args.d_model, bias=args.bias)

    def forward(self, x):
        (b, l, d) = x.shape
        x_and_res = self.in_proj(x).transpose(1, 2)
        (x, res) = x_and_res.split(split_size=[self.args.d_inner, self.args.d_inner], dim=1)
        x = self.conv1d(x)[:, :, :l]
        x = F.silu(x)
        y = self.ssm(x)
        y = y * F.silu(res)
        return self.out_proj(y.transpose(1, 2))

    def ssm(self, x):
        (d_in, n) = self.A_log.shape
        A = -torch.exp(self.A_log.float())
        D = self.D.float()
        x_dbl = self.x_proj(x.transpose(1, 2))
        (delta, B, C) = x_dbl.split(split_size=[self.args.dt_rank, n, n], dim=-1)
        delta = F.softplus(self.dt_proj(delta))
        return self.selective_scan(x, delta, A, B, C, D)

    def selective_scan(self, u, delta, A, B, C, D):
        (b, d_in, l) = u.shape
        n = A.shape[1]
        deltaA = torch.exp(torch.einsum('bld,dn->bdln', delta, A))
        deltaB_u = torch.einsum('bld,bln,bdl->bdln', delta, B, u)
        x = torch.zeros((b, d_in, n))
        ys = []
        for i in range(l):
            x = deltaA[:, :, i] * x + deltaB_u[:, :, i]
            y = torch.einsum('bdn,bn->bd', x, C[:, i, :])
            ys.append(y)
        y = torch.stack(ys, dim=2)
        if D is not None:
            y = y + u * D.unsqueeze(-1)
        return y


class RMSNorm(nn.Module):
    def __init__(self, d_model: int, eps: float = 1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(d_model))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


torch.manual_seed(0)
args = ModelArgs(d_model=8, n_layer=2, vocab_size=20)
print(args)
model = Mamba(args)
print(model.lm_head.weight is model.embedding.weight)
print(sum(p.numel() for p in model.parameters()))
print(model.layers[0].mixer.A_log.dtype, model.layers[0].mixer.A_log[0])
input_ids = torch.randint(0, 20, (3, 6))
logits = model(input_ids)
print(logits.shape, logits[0, 0, :5])
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for step in range(4):
    logits = model(input_ids[:, :-1])
    loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), input_ids[:, 1:].reshape(-1))
    opt.zero_grad()
    loss.backward()
    opt.step()
    print(step, round(loss.item(), 5))
print(model.layers[1].mixer.conv1d.weight.grad.shape, model.layers[1].mixer.D.grad[:3])
