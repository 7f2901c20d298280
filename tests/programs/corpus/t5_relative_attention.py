"""T5's relative-position attention after Hugging Face transformers (models/t5/modeling_t5.py):
T5LayerNorm (an RMS norm: hidden_states.to(torch.float32).pow(2).mean(-1, keepdim=True),
torch.rsqrt(variance + eps), no mean subtraction, no bias), the static
_relative_position_bucket (bidirectional buckets with (relative_position > 0).to(torch.long),
torch.abs, torch.log of float ratios, torch.min with torch.full_like, torch.where), compute_bias
through an nn.Embedding of buckets permuted to (1, heads, q, k), T5Attention's unscaled
torch.matmul(q, k.transpose(3, 2)) plus position_bias plus an extended mask of
torch.finfo(dtype).min, softmax(scores.float(), dim=-1).type_as(scores), and
T5DenseGatedActDense with NewGELU (0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3)))).

Source: https://github.com/huggingface/transformers (Apache-2.0; written for jitgrad's corpus
after its structure, not copied). Changes: d_model 16, 2 heads, 8 buckets, one layer, a
denoising-style MSE objective on random embeddings, 2 Adafactor-free SGD steps.
"""
# ruff: noqa: E501, UP004, UP006, UP007, UP008, UP031, UP032, UP035, UP045, E701, E731, B006, B007, F401, F841  (the original's style, kept)

import math

import torch
from torch import nn


class T5LayerNorm(nn.Module):
    def __init__(self, hidden_size, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(hidden_size))
        self.variance_epsilon = eps

    def forward(self, hidden_states):
        variance = hidden_states.to(torch.float32).pow(2).mean(-1, keepdim=True)
        hidden_states = hidden_states * torch.rsqrt(variance + self.variance_epsilon)
        if self.weight.dtype in [torch.float16, torch.bfloat16]:
            hidden_states = hidden_states.to(self.weight.dtype)
        return self.weight * hidden_states


class NewGELUActivation(nn.Module):
    def forward(self, input):
        return 0.5 * input * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (input + 0.044715 * torch.pow(input, 3.0))))


class T5DenseGatedActDense(nn.Module):
    def __init__(self, d_model, d_ff):
        super().__init__()
        self.wi_0 = nn.Linear(d_model, d_ff, bias=False)
        self.wi_1 = nn.Linear(d_model, d_ff, bias=False)
        self.wo = nn.Linear(d_ff, d_model, bias=False)
        self.dropout = nn.Dropout(0.1)
        self.act = NewGELUActivation()

    def forward(self, hidden_states):
        hidden_gelu = self.act(self.wi_0(hidden_states))
        hidden_linear = self.wi_1(hidden_states)
        hidden_states = hidden_gelu * hidden_linear
        hidden_states = self.dropout(hidden_states)
        return self.wo(hidden_states)


