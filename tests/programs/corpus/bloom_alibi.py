"""BLOOM's ALiBi attention in the style of Hugging Face transformers'
models/bloom/modeling_bloom.py: build_alibi_tensor (closest power of two via math.log2,
torch.tensor(2 ** (-(2 ** -(math.log2(n) - 3))), dtype=torch.float32), torch.pow(base,
powers), extra slopes for head counts that are not powers of two, ((attention_mask.cumsum(-1)
- 1) * attention_mask)[:, None, :] positions), the fused query_key_value split by
_split_heads (view(batch, seq, heads, 3, head_dim)), scores from alibi.baddbmm(batch1=q,
batch2=k, beta=self.beta, alpha=self.inv_norm_factor), masked_fill with
torch.finfo(dtype).min, softmax in float32 (F.softmax(..., dtype=torch.float32).to(dtype)),
_merge_heads, the tanh-approximated bloom_gelu_forward, dropout_add, and a causal LM loss.

Source: https://github.com/huggingface/transformers (src/transformers/models/bloom/
modeling_bloom.py; Apache 2.0). Written for jitgrad's corpus after that file's structure, not
copied. Changes: no PretrainedConfig / caching / hub machinery; hidden 12, 6 heads (not a power
of two, so the extra-slope branch runs), 1 layer, vocabulary 16; a left-padded batch of 2; 3
Adam steps.
"""
# ruff: noqa: E501  (the original's style, kept)

import math

import torch
import torch.nn.functional as F
from torch import nn


def build_alibi_tensor(attention_mask: torch.Tensor, num_heads: int, dtype: torch.dtype) -> torch.Tensor:
    batch_size, seq_length = attention_mask.shape
    closest_power_of_2 = 2 ** math.floor(math.log2(num_heads))
    base = torch.tensor(2 ** (-(2 ** -(math.log2(closest_power_of_2) - 3))), device=attention_mask.device, dtype=torch.float32)
    powers = torch.arange(1, 1 + closest_power_of_2, device=attention_mask.device, dtype=torch.int32)
    slopes = torch.pow(base, powers)
    if closest_power_of_2 != num_heads:
        extra_base = torch.tensor(2 ** (-(2 ** -(math.log2(2 * closest_power_of_2) - 3))), device=attention_mask.device, dtype=torch.float32)
        num_remaining_heads = min(closest_power_of_2, num_heads - closest_power_of_2)
        extra_powers = torch.arange(1, 1 + 2 * num_remaining_heads, 2, device=attention_mask.device, dtype=torch.int32)
        slopes = torch.cat([slopes, torch.pow(extra_base, extra_powers)], dim=0)
    arange_tensor = ((attention_mask.cumsum(dim=-1) - 1) * attention_mask)[:, None, :]
    alibi = slopes[..., None] * arange_tensor
    return alibi.reshape(batch_size * num_heads, 1, seq_length).to(dtype)


def dropout_add(x: torch.Tensor, residual: torch.Tensor, prob: float, training: bool) -> torch.Tensor:
    out = F.dropout(x, p=prob, training=training)
    return residual + out


def bloom_gelu_forward(x: torch.Tensor) -> torch.Tensor:
    return x * 0.5 * (1.0 + torch.tanh(0.79788456 * x * (1 + 0.044715 * x * x)))


class BloomAttention(nn.Module):
    def __init__(self, hidden_size, n_head, attention_dropout=0.0, hidden_dropout=0.0):
        super().__init__()
        self.hidden_size = hidden_size
        self.num_heads = n_head
        self.head_dim = hidden_size // n_head
        self.inv_norm_factor = 1.0 / math.sqrt(self.head_dim)
        self.beta = 1.0
        self.hidden_dropout = hidden_dropout
        self.query_key_value = nn.Linear(hidden_size, 3 * hidden_size, bias=True)
        self.dense = nn.Linear(hidden_size, hidden_size)
        self.attention_dropout = nn.Dropout(attention_dropout)

    def _split_heads(self, fused_qkv):
        batch_size, seq_length, three_times_hidden_size = fused_qkv.shape
        fused_qkv = fused_qkv.view(batch_size, seq_length, self.num_heads, 3, self.head_dim)
        return fused_qkv[..., 0, :], fused_qkv[..., 1, :], fused_qkv[..., 2, :]

    def _merge_heads(self, x):
        batch_size_and_num_heads, seq_length, _ = x.shape
        batch_size = batch_size_and_num_heads // self.num_heads
        x = x.view(batch_size, self.num_heads, seq_length, self.head_dim)
        x = x.permute(0, 2, 1, 3)
        return x.reshape(batch_size, seq_length, self.num_heads * self.head_dim)

    def forward(self, hidden_states, residual, alibi, attention_mask):
        fused_qkv = self.query_key_value(hidden_states)
        (query_layer, key_layer, value_layer) = self._split_heads(fused_qkv)
        batch_size, q_length, _, _ = query_layer.shape
        query_layer = query_layer.transpose(1, 2).reshape(batch_size * self.num_heads, q_length, self.head_dim)
        key_layer = key_layer.permute(0, 2, 3, 1).reshape(batch_size * self.num_heads, self.head_dim, q_length)
        value_layer = value_layer.transpose(1, 2).reshape(batch_size * self.num_heads, q_length, self.head_dim)
        matmul_result = alibi.baddbmm(batch1=query_layer, batch2=key_layer, beta=self.beta, alpha=self.inv_norm_factor)
        attention_scores = matmul_result.view(batch_size, self.num_heads, q_length, -1)
        input_dtype = attention_scores.dtype
        attn_weights = torch.masked_fill(attention_scores, attention_mask, torch.finfo(attention_scores.dtype).min)
        attention_probs = F.softmax(attn_weights, dim=-1, dtype=torch.float32).to(input_dtype)
        attention_probs = self.attention_dropout(attention_probs)
        attention_probs_reshaped = attention_probs.view(batch_size * self.num_heads, q_length, -1)
        context_layer = torch.bmm(attention_probs_reshaped, value_layer)
        context_layer = self._merge_heads(context_layer)
        output_tensor = self.dense(context_layer)
        output_tensor = dropout_add(output_tensor, residual, self.hidden_dropout, self.training)
        return output_tensor, attention_probs


