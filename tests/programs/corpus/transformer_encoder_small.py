"""A tiny Transformer classifier the way the "Language Modeling with nn.Transformer" tutorial
and blog posts assemble one: nn.Embedding + sinusoidal PositionalEncoding (register_buffer),
nn.TransformerEncoderLayer (batch_first, norm_first, gelu), nn.TransformerEncoder with a
src_key_padding_mask, mean pooling and a Linear head, trained a few steps with AdamW and
gradient clipping, then eval-mode inference under torch.no_grad. Dropout is 0 so the numbers
do not depend on the dropout stream.

Model: https://pytorch.org/tutorials/beginner/transformer_tutorial.html (pytorch/tutorials,
BSD-3-Clause). Written for jitgrad's corpus, not copied.
"""

import math

import torch
from torch import nn


class PositionalEncoding(nn.Module):
    def __init__(self, d_model, max_len=50):
        super().__init__()
        position = torch.arange(max_len).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(max_len, d_model)
        pe[:, 0::2] = torch.sin(position * div_term)
        pe[:, 1::2] = torch.cos(position * div_term)
        self.register_buffer("pe", pe)

    def forward(self, x):
        return x + self.pe[: x.size(1)]


class Classifier(nn.Module):
    def __init__(self, vocab, d_model=16, nhead=2, layers=2, classes=3):
        super().__init__()
        self.emb = nn.Embedding(vocab, d_model, padding_idx=0)
        self.pos = PositionalEncoding(d_model)
        layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=32, dropout=0.0,
                                           activation="gelu", batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=layers, enable_nested_tensor=False)
        self.head = nn.Linear(d_model, classes)

    def forward(self, tokens):
        pad = tokens == 0
        h = self.encoder(self.pos(self.emb(tokens) * math.sqrt(16)), src_key_padding_mask=pad)
        keep = (~pad).unsqueeze(-1).float()
        return self.head((h * keep).sum(1) / keep.sum(1))


torch.manual_seed(0)
model = Classifier(vocab=20)
print(model.encoder.layers[0])
print(sum(p.numel() for p in model.parameters()))
tokens = torch.randint(1, 20, (6, 7))
tokens[0, 5:] = 0
tokens[3, 4:] = 0
labels = torch.tensor([0, 1, 2, 0, 1, 2])
opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
loss_fn = nn.CrossEntropyLoss()
for step in range(15):
    opt.zero_grad()
    loss = loss_fn(model(tokens), labels)
    loss.backward()
    norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    opt.step()
    if step % 5 == 0:
        print(step, round(loss.item(), 4), round(norm.item(), 4))
model.eval()
with torch.no_grad():
    logits = model(tokens)
print(logits.argmax(-1), logits.softmax(-1).max(-1).values.round(decimals=3))
