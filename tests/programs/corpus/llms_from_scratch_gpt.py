"""A GPT in the style of Sebastian Raschka's "Build a Large Language Model (From Scratch)",
chapters 2-4: a sliding-window Dataset/DataLoader over token ids, a MultiHeadAttention that
keeps a causal mask from torch.triu as a registered buffer, converts it with .bool() and fills
with masked_fill_(mask, -torch.inf), a hand-written LayerNorm (var(unbiased=False)), the tanh
GELU built from torch.sqrt(torch.tensor(2.0 / torch.pi)) and torch.pow, Sequential of blocks,
greedy generation with argmax(dim=-1, keepdim=True) and torch.cat, then a few AdamW steps with
cross_entropy over flattened logits.

Source: https://github.com/rasbt/LLMs-from-scratch (ch04/01_main-chapter-code/gpt.py; Apache
2.0). Written for jitgrad's corpus after that file's structure, not copied. Changes: a
character-level stand-in for tiktoken (vocabulary 32), a tiny config (context 8, width 16, 2
heads, 2 layers), 6 new tokens instead of 10, and a short training loop added (the chapter 5
loop, 5 steps).
"""
# ruff: noqa: E501  (the original's style, kept)

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

TEXT = "every effort moves you forward, and every step counts. " * 4


class CharTokenizer:
    def encode(self, s):
        return [ord(c) % 32 for c in s]

    def decode(self, ids):
        return "".join(chr(97 + i % 26) for i in ids)


class GPTDatasetV1(Dataset):
    def __init__(self, txt, tokenizer, max_length, stride):
        self.input_ids = []
        self.target_ids = []
        token_ids = tokenizer.encode(txt)
        for i in range(0, len(token_ids) - max_length, stride):
            self.input_ids.append(torch.tensor(token_ids[i:i + max_length]))
            self.target_ids.append(torch.tensor(token_ids[i + 1:i + max_length + 1]))

    def __len__(self):
        return len(self.input_ids)

    def __getitem__(self, idx):
        return self.input_ids[idx], self.target_ids[idx]


class MultiHeadAttention(nn.Module):
    def __init__(self, d_in, d_out, context_length, dropout, num_heads, qkv_bias=False):
        super().__init__()
        assert d_out % num_heads == 0
        self.d_out = d_out
        self.num_heads = num_heads
        self.head_dim = d_out // num_heads
        self.W_query = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.W_key = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.W_value = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.out_proj = nn.Linear(d_out, d_out)
        self.dropout = nn.Dropout(dropout)
        self.register_buffer("mask", torch.triu(torch.ones(context_length, context_length), diagonal=1))

    def forward(self, x):
        b, num_tokens, d_in = x.shape
        keys = self.W_key(x).view(b, num_tokens, self.num_heads, self.head_dim).transpose(1, 2)
        queries = self.W_query(x).view(b, num_tokens, self.num_heads, self.head_dim).transpose(1, 2)
        values = self.W_value(x).view(b, num_tokens, self.num_heads, self.head_dim).transpose(1, 2)
        attn_scores = queries @ keys.transpose(2, 3)
        mask_bool = self.mask.bool()[:num_tokens, :num_tokens]
        attn_scores.masked_fill_(mask_bool, -torch.inf)
        attn_weights = torch.softmax(attn_scores / keys.shape[-1] ** 0.5, dim=-1)
        attn_weights = self.dropout(attn_weights)
        context_vec = (attn_weights @ values).transpose(1, 2)
        context_vec = context_vec.contiguous().view(b, num_tokens, self.d_out)
        return self.out_proj(context_vec)


class LayerNorm(nn.Module):
    def __init__(self, emb_dim):
        super().__init__()
        self.eps = 1e-5
        self.scale = nn.Parameter(torch.ones(emb_dim))
        self.shift = nn.Parameter(torch.zeros(emb_dim))

    def forward(self, x):
        mean = x.mean(dim=-1, keepdim=True)
        var = x.var(dim=-1, keepdim=True, unbiased=False)
        norm_x = (x - mean) / torch.sqrt(var + self.eps)
        return self.scale * norm_x + self.shift


