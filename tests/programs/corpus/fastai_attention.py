"""fast.ai course22p2 (Practical Deep Learning part 2), notebook 27_attention.ipynb: self-attention
over the pixels of a feature map written from scratch (GroupNorm, three Linears, scaled
``q@k^T`` and a softmax, a residual), the fused-qkv version with ``torch.chunk`` and
BatchNorm2d, multi-head attention by moving the heads into the batch, and
``nn.MultiheadAttention`` on the same sequence.

Source: https://github.com/fastai/course22p2/blob/master/nbs/27_attention.ipynb (Apache-2.0).
Written for jitgrad's corpus from that notebook's code cells. Changes: a batch of 4 maps of
4x4 pixels (source 64 of 16x16); ``set_seed`` is ``torch.manual_seed``; the diffusers
AttentionBlock comparison is left out (another library); einops' ``rearrange`` is written with
the notebook's own ``heads_to_batch``/``batch_to_heads``; echoed expressions are printed,
and a backward through the multi-head block prints its gradient norms.
"""
# ruff: noqa: E402  (the original's style, kept)
import math

import torch
from torch import nn

torch.manual_seed(42)
torch.set_printoptions(precision=4, linewidth=140, sci_mode=False)
x = torch.randn(4, 32, 4, 4)

t = x.view(*x.shape[:2], -1).transpose(1, 2)
print(t.shape)
ni = 32
sk = nn.Linear(ni, ni)
sq = nn.Linear(ni, ni)
sv = nn.Linear(ni, ni)
k = sk(t)
q = sq(t)
v = sv(t)
print((q @ k.transpose(1, 2)).shape)


class SelfAttention(nn.Module):
    def __init__(self, ni):
        super().__init__()
        self.scale = math.sqrt(ni)
        self.norm = nn.GroupNorm(1, ni)
        self.q = nn.Linear(ni, ni)
        self.k = nn.Linear(ni, ni)
        self.v = nn.Linear(ni, ni)
        self.proj = nn.Linear(ni, ni)

    def forward(self, x):
        inp = x
        n, c, h, w = x.shape
        x = self.norm(x)
        x = x.view(n, c, -1).transpose(1, 2)
        q = self.q(x)
        k = self.k(x)
        v = self.v(x)
        s = (q @ k.transpose(1, 2)) / self.scale
        x = s.softmax(dim=-1) @ v
        x = self.proj(x)
        x = x.transpose(1, 2).reshape(n, c, h, w)
        return x + inp


sa = SelfAttention(32)
ra = sa(x)
print(ra.shape)
print(ra[0, 0, 0])

sqkv = nn.Linear(ni, ni * 3)
st = sqkv(t)
print(st.shape)
q, k, v = torch.chunk(st, 3, dim=-1)
print(q.shape)
print((k @ q.transpose(1, 2)).shape)


class SelfAttention(nn.Module):
    def __init__(self, ni):
        super().__init__()
        self.scale = math.sqrt(ni)
        self.norm = nn.BatchNorm2d(ni)
        self.qkv = nn.Linear(ni, ni * 3)
        self.proj = nn.Linear(ni, ni)

    def forward(self, inp):
        n, c, h, w = inp.shape
        x = self.norm(inp).view(n, c, -1).transpose(1, 2)
        q, k, v = torch.chunk(self.qkv(x), 3, dim=-1)
        s = (q @ k.transpose(1, 2)) / self.scale
        x = s.softmax(dim=-1) @ v
        x = self.proj(x).transpose(1, 2).reshape(n, c, h, w)
        return x + inp


sa = SelfAttention(32)
print(sa(x).shape)
print(sa(x).std())


def heads_to_batch(x, heads):
    n, sl, d = x.shape
    x = x.reshape(n, sl, heads, -1)
    return x.transpose(2, 1).reshape(n * heads, sl, -1)


def batch_to_heads(x, heads):
    n, sl, d = x.shape
    x = x.reshape(-1, heads, sl, d)
    return x.transpose(2, 1).reshape(-1, sl, d * heads)


t2 = heads_to_batch(t, 8)
print(t.shape, t2.shape)
t3 = batch_to_heads(t2, 8)
print(t2.shape, t3.shape)
print((t == t3).all())


class SelfAttentionMultiHead(nn.Module):
    def __init__(self, ni, nheads):
        super().__init__()
        self.nheads = nheads
        self.scale = math.sqrt(ni / nheads)
        self.norm = nn.BatchNorm2d(ni)
        self.qkv = nn.Linear(ni, ni * 3)
        self.proj = nn.Linear(ni, ni)

    def forward(self, inp):
        n, c, h, w = inp.shape
        x = self.norm(inp).view(n, c, -1).transpose(1, 2)
        x = self.qkv(x)
        x = heads_to_batch(x, self.nheads)
        q, k, v = torch.chunk(x, 3, dim=-1)
        s = (q @ k.transpose(1, 2)) / self.scale
        x = s.softmax(dim=-1) @ v
        x = batch_to_heads(x, self.nheads)
        x = self.proj(x).transpose(1, 2).reshape(n, c, h, w)
        return x + inp


sa = SelfAttentionMultiHead(32, 4)
sx = sa(x)
print(sx.shape)
print(sx.mean(), sx.std())
sx.pow(2).mean().backward()
print({n: round(p.grad.norm().item(), 4) for n, p in sa.named_parameters()})

nm = nn.MultiheadAttention(32, num_heads=8, batch_first=True)
nmx, nmw = nm(t, t, t)
nmx = nmx + t
print(nmx.mean(), nmx.std())
print(nmw.shape, nmw.sum(-1)[0, :4])
