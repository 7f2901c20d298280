"""Recurrent layers as the RNN/LSTM/GRU docs examples and sequence tutorials drive them:
nn.RNN/nn.LSTM/nn.GRU with (h0, c0), multi-layer and bidirectional shapes, batch_first, the
cells (RNNCell/LSTMCell/GRUCell) stepped in a Python loop matching the full layer, a
sequence-to-one regressor trained a few steps, and detaching the hidden state between
truncated-BPTT chunks.

Models: https://pytorch.org/docs/stable/generated/torch.nn.LSTM.html, torch.nn.GRU.html,
torch.nn.LSTMCell.html (BSD-3-Clause). Written for jitgrad's corpus, not copied.
"""

import torch
import torch.nn as nn

torch.manual_seed(0)
rnn = nn.RNN(10, 20, 2)
inp = torch.randn(5, 3, 10)
h0 = torch.randn(2, 3, 20)
output, hn = rnn(inp, h0)
print(output.shape, hn.shape, torch.allclose(output[-1], hn[-1]))

lstm = nn.LSTM(10, 20, 2)
c0 = torch.randn(2, 3, 20)
output, (hn, cn) = lstm(inp, (h0, c0))
print(output.shape, hn.shape, cn.shape)
print(output[0, 0, :5])

gru = nn.GRU(4, 6, num_layers=2, bidirectional=True, batch_first=True)
x = torch.randn(3, 5, 4)
out, h = gru(x)
print(out.shape, h.shape)
print(torch.allclose(out[:, -1, :6], h[-2]), torch.allclose(out[:, 0, 6:], h[-1]))
print([n for n, _ in gru.named_parameters()][:6])

cell = nn.LSTMCell(4, 6)
lstm1 = nn.LSTM(4, 6)
with torch.no_grad():
    lstm1.weight_ih_l0.copy_(cell.weight_ih)
    lstm1.weight_hh_l0.copy_(cell.weight_hh)
    lstm1.bias_ih_l0.copy_(cell.bias_ih)
    lstm1.bias_hh_l0.copy_(cell.bias_hh)
seq = torch.randn(7, 2, 4)
hx, cx = torch.zeros(2, 6), torch.zeros(2, 6)
outs = []
for t in range(seq.size(0)):
    hx, cx = cell(seq[t], (hx, cx))
    outs.append(hx)
full, _ = lstm1(seq)
print(torch.allclose(torch.stack(outs), full, atol=1e-6))

gcell = nn.GRUCell(4, 3)
rcell = nn.RNNCell(4, 3, nonlinearity="relu")
hg = torch.zeros(2, 3)
hr = torch.zeros(2, 3)
for t in range(3):
    hg = gcell(seq[t], hg)
    hr = rcell(seq[t], hr)
print(hg, hr)


class SeqRegressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(1, 8, batch_first=True)
        self.fc = nn.Linear(8, 1)

    def forward(self, x, state=None):
        out, state = self.lstm(x, state)
        return self.fc(out[:, -1]), state


model = SeqRegressor()
t = torch.linspace(0, 6.28, 40)
series = torch.sin(t)
xs = torch.stack([series[i : i + 10] for i in range(20)]).unsqueeze(-1)
ys = torch.stack([series[i + 10] for i in range(20)]).unsqueeze(-1)
opt = torch.optim.Adam(model.parameters(), lr=0.01)
for epoch in range(30):
    opt.zero_grad()
    pred, _ = model(xs)
    loss = nn.functional.mse_loss(pred, ys)
    loss.backward()
    opt.step()
    if epoch % 10 == 0:
        print(epoch, round(loss.item(), 5))

state = None
long_seq = series[:30].view(1, 30, 1)
for chunk in long_seq.split(10, dim=1):
    pred, state = model(chunk, state)
    state = tuple(s.detach() for s in state)
    print(pred.item() == pred.item(), state[0].requires_grad, round(state[1].abs().sum().item(), 4))
