"""nn.MultiheadAttention and F.scaled_dot_product_attention the way the docs and attention
blog posts call them: self-attention with batch_first, averaged and per-head attention weights,
a causal attn_mask, key_padding_mask, kdim/vdim cross-attention, and a check that SDPA equals
softmax(QK^T/sqrt(d))V written by hand (with is_causal and a float mask), with a backward pass.

Models: https://pytorch.org/docs/stable/generated/torch.nn.MultiheadAttention.html and
torch.nn.functional.scaled_dot_product_attention.html (BSD-3-Clause). Written for jitgrad's
corpus, not copied.
"""
# ruff: noqa: E501  (one-line printouts, as tutorials write them)

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
embed_dim, num_heads = 8, 2
mha = nn.MultiheadAttention(embed_dim, num_heads, batch_first=True)
print(mha)
print([(n, tuple(p.shape)) for n, p in mha.named_parameters()])
x = torch.randn(2, 5, embed_dim)
out, w = mha(x, x, x)
print(out.shape, w.shape, w.sum(-1))
print(out[0, 0])
out, w = mha(x, x, x, average_attn_weights=False)
print(w.shape)
mask = nn.Transformer.generate_square_subsequent_mask(5)
print(mask)
out, w = mha(x, x, x, attn_mask=mask)
print(w[0].round(decimals=3))
pad = torch.tensor([[False, False, False, True, True], [False] * 5])
out, w = mha(x, x, x, key_padding_mask=pad)
print(w[0, :, 3:].abs().max(), out.shape)
out, w = mha(x, x, x, need_weights=False)
print(w)

cross = nn.MultiheadAttention(8, 4, kdim=3, vdim=6)
q = torch.randn(4, 2, 8)
k = torch.randn(7, 2, 3)
v = torch.randn(7, 2, 6)
o, wt = cross(q, k, v)
print(o.shape, wt.shape)

Q = torch.randn(2, 3, 4, 8, requires_grad=True)
K = torch.randn(2, 3, 6, 8)
V = torch.randn(2, 3, 6, 5)
ref = torch.softmax(Q @ K.transpose(-2, -1) / math.sqrt(8), dim=-1) @ V
sdpa = F.scaled_dot_product_attention(Q, K, V)
print(torch.allclose(ref, sdpa, atol=1e-6))
Qs = torch.randn(1, 2, 4, 8)
causal = F.scaled_dot_product_attention(Qs, Qs, Qs, is_causal=True)
m = torch.ones(4, 4, dtype=torch.bool).tril()
print(torch.allclose(causal, F.scaled_dot_product_attention(Qs, Qs, Qs, attn_mask=m), atol=1e-6))
bias = torch.zeros(4, 6).masked_fill(torch.arange(6) > 3, float("-inf"))
print(F.scaled_dot_product_attention(Q, K, V, attn_mask=bias).shape)
sdpa.sum().backward()
print(Q.grad.shape, round(Q.grad.abs().sum().item(), 4))
loss = mha(x, x, x)[0].pow(2).mean()
loss.backward()
print(round(loss.item(), 5), mha.in_proj_weight.grad.shape, round(mha.out_proj.weight.grad.norm().item(), 5))
