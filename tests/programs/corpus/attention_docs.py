"""The attention examples of PyTorch's documentation: nn.MultiheadAttention's docstring example
(``attn_output, attn_output_weights = multihead_attn(query, key, value)``) with batch_first,
key_padding_mask, averaged and per-head weights, need_weights=False, kdim/vdim; and the
"(Beta) Implementing High-Performance Transformers with Scaled Dot Product Attention" tutorial's
F.scaled_dot_product_attention calls (is_causal, a boolean attn_mask, a float mask, scale) checked
against the explicit softmax(QK^T/sqrt(d))V; then one training step through the module.

Sources: https://pytorch.org/docs/stable/generated/torch.nn.MultiheadAttention.html and
https://pytorch.org/tutorials/intermediate/scaled_dot_product_attention_tutorial.html
(BSD-3-Clause). Written for jitgrad's corpus, not copied. Changes: small sizes, printed values
instead of benchmarks, no CUDA/flash-kernel selection.
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
embed_dim, num_heads = 8, 2
multihead_attn = nn.MultiheadAttention(embed_dim, num_heads, batch_first=True)
print(multihead_attn)
print([(n, tuple(p.shape)) for n, p in multihead_attn.named_parameters()])

query = torch.randn(2, 4, embed_dim)
key = torch.randn(2, 5, embed_dim)
value = torch.randn(2, 5, embed_dim)
attn_output, attn_output_weights = multihead_attn(query, key, value)
print(attn_output.shape, attn_output_weights.shape)
print(attn_output[0, 0])
print(attn_output_weights[1].sum(-1))

key_padding_mask = torch.tensor([[False, False, False, True, True], [False] * 5])
out, w = multihead_attn(query, key, value, key_padding_mask=key_padding_mask,
                        average_attn_weights=False)
print(w.shape, w[0, 1, 0])
out2, none = multihead_attn(query, key, value, need_weights=False)
print(none, torch.allclose(out2, attn_output, atol=1e-6))

cross = nn.MultiheadAttention(embed_dim, num_heads, kdim=3, vdim=6)
print([n for n, _ in cross.named_parameters()])
o, w = cross(torch.randn(4, 2, embed_dim), torch.randn(5, 2, 3), torch.randn(5, 2, 6))
print(o.shape, w.shape, o.sum().item())

q, k, v = torch.randn(2, 3, 6, 4), torch.randn(2, 3, 6, 4), torch.randn(2, 3, 6, 4)
sdpa = F.scaled_dot_product_attention(q, k, v, is_causal=True)
manual_w = (q @ k.transpose(-2, -1)) / math.sqrt(q.size(-1))
causal = torch.triu(torch.ones(6, 6, dtype=torch.bool), diagonal=1)
manual = manual_w.masked_fill(causal, float("-inf")).softmax(dim=-1) @ v
print(torch.allclose(sdpa, manual, atol=1e-6), sdpa[0, 0, -1])
bool_mask = torch.rand(6, 6) > 0.3
bool_mask[:, 0] = True
print(F.scaled_dot_product_attention(q, k, v, attn_mask=bool_mask)[1, 2, 3])
float_mask = torch.randn(6, 6)
print(F.scaled_dot_product_attention(q, k, v, attn_mask=float_mask, scale=0.3)[0, 1, 2])

opt = torch.optim.SGD(multihead_attn.parameters(), lr=0.1)
target = torch.randn(2, 4, embed_dim)
for step in range(3):
    out, _ = multihead_attn(query, key, value, key_padding_mask=key_padding_mask)
    loss = F.mse_loss(out, target)
    opt.zero_grad()
    loss.backward()
    opt.step()
    print(step, round(loss.item(), 6), multihead_attn.in_proj_weight.grad.norm().item())
