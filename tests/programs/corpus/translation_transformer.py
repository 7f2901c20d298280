"""PyTorch's tutorial "Language Translation with nn.Transformer and torchtext": the
Seq2SeqTransformer (nn.Transformer with batch_first=False, TokenEmbedding scaled by
sqrt(emb_size), PositionalEncoding with dropout, a Linear generator), xavier_uniform_ init of
every matrix, generate_square_subsequent_mask, create_mask with src/tgt padding masks passed as
src_key_padding_mask, tgt_key_padding_mask and memory_key_padding_mask, CrossEntropyLoss with
ignore_index=PAD_IDX, Adam(betas=(0.9, 0.98), eps=1e-9), and greedy_decode in eval mode.

Source: https://pytorch.org/tutorials/beginner/translation_transformer.html (BSD-3-Clause).
Written for jitgrad's corpus, not copied. Changes: Multi30k and the spaCy tokenizers are
replaced by a toy "translation" (reverse a digit sequence and shift each digit by one), emb_size
16, 2 heads, 1 encoder and 1 decoder layer, ffn 32, transformer dropout 0 (PyTorch draws the
attention dropout inside a fused kernel), 3 epochs of 4 batches.
"""

import math

import torch
import torch.nn as nn
from torch import Tensor
from torch.nn import Transformer

torch.manual_seed(0)
PAD_IDX, BOS_IDX, EOS_IDX = 0, 1, 2
VOCAB = 13  # 0 pad, 1 bos, 2 eos, 3..12 digits


class PositionalEncoding(nn.Module):
    def __init__(self, emb_size: int, dropout: float, maxlen: int = 50):
        super().__init__()
        den = torch.exp(-torch.arange(0, emb_size, 2) * math.log(10000) / emb_size)
        pos = torch.arange(0, maxlen).reshape(maxlen, 1)
        pos_embedding = torch.zeros((maxlen, emb_size))
        pos_embedding[:, 0::2] = torch.sin(pos * den)
        pos_embedding[:, 1::2] = torch.cos(pos * den)
        pos_embedding = pos_embedding.unsqueeze(-2)
        self.dropout = nn.Dropout(dropout)
        self.register_buffer("pos_embedding", pos_embedding)

    def forward(self, token_embedding: Tensor):
        return self.dropout(token_embedding + self.pos_embedding[: token_embedding.size(0), :])


class TokenEmbedding(nn.Module):
    def __init__(self, vocab_size: int, emb_size):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, emb_size)
        self.emb_size = emb_size

    def forward(self, tokens: Tensor):
        return self.embedding(tokens.long()) * math.sqrt(self.emb_size)


class Seq2SeqTransformer(nn.Module):
    def __init__(self, num_encoder_layers, num_decoder_layers, emb_size, nhead, src_vocab_size,
                 tgt_vocab_size, dim_feedforward=512, dropout=0.1):
        super().__init__()
        self.transformer = Transformer(d_model=emb_size, nhead=nhead,
                                       num_encoder_layers=num_encoder_layers,
                                       num_decoder_layers=num_decoder_layers,
                                       dim_feedforward=dim_feedforward, dropout=0.0)
        self.generator = nn.Linear(emb_size, tgt_vocab_size)
        self.src_tok_emb = TokenEmbedding(src_vocab_size, emb_size)
        self.tgt_tok_emb = TokenEmbedding(tgt_vocab_size, emb_size)
        self.positional_encoding = PositionalEncoding(emb_size, dropout=dropout)

    def forward(self, src, trg, src_mask, tgt_mask, src_padding_mask, tgt_padding_mask,
                memory_key_padding_mask):
        src_emb = self.positional_encoding(self.src_tok_emb(src))
        tgt_emb = self.positional_encoding(self.tgt_tok_emb(trg))
        outs = self.transformer(src_emb, tgt_emb, src_mask, tgt_mask, None,
                                src_padding_mask, tgt_padding_mask, memory_key_padding_mask)
        return self.generator(outs)

    def encode(self, src: Tensor, src_mask: Tensor):
        return self.transformer.encoder(self.positional_encoding(self.src_tok_emb(src)), src_mask)

    def decode(self, tgt: Tensor, memory: Tensor, tgt_mask: Tensor):
        return self.transformer.decoder(self.positional_encoding(self.tgt_tok_emb(tgt)), memory,
                                        tgt_mask)