class BloomMLP(nn.Module):
    def __init__(self, hidden_size):
        super().__init__()
        self.dense_h_to_4h = nn.Linear(hidden_size, 4 * hidden_size)
        self.dense_4h_to_h = nn.Linear(4 * hidden_size, hidden_size)

    def forward(self, hidden_states, residual):
        hidden_states = bloom_gelu_forward(self.dense_h_to_4h(hidden_states))
        return dropout_add(self.dense_4h_to_h(hidden_states), residual, 0.0, self.training)


class BloomBlock(nn.Module):
    def __init__(self, hidden_size, n_head, layer_norm_epsilon=1e-5):
        super().__init__()
        self.input_layernorm = nn.LayerNorm(hidden_size, eps=layer_norm_epsilon)
        self.self_attention = BloomAttention(hidden_size, n_head)
        self.post_attention_layernorm = nn.LayerNorm(hidden_size, eps=layer_norm_epsilon)
        self.mlp = BloomMLP(hidden_size)

    def forward(self, hidden_states, alibi, attention_mask):
        layernorm_output = self.input_layernorm(hidden_states)
        attention_output, probs = self.self_attention(layernorm_output, hidden_states, alibi, attention_mask)
        layernorm_output = self.post_attention_layernorm(attention_output)
        return self.mlp(layernorm_output, attention_output), probs


class TinyBloom(nn.Module):
    def __init__(self, vocab_size=16, hidden_size=12, n_head=6, n_layer=1):
        super().__init__()
        self.num_heads = n_head
        self.word_embeddings = nn.Embedding(vocab_size, hidden_size)
        self.word_embeddings_layernorm = nn.LayerNorm(hidden_size)
        self.h = nn.ModuleList([BloomBlock(hidden_size, n_head) for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(hidden_size)
        self.lm_head = nn.Linear(hidden_size, vocab_size, bias=False)
        self.lm_head.weight = self.word_embeddings.weight

    def forward(self, input_ids, attention_mask):
        hidden_states = self.word_embeddings_layernorm(self.word_embeddings(input_ids))
        alibi = build_alibi_tensor(attention_mask, self.num_heads, dtype=hidden_states.dtype)
        seq = input_ids.shape[1]
        causal = torch.triu(torch.ones(seq, seq, dtype=torch.bool), diagonal=1)
        mask = causal[None, None, :, :] | ~attention_mask.bool()[:, None, None, :]
        for block in self.h:
            hidden_states, probs = block(hidden_states, alibi, mask)
        return self.lm_head(self.ln_f(hidden_states)), probs


torch.manual_seed(0)
attention_mask = torch.tensor([[0, 0, 1, 1, 1], [1, 1, 1, 1, 1]])
alibi = build_alibi_tensor(attention_mask, 6, torch.float32)
print(alibi.shape, alibi[:6, 0, -1])
print(torch.finfo(torch.float32).min, bloom_gelu_forward(torch.tensor([-1.0, 0.5, 2.0])))
model = TinyBloom()
input_ids = torch.tensor([[3, 3, 5, 7, 9], [1, 2, 4, 8, 15]])
logits, probs = model(input_ids, attention_mask)
print(logits.shape, probs[0, 0, 2])
labels = input_ids.masked_fill(attention_mask == 0, -100)
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for step in range(3):
    logits, _ = model(input_ids, attention_mask)
    shift_logits = logits[..., :-1, :].contiguous()
    shift_labels = labels[..., 1:].contiguous()
    loss = nn.CrossEntropyLoss()(shift_logits.view(-1, shift_logits.size(-1)), shift_labels.view(-1))
    opt.zero_grad()
    loss.backward()
    opt.step()
    print(step, round(loss.item(), 5))
