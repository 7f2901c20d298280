"""The Bahdanau attention mechanism (Dive into Deep Learning 11.4): an encoder GRU, and a
decoder whose query is the previous hidden state, AdditiveAttention over the encoder outputs
(with valid lengths masked by masked_softmax), the context concatenated to the embedded input
at each step; attention weights printed, then a few training steps with a masked loss.

Model: https://d2l.ai/chapter_attention-mechanisms-and-transformers/bahdanau-attention.html
(d2l-ai/d2l-en, code MIT-0). Written for jitgrad's corpus, not copied. Changes: small sizes,
random token batches, Adam steps on a toy copy task instead of English-French.
"""

import torch
from torch import nn
from torch.nn import functional as F

torch.manual_seed(0)


def masked_softmax(X, valid_lens):
    def _sequence_mask(X, valid_len, value=0):
        maxlen = X.size(1)
        mask = torch.arange(maxlen, dtype=torch.float32)[None, :] < valid_len[:, None]
        X[~mask] = value
        return X

    if valid_lens is None:
        return F.softmax(X, dim=-1)
    shape = X.shape
    if valid_lens.dim() == 1:
        valid_lens = torch.repeat_interleave(valid_lens, shape[1])
    else:
        valid_lens = valid_lens.reshape(-1)
    X = _sequence_mask(X.reshape(-1, shape[-1]), valid_lens, value=-1e6)
    return F.softmax(X.reshape(shape), dim=-1)


class AdditiveAttention(nn.Module):
    def __init__(self, num_hiddens, dropout):
        super().__init__()
        self.W_k = nn.LazyLinear(num_hiddens, bias=False)
        self.W_q = nn.LazyLinear(num_hiddens, bias=False)
        self.w_v = nn.LazyLinear(1, bias=False)
        self.dropout = nn.Dropout(dropout)

    def forward(self, queries, keys, values, valid_lens):
        queries, keys = self.W_q(queries), self.W_k(keys)
        features = torch.tanh(queries.unsqueeze(2) + keys.unsqueeze(1))
        scores = self.w_v(features).squeeze(-1)
        self.attention_weights = masked_softmax(scores, valid_lens)
        return torch.bmm(self.dropout(self.attention_weights), values)


class Seq2SeqEncoder(nn.Module):
    def __init__(self, vocab_size, embed_size, num_hiddens):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size, num_hiddens)

    def forward(self, X):
        return self.rnn(self.embedding(X.t().type(torch.int64)))


class Seq2SeqAttentionDecoder(nn.Module):
    def __init__(self, vocab_size, embed_size, num_hiddens):
        super().__init__()
        self.attention = AdditiveAttention(num_hiddens, 0.0)
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size + num_hiddens, num_hiddens)
        self.dense = nn.LazyLinear(vocab_size)

    def init_state(self, enc_outputs, enc_valid_lens):
        outputs, hidden_state = enc_outputs
        return (outputs.permute(1, 0, 2), hidden_state, enc_valid_lens)

    def forward(self, X, state):
        enc_outputs, hidden_state, enc_valid_lens = state
        X = self.embedding(X).permute(1, 0, 2)
        outputs, self._attention_weights = [], []
        for x in X:
            query = torch.unsqueeze(hidden_state[-1], dim=1)
            context = self.attention(query, enc_outputs, enc_outputs, enc_valid_lens)
            x = torch.cat((context, torch.unsqueeze(x, dim=1)), dim=-1)
            out, hidden_state = self.rnn(x.permute(1, 0, 2), hidden_state)
            outputs.append(out)
            self._attention_weights.append(self.attention.attention_weights)
        outputs = self.dense(torch.cat(outputs, dim=0))
        return outputs.permute(1, 0, 2), [enc_outputs, hidden_state, enc_valid_lens]


vocab_size, embed_size, num_hiddens, batch_size, num_steps = 10, 4, 8, 3, 5
encoder = Seq2SeqEncoder(vocab_size, embed_size, num_hiddens)
decoder = Seq2SeqAttentionDecoder(vocab_size, embed_size, num_hiddens)
X = torch.randint(1, vocab_size, (batch_size, num_steps))
valid_lens = torch.tensor([5, 3, 4])
state = decoder.init_state(encoder(X), valid_lens)
output, state = decoder(X, state)
print(output.shape, len(state), state[0].shape, len(state[1]), state[1][0].shape)
print(torch.cat(decoder._attention_weights, 1)[1])

params = list(encoder.parameters()) + list(decoder.parameters())
opt = torch.optim.Adam(params, lr=0.01)
bos = torch.zeros(batch_size, 1, dtype=torch.long)
for step in range(4):
    dec_input = torch.cat([bos, X[:, :-1]], 1)
    Y_hat, _ = decoder(dec_input, decoder.init_state(encoder(X), valid_lens))
    mask = (torch.arange(num_steps)[None, :] < valid_lens[:, None]).float()
    loss = F.cross_entropy(Y_hat.permute(0, 2, 1), X, reduction="none")
    loss = (loss * mask).sum() / mask.sum()
    opt.zero_grad()
    loss.backward()
    opt.step()
    print(step, round(loss.item(), 4))