def generate_square_subsequent_mask(sz):
    mask = (torch.triu(torch.ones((sz, sz))) == 1).transpose(0, 1)
    mask = mask.float().masked_fill(mask == 0, float("-inf")).masked_fill(mask == 1, float(0.0))  # noqa: UP018
    return mask


def create_mask(src, tgt):
    src_seq_len = src.shape[0]
    tgt_seq_len = tgt.shape[0]
    tgt_mask = generate_square_subsequent_mask(tgt_seq_len)
    src_mask = torch.zeros((src_seq_len, src_seq_len)).type(torch.bool)
    src_padding_mask = (src == PAD_IDX).transpose(0, 1)
    tgt_padding_mask = (tgt == PAD_IDX).transpose(0, 1)
    return src_mask, tgt_mask, src_padding_mask, tgt_padding_mask


def make_pair(i):
    n = 3 + i % 4
    digits = [3 + (i * 7 + 3 * k) % 10 for k in range(n)]
    target = [3 + (d - 3 + 1) % 10 for d in reversed(digits)]
    return [BOS_IDX] + digits + [EOS_IDX], [BOS_IDX] + target + [EOS_IDX]


def collate(pairs):
    width_s = max(len(s) for s, _ in pairs)
    width_t = max(len(t) for _, t in pairs)
    src = torch.tensor([s + [PAD_IDX] * (width_s - len(s)) for s, _ in pairs]).t()
    tgt = torch.tensor([t + [PAD_IDX] * (width_t - len(t)) for _, t in pairs]).t()
    return src, tgt


transformer = Seq2SeqTransformer(1, 1, 16, 2, VOCAB, VOCAB, 32)
for p in transformer.parameters():
    if p.dim() > 1:
        nn.init.xavier_uniform_(p)
print(sum(p.numel() for p in transformer.parameters()))
loss_fn = torch.nn.CrossEntropyLoss(ignore_index=PAD_IDX)
optimizer = torch.optim.Adam(transformer.parameters(), lr=0.002, betas=(0.9, 0.98), eps=1e-9)
batches = [collate([make_pair(b * 6 + j) for j in range(6)]) for b in range(4)]

for epoch in range(1, 4):
    transformer.train()
    losses = 0
    for src, tgt in batches:
        tgt_input = tgt[:-1, :]
        src_mask, tgt_mask, src_padding_mask, tgt_padding_mask = create_mask(src, tgt_input)
        logits = transformer(src, tgt_input, src_mask, tgt_mask, src_padding_mask,
                             tgt_padding_mask, src_padding_mask)
        optimizer.zero_grad()
        tgt_out = tgt[1:, :]
        loss = loss_fn(logits.reshape(-1, logits.shape[-1]), tgt_out.reshape(-1))
        loss.backward()
        optimizer.step()
        losses += loss.item()
    print(f"Epoch: {epoch}, Train loss: {losses / len(batches):.4f}")


def greedy_decode(model, src, src_mask, max_len, start_symbol):
    memory = model.encode(src, src_mask)
    ys = torch.ones(1, 1).fill_(start_symbol).type(torch.long)
    for i in range(max_len - 1):  # noqa: B007
        tgt_mask = generate_square_subsequent_mask(ys.size(0)).type(torch.bool)
        out = model.decode(ys, memory, tgt_mask)
        out = out.transpose(0, 1)
        prob = model.generator(out[:, -1])
        _, next_word = torch.max(prob, dim=1)
        next_word = next_word.item()
        ys = torch.cat([ys, torch.ones(1, 1).type_as(src.data).fill_(next_word)], dim=0)
        if next_word == EOS_IDX:
            break
    return ys


transformer.eval()
src = torch.tensor(make_pair(5)[0]).view(-1, 1)
num_tokens = src.shape[0]
src_mask = torch.zeros(num_tokens, num_tokens).type(torch.bool)
tgt_tokens = greedy_decode(transformer, src, src_mask, max_len=num_tokens + 5,
                           start_symbol=BOS_IDX).flatten()
print(src.flatten().tolist(), tgt_tokens.tolist())
