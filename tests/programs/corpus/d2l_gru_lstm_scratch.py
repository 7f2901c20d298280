"""GRU and LSTM from scratch (Dive into Deep Learning 9.1-9.2, d2l 0.17 forms): three() helpers
returning (W_x, W_h, b) triples, gates with torch.sigmoid and the @ operator, the candidate
state with tanh(X @ W_xh + (R * H) @ W_hh + b_h), the LSTM's memory cell, trained a few steps
by backprop through time with gradient clipping, checked against nn.GRU / nn.LSTM shapes.

Model: https://d2l.ai/chapter_recurrent-modern/gru.html and
https://d2l.ai/chapter_recurrent-modern/lstm.html (d2l-ai/d2l-en, code MIT-0). Written for
jitgrad's corpus, not copied. Changes: random token sequences instead of The Time Machine,
vocab 12, hidden 16, 5 steps each, concise models only run forward.
"""

# ruff: noqa: UP034  (the original's style, kept)

import torch
from torch import nn
from torch.nn import functional as F

torch.manual_seed(0)
vocab_size, num_hiddens, batch_size, num_steps = 12, 16, 4, 6
X = torch.randint(0, vocab_size, (batch_size, num_steps))
Y = torch.roll(X, -1, 1)


def normal(shape):
    return torch.randn(size=shape) * 0.01


def three():
    return (normal((vocab_size, num_hiddens)), normal((num_hiddens, num_hiddens)),
            torch.zeros(num_hiddens))


def get_gru_params():
    W_xz, W_hz, b_z = three()
    W_xr, W_hr, b_r = three()
    W_xh, W_hh, b_h = three()
    W_hq = normal((num_hiddens, vocab_size))
    b_q = torch.zeros(vocab_size)
    params = [W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, W_hq, b_q]
    for param in params:
        param.requires_grad_(True)
    return params


def gru(inputs, state, params):
    W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, W_hq, b_q = params
    (H,) = state
    outputs = []
    for X in inputs:
        Z = torch.sigmoid((X @ W_xz) + (H @ W_hz) + b_z)
        R = torch.sigmoid((X @ W_xr) + (H @ W_hr) + b_r)
        H_tilda = torch.tanh((X @ W_xh) + ((R * H) @ W_hh) + b_h)
        H = Z * H + (1 - Z) * H_tilda
        Y = H @ W_hq + b_q
        outputs.append(Y)
    return torch.cat(outputs, dim=0), (H,)


def get_lstm_params():
    W_xi, W_hi, b_i = three()
    W_xf, W_hf, b_f = three()
    W_xo, W_ho, b_o = three()
    W_xc, W_hc, b_c = three()
    W_hq = normal((num_hiddens, vocab_size))
    b_q = torch.zeros(vocab_size)
    params = [W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c, W_hq, b_q]
    for param in params:
        param.requires_grad_(True)
    return params


def lstm(inputs, state, params):
    [W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c, W_hq, b_q] = params
    (H, C) = state
    outputs = []
    for X in inputs:
        I = torch.sigmoid((X @ W_xi) + (H @ W_hi) + b_i)  # noqa: E741
        F_ = torch.sigmoid((X @ W_xf) + (H @ W_hf) + b_f)
        O = torch.sigmoid((X @ W_xo) + (H @ W_ho) + b_o)  # noqa: E741
        C_tilda = torch.tanh((X @ W_xc) + (H @ W_hc) + b_c)
        C = F_ * C + I * C_tilda
        H = O * torch.tanh(C)
        Y = (H @ W_hq) + b_q
        outputs.append(Y)
    return torch.cat(outputs, dim=0), (H, C)


def train(name, params, fn, state):
    loss = nn.CrossEntropyLoss()
    for step in range(5):
        inputs = F.one_hot(X.T, vocab_size).type(torch.float32)
        y_hat, _ = fn(inputs, state, params)
        l = loss(y_hat, Y.T.reshape(-1))  # noqa: E741
        l.backward()
        norm = torch.sqrt(sum(torch.sum((p.grad**2)) for p in params))
        if norm > 1:
            for param in params:
                param.grad[:] *= 1 / norm
        with torch.no_grad():
            for param in params:
                param -= 20 * param.grad
                param.grad.zero_()
        print(f"{name} step {step}: loss {l.item():.5f}, grad norm {norm.item():.5f}")
    return y_hat


y = train("gru", get_gru_params(), gru, (torch.zeros((batch_size, num_hiddens)),))
print(y.shape, y.grad_fn)
y = train("lstm", get_lstm_params(), lstm,
          (torch.zeros((batch_size, num_hiddens)), torch.zeros((batch_size, num_hiddens))))
print(y.grad_fn)
gru_layer = nn.GRU(vocab_size, num_hiddens)
lstm_layer = nn.LSTM(vocab_size, num_hiddens)
inputs = F.one_hot(X.T, vocab_size).type(torch.float32)
out, h = gru_layer(inputs)
print(out.shape, h.shape, out.grad_fn)
out, (h, c) = lstm_layer(inputs)
print(out.shape, h.shape, c.shape)
print(sum(p.numel() for p in gru_layer.parameters()),
      sum(p.numel() for p in lstm_layer.parameters()))
