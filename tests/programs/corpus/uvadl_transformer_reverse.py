"""The UvA deep-learning course's Transformer tutorial (Tutorial 6, "Transformers and
Multi-Head Attention"): scaled_dot_product with math.sqrt and masked_fill(mask == 0,
-9e15), a MultiheadAttention module with one qkv_proj (reshape, permute, chunk(3, dim=-1)),
xavier_uniform_ resets and zero biases, EncoderBlock and TransformerEncoder with
get_attention_maps, a PositionalEncoding registered with persistent=False (not in state_dict),
the CosineWarmupScheduler subclassing optim.lr_scheduler._LRScheduler (get_lr over
self.base_lrs and self.last_epoch), the ReverseDataset (torch.randint, torch.flip) through a
DataLoader, and a few training steps of the sequence-reversal task.

Source: https://uvadlc-notebooks.readthedocs.io/en/latest/tutorial_notebooks/tutorial6/Transformers_and_MHAttention.html
(CC BY-SA 4.0 text, MIT code). Written for jitgrad's corpus after its structure, not copied.
Changes: no PyTorch Lightning (a plain loop), model_dim 16, 2 heads, 1 layer, sequences of 6
over 5 categories, 4 steps, dropout 0.
"""
# ruff: noqa: E501, UP008, UP031, UP032, UP035, UP006, UP018, UP039, B006, B007, E721, E731, F401, F841  (the original's style, kept)

import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
import torch.utils.data as data


def scaled_dot_product(q, k, v, mask=None):
    d_k = q.size()[-1]
    attn_logits = torch.matmul(q, k.transpose(-2, -1))
    attn_logits = attn_logits / math.sqrt(d_k)
    if mask is not None:
        attn_logits = attn_logits.masked_fill(mask == 0, -9e15)
    attention = F.softmax(attn_logits, dim=-1)
    values = torch.matmul(attention, v)
    return values, attention


class MultiheadAttention(nn.Module):

    def __init__(self, input_dim, embed_dim, num_heads):
        super().__init__()
        assert embed_dim % num_heads == 0, "Embedding dimension must be 0 modulo number of heads."

        self.embed_dim = embed_dim
        self.num_heads = num_heads
        self.head_dim = embed_dim // num_heads

        self.qkv_proj = nn.Linear(input_dim, 3 * embed_dim)
        self.o_proj = nn.Linear(embed_dim, embed_dim)

        self._reset_parameters()

    def _reset_parameters(self):
        nn.init.xavier_uniform_(self.qkv_proj.weight)
        self.qkv_proj.bias.data.fill_(0)
        nn.init.xavier_uniform_(self.o_proj.weight)
        self.o_proj.bias.data.fill_(0)

    def forward(self, x, mask=None, return_attention=False):
        batch_size, seq_length, _ = x.size()
        qkv = self.qkv_proj(x)

        qkv = qkv.reshape(batch_size, seq_length, self.num_heads, 3 * self.head_dim)
        qkv = qkv.permute(0, 2, 1, 3)  # [Batch, Head, SeqLen, Dims]
        q, k, v = qkv.chunk(3, dim=-1)

        values, attention = scaled_dot_product(q, k, v, mask=mask)
        values = values.permute(0, 2, 1, 3)  # [Batch, SeqLen, Head, Dims]
        values = values.reshape(batch_size, seq_length, self.embed_dim)
        o = self.o_proj(values)

        if return_attention:
            return o, attention
        else:
            return o


class EncoderBlock(nn.Module):

    def __init__(self, input_dim, num_heads, dim_feedforward, dropout=0.0):
        super().__init__()

        self.self_attn = MultiheadAttention(input_dim, input_dim, num_heads)

        self.linear_net = nn.Sequential(
            nn.Linear(input_dim, dim_feedforward),
            nn.Dropout(dropout),
            nn.ReLU(inplace=True),
            nn.Linear(dim_feedforward, input_dim)
        )

        self.norm1 = nn.LayerNorm(input_dim)
        self.norm2 = nn.LayerNorm(input_dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, mask=None):
        attn_out = self.self_attn(x, mask=mask)
        x = x + self.dropout(attn_out)
        x = self.norm1(x)

        linear_out = self.linear_net(x)
        x = x + self.dropout(linear_out)
        x = self.norm2(x)

        return x


class TransformerEncoder(nn.Module):

    def __init__(self, num_layers, **block_args):
        super().__init__()
        self.layers = nn.ModuleList([EncoderBlock(**block_args) for _ in range(num_layers)])

    def forward(self, x, mask=None):
        for l in self.layers:
            x = l(x, mask=mask)
        return x

    def get_attention_maps(self, x, mask=None):
        attention_maps = []
        for l in self.layers:
            _, attn_map = l.self_attn(x, mask=mask, return_attention=True)
            attention_maps.append(attn_map)
            x = l(x)
        return attention_maps


