"""Deep and bidirectional RNNs (Dive into Deep Learning 10.3-10.4): a two-layer GRU and a
bidirectional LSTM through the concise nn.GRU/nn.LSTM API, the output and state shapes
(num_layers * num_directions), the forward/backward halves of a bidirectional output, and a
BiRNN from scratch that runs one RNN on the flipped sequence and concatenates, checked on
its shapes; then a few gradient-clipped steps of the deep GRU language model head.

Model: https://d2l.ai/chapter_recurrent-modern/deep-rnn.html and bi-rnn.html (d2l-ai/d2l-en,
code MIT-0). Written for jitgrad's corpus, not copied. Changes: vocabulary 12, hidden 6,
random token sequences instead of The Time Machine.
"""

import torch
from torch import nn
from torch.nn import functional as F

torch.manual_seed(0)
num_steps, batch_size, vocab, hidden = 5, 3, 12, 6

gru = nn.GRU(vocab, hidden, num_layers=2)
X = F.one_hot(torch.randint(0, vocab, (batch_size, num_steps)).T, vocab).float()
out, state = gru(X)
print(out.shape, state.shape)
print(torch.allclose(out[-1], state[-1]))

lstm = nn.LSTM(vocab, hidden, num_layers=2, bidirectional=True)
out, (h, c) = lstm(X)
print(out.shape, h.shape, c.shape)
print(torch.allclose(out[-1, :, :hidden], h[-2]), torch.allclose(out[0, :, hidden:], h[-1]))


class BiRNNScratch(nn.Module):
    def __init__(self, num_inputs, num_hiddens):
        super().__init__()
        self.f_rnn = nn.RNN(num_inputs, num_hiddens)
        self.b_rnn = nn.RNN(num_inputs, num_hiddens)
        self.num_hiddens = num_hiddens * 2

    def forward(self, inputs, Hs=None):
        f_H, b_H = Hs if Hs is not None else (None, None)
        f_outputs, f_H = self.f_rnn(inputs, f_H)
        b_outputs, b_H = self.b_rnn(torch.flip(inputs, [0]), b_H)
        outputs = [torch.cat((f, b), -1) for f, b in zip(f_outputs, reversed(b_outputs))]
        return torch.stack(outputs), (f_H, b_H)


bi = BiRNNScratch(vocab, hidden)
outputs, (f_H, b_H) = bi(X)
print(outputs.shape, f_H.shape, b_H.shape, bi.num_hiddens)
print(outputs[0, 0])


class RNNLM(nn.Module):
    def __init__(self, rnn, vocab_size):
        super().__init__()
        self.rnn = rnn
        self.linear = nn.LazyLinear(vocab_size)

    def forward(self, X, state=None):
        embs = F.one_hot(X.T, vocab).float()
        rnn_outputs, _ = self.rnn(embs, state)
        return self.linear(rnn_outputs).swapaxes(0, 1)


model = RNNLM(nn.GRU(vocab, hidden, num_layers=2), vocab)
tokens = torch.randint(0, vocab, (batch_size, num_steps + 1))
opt = torch.optim.SGD(model.parameters(), lr=1.0)
for step in range(3):
    logits = model(tokens[:, :-1])
    loss = F.cross_entropy(logits.reshape(-1, vocab), tokens[:, 1:].reshape(-1))
    opt.zero_grad()
    loss.backward()
    norm = nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    print(step, round(loss.item(), 4), round(norm.item(), 4), round(torch.exp(loss).item(), 3))
