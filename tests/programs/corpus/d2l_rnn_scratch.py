"""RNN from scratch (Dive into Deep Learning 8.5, d2l 0.17 form): one-hot inputs via
F.one_hot(X.T, vocab), get_params with normal(shape) * 0.01 and requires_grad_(True), an
RNNModelScratch class with begin_state, a tanh recurrence over time steps, predict_ch8 warm-up
then greedy generation, grad_clipping by the global norm over all parameters
(param.grad[:] *= theta / norm), and perplexity exp(loss).

Model: https://d2l.ai/chapter_recurrent-neural-networks/rnn-scratch.html (d2l-ai/d2l-en, code
MIT-0). Written for jitgrad's corpus, not copied. Changes: The Time Machine is replaced by a
short inline text, character vocabulary built with sorted(set(...)), sequential minibatches of
4 x 10, hidden 32, 6 epochs, no Animator.
"""

# ruff: noqa: UP034  (the original's style, kept)

import math

import torch
from torch import nn
from torch.nn import functional as F

torch.manual_seed(0)
text = "the time traveller for so it will be convenient to speak of him was expounding a "
text = text * 2
idx_to_token = sorted(set(text))
token_to_idx = {t: i for i, t in enumerate(idx_to_token)}
corpus = [token_to_idx[c] for c in text]
vocab_size = len(idx_to_token)
print(vocab_size, len(corpus))
print(F.one_hot(torch.tensor([0, 2]), vocab_size))


def get_params(vocab_size, num_hiddens):
    num_inputs = num_outputs = vocab_size

    def normal(shape):
        return torch.randn(size=shape) * 0.01

    W_xh = normal((num_inputs, num_hiddens))
    W_hh = normal((num_hiddens, num_hiddens))
    b_h = torch.zeros(num_hiddens)
    W_hq = normal((num_hiddens, num_outputs))
    b_q = torch.zeros(num_outputs)
    params = [W_xh, W_hh, b_h, W_hq, b_q]
    for param in params:
        param.requires_grad_(True)
    return params


def init_rnn_state(batch_size, num_hiddens):
    return (torch.zeros((batch_size, num_hiddens)),)


def rnn(inputs, state, params):
    W_xh, W_hh, b_h, W_hq, b_q = params
    (H,) = state
    outputs = []
    for X in inputs:
        H = torch.tanh(torch.mm(X, W_xh) + torch.mm(H, W_hh) + b_h)
        Y = torch.mm(H, W_hq) + b_q
        outputs.append(Y)
    return torch.cat(outputs, dim=0), (H,)


class RNNModelScratch:
    def __init__(self, vocab_size, num_hiddens, get_params, init_state, forward_fn):
        self.vocab_size, self.num_hiddens = vocab_size, num_hiddens
        self.params = get_params(vocab_size, num_hiddens)
        self.init_state, self.forward_fn = init_state, forward_fn

    def __call__(self, X, state):
        X = F.one_hot(X.T, self.vocab_size).type(torch.float32)
        return self.forward_fn(X, state, self.params)

    def begin_state(self, batch_size):
        return self.init_state(batch_size, self.num_hiddens)


num_hiddens = 32
net = RNNModelScratch(vocab_size, num_hiddens, get_params, init_rnn_state, rnn)
X = torch.arange(10).reshape((2, 5))
state = net.begin_state(X.shape[0])
Y, new_state = net(X, state)
print(Y.shape, len(new_state), new_state[0].shape)


def predict_ch8(prefix, num_preds, net):
    state = net.begin_state(batch_size=1)
    outputs = [token_to_idx[prefix[0]]]

    def get_input():
        return torch.tensor([outputs[-1]]).reshape((1, 1))

    for y in prefix[1:]:
        _, state = net(get_input(), state)
        outputs.append(token_to_idx[y])
    for _ in range(num_preds):
        y, state = net(get_input(), state)
        outputs.append(int(y.argmax(dim=1).reshape(1)))
    return "".join([idx_to_token[i] for i in outputs])


print(predict_ch8("time ", 10, net))


def grad_clipping(net, theta):
    if isinstance(net, nn.Module):
        params = [p for p in net.parameters() if p.requires_grad]
    else:
        params = net.params
    norm = torch.sqrt(sum(torch.sum((p.grad**2)) for p in params))
    if norm > theta:
        for param in params:
            param.grad[:] *= theta / norm


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


def seq_data_iter_sequential(corpus, batch_size, num_steps):
    num_tokens = ((len(corpus) - 1) // batch_size) * batch_size
    Xs = torch.tensor(corpus[:num_tokens])
    Ys = torch.tensor(corpus[1 : 1 + num_tokens])
    Xs, Ys = Xs.reshape(batch_size, -1), Ys.reshape(batch_size, -1)
    num_batches = Xs.shape[1] // num_steps
    for i in range(0, num_steps * num_batches, num_steps):
        yield Xs[:, i : i + num_steps], Ys[:, i : i + num_steps]


loss = nn.CrossEntropyLoss()
for epoch in range(6):
    state = None
    total, count = 0.0, 0
    for X, Y in seq_data_iter_sequential(corpus, 4, 10):
        if state is None:
            state = net.begin_state(batch_size=X.shape[0])
        else:
            for s in state:
                s.detach_()
        y = Y.T.reshape(-1)
        y_hat, state = net(X, state)
        l = loss(y_hat, y.long()).mean()  # noqa: E741
        l.backward()
        grad_clipping(net, 1)
        sgd(net.params, lr=1, batch_size=1)
        total += l.item() * y.numel()
        count += y.numel()
    if epoch % 2 == 1:
        print(f"epoch {epoch + 1}: perplexity {math.exp(total / count):.3f}")
print(predict_ch8("time ", 12, net))