class PositionalEncoding(nn.Module):

    def __init__(self, d_model, max_len=5000):
        super().__init__()

        pe = torch.zeros(max_len, d_model)
        position = torch.arange(0, max_len, dtype=torch.float).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2).float() * (-math.log(10000.0) / d_model))
        pe[:, 0::2] = torch.sin(position * div_term)
        pe[:, 1::2] = torch.cos(position * div_term)
        pe = pe.unsqueeze(0)

        self.register_buffer('pe', pe, persistent=False)

    def forward(self, x):
        x = x + self.pe[:, :x.size(1)]
        return x


class CosineWarmupScheduler(optim.lr_scheduler._LRScheduler):

    def __init__(self, optimizer, warmup, max_iters):
        self.warmup = warmup
        self.max_num_iters = max_iters
        super().__init__(optimizer)

    def get_lr(self):
        lr_factor = self.get_lr_factor(epoch=self.last_epoch)
        return [base_lr * lr_factor for base_lr in self.base_lrs]

    def get_lr_factor(self, epoch):
        lr_factor = 0.5 * (1 + np.cos(np.pi * epoch / self.max_num_iters))
        if epoch <= self.warmup:
            lr_factor *= epoch * 1.0 / self.warmup
        return lr_factor


class ReverseDataset(data.Dataset):

    def __init__(self, num_categories, seq_len, size):
        super().__init__()
        self.num_categories = num_categories
        self.seq_len = seq_len
        self.size = size

        self.data = torch.randint(self.num_categories, size=(self.size, self.seq_len))

    def __len__(self):
        return self.size

    def __getitem__(self, idx):
        inp_data = self.data[idx]
        labels = torch.flip(inp_data, dims=(0,))
        return inp_data, labels


class TransformerPredictor(nn.Module):
    def __init__(self, input_dim, model_dim, num_classes, num_heads, num_layers, dropout=0.0):
        super().__init__()
        self.input_net = nn.Sequential(nn.Dropout(dropout), nn.Linear(input_dim, model_dim))
        self.positional_encoding = PositionalEncoding(d_model=model_dim)
        self.transformer = TransformerEncoder(num_layers=num_layers, input_dim=model_dim, dim_feedforward=2 * model_dim, num_heads=num_heads, dropout=dropout)
        self.output_net = nn.Sequential(
            nn.Linear(model_dim, model_dim),
            nn.LayerNorm(model_dim),
            nn.ReLU(inplace=True),
            nn.Dropout(dropout),
            nn.Linear(model_dim, num_classes)
        )

    def forward(self, x, mask=None, add_positional_encoding=True):
        x = self.input_net(x)
        if add_positional_encoding:
            x = self.positional_encoding(x)
        x = self.transformer(x, mask=mask)
        x = self.output_net(x)
        return x


torch.manual_seed(42)
seq_len, embed_dim = 3, 2
q = torch.randn(seq_len, embed_dim)
k = torch.randn(seq_len, embed_dim)
v = torch.randn(seq_len, embed_dim)
values, attention = scaled_dot_product(q, k, v)
print("Q\n", q)
print("Values\n", values)
print("Attention\n", attention)

encod_block = PositionalEncoding(d_model=48, max_len=96)
pe = encod_block.pe.squeeze().T.cpu().numpy()
print(pe.shape, np.round(pe[:3, :4], 4), list(encod_block.state_dict().keys()))

p = nn.Parameter(torch.empty(4, 4))
optimizer = optim.Adam([p], lr=1e-3)
lr_scheduler = CosineWarmupScheduler(optimizer=optimizer, warmup=100, max_iters=2000)
print([round(lr_scheduler.get_lr_factor(e), 5) for e in (0, 50, 100, 1000, 2000)])
print(optimizer.param_groups[0]['lr'], lr_scheduler.last_epoch, lr_scheduler.base_lrs)

dataset = ReverseDataset(5, 6, 40)
train_loader = data.DataLoader(dataset, batch_size=8, shuffle=True, drop_last=True)
print("Input data:", dataset[0][0])
print("Labels:    ", dataset[0][1])
model = TransformerPredictor(input_dim=5, model_dim=16, num_heads=2, num_classes=5, num_layers=1)
optimizer = optim.Adam(model.parameters(), lr=5e-3)
lr_scheduler = CosineWarmupScheduler(optimizer, warmup=2, max_iters=10)
for step, (inp_data, labels) in zip(range(4), train_loader):
    inp = F.one_hot(inp_data, num_classes=5).float()
    preds = model(inp, add_positional_encoding=True)
    loss = F.cross_entropy(preds.view(-1, preds.size(-1)), labels.view(-1))
    acc = (preds.argmax(dim=-1) == labels).float().mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    lr_scheduler.step()
    print(step, '%.5f' % loss.item(), '%.4f' % acc.item(), '%.6f' % lr_scheduler.get_last_lr()[0])
attention_maps = model.transformer.get_attention_maps(model.positional_encoding(model.input_net(F.one_hot(dataset[0][0][None], 5).float())))
print(len(attention_maps), attention_maps[0].shape, attention_maps[0].shape[2:], attention_maps[0].sum(-1))
print(lr_scheduler.state_dict()['last_epoch'], sorted(lr_scheduler.state_dict().keys()))
