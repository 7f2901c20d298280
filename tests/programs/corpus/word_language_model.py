"""pytorch/examples' word-level language model (word_language_model/main.py + model.py), the
LSTM variant: Embedding -> Dropout -> LSTM -> Dropout -> Linear decoder with uniform init,
batchify, get_batch with bptt, repackage_hidden (detach), clip_grad_norm_, a hand-written SGD
step (p.data.add_(p.grad, alpha=-lr)), evaluation with perplexity math.exp(loss) and lr / 4
when validation does not improve.

Model: https://github.com/pytorch/examples/tree/main/word_language_model (BSD-3-Clause). Written
for jitgrad's corpus, not copied. Changes: the Wikitext-2 corpus is replaced by a 30-word
vocabulary stream from a fixed rule; emsize = nhid = 16, bptt 8, 2 epochs.
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(1111)
ntokens = 30
stream = torch.tensor([(i * 7 + (i // 5)) % ntokens for i in range(640)])
train_stream, val_stream = stream[:512], stream[512:]


def batchify(data, bsz):
    nbatch = data.size(0) // bsz
    data = data.narrow(0, 0, nbatch * bsz)
    data = data.view(bsz, -1).t().contiguous()
    return data


class RNNModel(nn.Module):
    def __init__(self, ntoken, ninp, nhid, nlayers, dropout=0.5):
        super().__init__()
        self.ntoken = ntoken
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.LSTM(ninp, nhid, nlayers, dropout=dropout)
        self.decoder = nn.Linear(nhid, ntoken)
        self.init_weights()
        self.nhid = nhid
        self.nlayers = nlayers

    def init_weights(self):
        initrange = 0.1
        nn.init.uniform_(self.encoder.weight, -initrange, initrange)
        nn.init.zeros_(self.decoder.bias)
        nn.init.uniform_(self.decoder.weight, -initrange, initrange)

    def forward(self, input, hidden):
        emb = self.drop(self.encoder(input))
        output, hidden = self.rnn(emb, hidden)
        output = self.drop(output)
        decoded = self.decoder(output)
        decoded = decoded.view(-1, self.ntoken)
        return F.log_softmax(decoded, dim=1), hidden

    def init_hidden(self, bsz):
        weight = next(self.parameters())
        return (
            weight.new_zeros(self.nlayers, bsz, self.nhid),
            weight.new_zeros(self.nlayers, bsz, self.nhid),
        )


def repackage_hidden(h):
    if isinstance(h, torch.Tensor):
        return h.detach()
    return tuple(repackage_hidden(v) for v in h)


bptt, batch_size, eval_batch_size, clip = 8, 8, 4, 0.25
train_data = batchify(train_stream, batch_size)
val_data = batchify(val_stream, eval_batch_size)
model = RNNModel(ntokens, 16, 16, 1, dropout=0.2)
criterion = nn.NLLLoss()


def get_batch(source, i):
    seq_len = min(bptt, len(source) - 1 - i)
    data = source[i : i + seq_len]
    target = source[i + 1 : i + 1 + seq_len].view(-1)
    return data, target


def evaluate(data_source):
    model.eval()
    total_loss = 0.0
    hidden = model.init_hidden(eval_batch_size)
    with torch.no_grad():
        for i in range(0, data_source.size(0) - 1, bptt):
            data, targets = get_batch(data_source, i)
            output, hidden = model(data, hidden)
            hidden = repackage_hidden(hidden)
            total_loss += len(data) * criterion(output, targets).item()
    return total_loss / (len(data_source) - 1)


def train(lr):
    model.train()
    total_loss = 0.0
    hidden = model.init_hidden(batch_size)
    for batch, i in enumerate(range(0, train_data.size(0) - 1, bptt)):
        data, targets = get_batch(train_data, i)
        model.zero_grad()
        hidden = repackage_hidden(hidden)
        output, hidden = model(data, hidden)
        loss = criterion(output, targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        for p in model.parameters():
            p.data.add_(p.grad, alpha=-lr)
        total_loss += loss.item()
        if batch % 3 == 2:
            cur_loss = total_loss / 3
            print(
                f"| batch {batch:3d} | lr {lr:02.2f} | loss {cur_loss:5.2f} | "
                f"ppl {math.exp(cur_loss):8.2f}"
            )
            total_loss = 0


lr = 20
best_val_loss = None
for epoch in range(1, 3):
    train(lr)
    val_loss = evaluate(val_data)
    print(
        f"| end of epoch {epoch:3d} | valid loss {val_loss:5.2f} | "
        f"valid ppl {math.exp(val_loss):8.2f}"
    )
    if not best_val_loss or val_loss < best_val_loss:
        best_val_loss = val_loss
    else:
        lr /= 4.0
print(model)
