"""torch.einsum as the einsum blog posts and the torch.einsum docstring use it: transpose, sums
over axes, matrix-vector and matrix-matrix products, batch matmul, dot/outer products, trace and
diagonal, bilinear forms, ellipsis broadcasting, sublist format, and attention scores written
with einsum, with gradients flowing through.

Models: https://pytorch.org/docs/stable/generated/torch.einsum.html (BSD-3-Clause) and
https://rockt.github.io/2018/04/30/einsum ("einsum is all you need"). Written for jitgrad's
corpus, not copied.
"""

import torch

a = torch.arange(6.0).reshape(2, 3)
b = torch.arange(15.0).reshape(3, 5)
v = torch.arange(3.0)
print(torch.einsum("ij->ji", a))
print(torch.einsum("ij->", a), torch.einsum("ij->j", a), torch.einsum("ij->i", a))
print(torch.einsum("ik,k->i", a, v))
print(torch.einsum("ik,kj->ij", a, b))
print(torch.einsum("i,i->", v, v), torch.einsum("i,j->ij", v, v))
print(torch.einsum("ij,ij->ij", a, a))
sq = torch.arange(9.0).reshape(3, 3)
print(torch.einsum("ii", sq), torch.einsum("ii->i", sq))

torch.manual_seed(0)
x = torch.randn(2, 3, 4)
y = torch.randn(2, 4, 5)
bmm = torch.einsum("bij,bjk->bik", x, y)
print(bmm.shape, torch.allclose(bmm, torch.bmm(x, y), atol=1e-6))
print(torch.einsum("...ij->...ji", x).shape)
print(torch.einsum("b...j,b...j->b...", x, x).round(decimals=4))

l = torch.randn(2, 5)
A = torch.randn(3, 5, 4)
r = torch.randn(2, 4)
bil = torch.einsum("bn,anm,bm->ba", l, A, r)
print(bil.round(decimals=4))
print(torch.allclose(bil, torch.nn.functional.bilinear(l, r, A), atol=1e-5))

print(torch.einsum(a, [0, 1], b, [1, 2], [0, 2]).shape)
print(torch.einsum("i j , j k -> i k", a, b).sum())

q = torch.randn(2, 4, 8, requires_grad=True)
k = torch.randn(2, 6, 8, requires_grad=True)
val = torch.randn(2, 6, 3)
scores = torch.einsum("bqd,bkd->bqk", q, k) / 8**0.5
attn = scores.softmax(dim=-1)
out = torch.einsum("bqk,bkd->bqd", attn, val)
print(out.shape, attn.sum(-1))
out.pow(2).mean().backward()
print(q.grad.abs().sum().item() > 0, k.grad.shape)
print(round(q.grad.sum().item(), 4), round(k.grad.norm().item(), 4))

w = torch.randn(4, 4, requires_grad=True)
tr = torch.einsum("ii->", w)
tr.backward()
print(w.grad)