class GELU(nn.Module):
    def forward(self, x):
        return 0.5 * x * (1 + torch.tanh(
            torch.sqrt(torch.tensor(2.0 / torch.pi)) * (x + 0.044715 * torch.pow(x, 3))))


class FeedForward(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(cfg["emb_dim"], 4 * cfg["emb_dim"]), GELU(),
            nn.Linear(4 * cfg["emb_dim"], cfg["emb_dim"]))

    def forward(self, x):
        return self.layers(x)


class TransformerBlock(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.att = MultiHeadAttention(cfg["emb_dim"], cfg["emb_dim"], cfg["context_length"],
                                      cfg["drop_rate"], cfg["n_heads"], cfg["qkv_bias"])
        self.ff = FeedForward(cfg)
        self.norm1 = LayerNorm(cfg["emb_dim"])
        self.norm2 = LayerNorm(cfg["emb_dim"])
        self.drop_resid = nn.Dropout(cfg["drop_rate"])

    def forward(self, x):
        shortcut = x
        x = self.drop_resid(self.att(self.norm1(x))) + shortcut
        shortcut = x
        return self.drop_resid(self.ff(self.norm2(x))) + shortcut


class GPTModel(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.tok_emb = nn.Embedding(cfg["vocab_size"], cfg["emb_dim"])
        self.pos_emb = nn.Embedding(cfg["context_length"], cfg["emb_dim"])
        self.drop_emb = nn.Dropout(cfg["drop_rate"])
        self.trf_blocks = nn.Sequential(*[TransformerBlock(cfg) for _ in range(cfg["n_layers"])])
        self.final_norm = LayerNorm(cfg["emb_dim"])
        self.out_head = nn.Linear(cfg["emb_dim"], cfg["vocab_size"], bias=False)

    def forward(self, in_idx):
        batch_size, seq_len = in_idx.shape
        x = self.tok_emb(in_idx) + self.pos_emb(torch.arange(seq_len, device=in_idx.device))
        x = self.trf_blocks(self.drop_emb(x))
        return self.out_head(self.final_norm(x))


def generate_text_simple(model, idx, max_new_tokens, context_size):
    for _ in range(max_new_tokens):
        idx_cond = idx[:, -context_size:]
        with torch.no_grad():
            logits = model(idx_cond)
        logits = logits[:, -1, :]
        idx_next = torch.argmax(logits, dim=-1, keepdim=True)
        idx = torch.cat((idx, idx_next), dim=1)
    return idx


cfg = {"vocab_size": 32, "context_length": 8, "emb_dim": 16, "n_heads": 2, "n_layers": 2,
       "drop_rate": 0.1, "qkv_bias": False}
torch.manual_seed(123)
model = GPTModel(cfg)
model.eval()
total_params = sum(p.numel() for p in model.parameters())
print(f"Total number of parameters: {total_params:,}")
tokenizer = CharTokenizer()
encoded = tokenizer.encode("Hello, I am")
encoded_tensor = torch.tensor(encoded).unsqueeze(0)
print("encoded_tensor.shape:", encoded_tensor.shape)
out = generate_text_simple(model, encoded_tensor, 6, cfg["context_length"])
print("Output:", out)
print("Output length:", len(out[0]))
print("Output text:", tokenizer.decode(out.squeeze(0).tolist()))

dataset = GPTDatasetV1(TEXT, tokenizer, max_length=8, stride=8)
loader = DataLoader(dataset, batch_size=4, shuffle=True, drop_last=True)
print("batches:", len(loader))
optimizer = torch.optim.AdamW(model.parameters(), lr=4e-3, weight_decay=0.1)
model.train()
for step, (input_batch, target_batch) in enumerate(loader):
    if step == 5:
        break
    optimizer.zero_grad()
    logits = model(input_batch)
    loss = torch.nn.functional.cross_entropy(logits.flatten(0, 1), target_batch.flatten())
    loss.backward()
    optimizer.step()
    print(f"step {step}: loss {loss.item():.4f}")
model.eval()
print(generate_text_simple(model, encoded_tensor, 4, cfg["context_length"]))