class T5Attention(nn.Module):
    def __init__(self, d_model=16, n_heads=2, key_value_proj_dim=8, num_buckets=8, max_distance=16, has_relative_attention_bias=True):
        super().__init__()
        self.relative_attention_num_buckets = num_buckets
        self.relative_attention_max_distance = max_distance
        self.d_model = d_model
        self.key_value_proj_dim = key_value_proj_dim
        self.n_heads = n_heads
        self.inner_dim = self.n_heads * self.key_value_proj_dim
        self.q = nn.Linear(self.d_model, self.inner_dim, bias=False)
        self.k = nn.Linear(self.d_model, self.inner_dim, bias=False)
        self.v = nn.Linear(self.d_model, self.inner_dim, bias=False)
        self.o = nn.Linear(self.inner_dim, self.d_model, bias=False)
        self.has_relative_attention_bias = has_relative_attention_bias
        if self.has_relative_attention_bias:
            self.relative_attention_bias = nn.Embedding(self.relative_attention_num_buckets, self.n_heads)

    @staticmethod
    def _relative_position_bucket(relative_position, bidirectional=True, num_buckets=32, max_distance=128):
        relative_buckets = 0
        if bidirectional:
            num_buckets //= 2
            relative_buckets += (relative_position > 0).to(torch.long) * num_buckets
            relative_position = torch.abs(relative_position)
        else:
            relative_position = -torch.min(relative_position, torch.zeros_like(relative_position))
        # now relative_position is in the range [0, inf)
        max_exact = num_buckets // 2
        is_small = relative_position < max_exact
        relative_position_if_large = max_exact + (
            torch.log(relative_position.float() / max_exact)
            / math.log(max_distance / max_exact)
            * (num_buckets - max_exact)
        ).to(torch.long)
        relative_position_if_large = torch.min(
            relative_position_if_large, torch.full_like(relative_position_if_large, num_buckets - 1)
        )
        relative_buckets += torch.where(is_small, relative_position, relative_position_if_large)
        return relative_buckets

    def compute_bias(self, query_length, key_length, device=None):
        context_position = torch.arange(query_length, dtype=torch.long, device=device)[:, None]
        memory_position = torch.arange(key_length, dtype=torch.long, device=device)[None, :]
        relative_position = memory_position - context_position  # shape (query_length, key_length)
        relative_position_bucket = self._relative_position_bucket(
            relative_position,  # shape (query_length, key_length)
            bidirectional=True,
            num_buckets=self.relative_attention_num_buckets,
            max_distance=self.relative_attention_max_distance,
        )
        values = self.relative_attention_bias(relative_position_bucket)  # shape (query_length, key_length, num_heads)
        values = values.permute([2, 0, 1]).unsqueeze(0)  # shape (1, num_heads, query_length, key_length)
        return values

    def forward(self, hidden_states, mask=None):
        batch_size, seq_length = hidden_states.shape[:2]
        shape = lambda states: states.view(batch_size, -1, self.n_heads, self.key_value_proj_dim).transpose(1, 2)
        query_states = shape(self.q(hidden_states))
        key_states = shape(self.k(hidden_states))
        value_states = shape(self.v(hidden_states))
        scores = torch.matmul(query_states, key_states.transpose(3, 2))
        position_bias = self.compute_bias(seq_length, seq_length)
        if mask is not None:
            position_bias = position_bias + mask  # (batch_size, n_heads, seq_length, key_length)
        scores += position_bias
        attn_weights = nn.functional.softmax(scores.float(), dim=-1).type_as(scores)
        attn_output = torch.matmul(attn_weights, value_states)
        attn_output = attn_output.transpose(1, 2).contiguous().view(batch_size, -1, self.inner_dim)
        return self.o(attn_output), position_bias, attn_weights


rel = torch.arange(-20, 21, 4)
print(rel)
print(T5Attention._relative_position_bucket(rel, bidirectional=True, num_buckets=32, max_distance=128))
print(T5Attention._relative_position_bucket(rel, bidirectional=False, num_buckets=8, max_distance=16))
torch.manual_seed(0)
ln = T5LayerNorm(16)
attn = T5Attention()
ff = T5DenseGatedActDense(16, 24)
print(attn.compute_bias(4, 5)[0, 0], attn.relative_attention_bias)
x = torch.randn(2, 5, 16)
attention_mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]])
extended = attention_mask[:, None, None, :].to(torch.float32)
extended = (1.0 - extended) * torch.finfo(torch.float32).min
print(torch.finfo(torch.float32).min, extended[1, 0, 0])
params = list(ln.parameters()) + list(attn.parameters()) + list(ff.parameters())
opt = torch.optim.SGD(params, lr=0.1)
ff.train()
for step in range(2):
    h = ln(x)
    out, bias, w = attn(h, mask=extended)
    h2 = x + out
    y = h2 + ff(ln(h2))
    loss = ((y - x.flip(1)) ** 2 * attention_mask[..., None]).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    print(step, round(loss.item(), 5), bias.shape, w[1, 0, 0], w.sum(-1)[0, 0])
print(attn.relative_attention_bias.weight.grad[:3], ln.weight.grad[:4])
