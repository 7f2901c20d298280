"""yunjey/pytorch-tutorial's RNN language model (tutorials/02-intermediate/language_model/
main.py and data_utils.py): a word Dictionary/Corpus turned into batched ids, an Embedding +
LSTM + Linear model trained with truncated backpropagation (states detached), gradient clipping
with clip_grad_norm_, then words sampled with torch.multinomial.

Source: https://github.com/yunjey/pytorch-tutorial (MIT). Changes: a short built-in text
replaces Penn Treebank's train.txt; the sizes are shrunk (embed 16, hidden 32, batch 2,
sequence 5, 2 epochs, 12 sampled words) and the samples are printed instead of written.
"""

import numpy as np
import torch
import torch.nn as nn
from torch.nn.utils import clip_grad_norm_


class Dictionary(object):  # noqa: UP004
    def __init__(self):
        self.word2idx = {}
        self.idx2word = {}
        self.idx = 0

    def add_word(self, word):
        if word not in self.word2idx:
            self.word2idx[word] = self.idx
            self.idx2word[self.idx] = word
            self.idx += 1

    def __len__(self):
        return len(self.word2idx)


class Corpus(object):  # noqa: UP004
    def __init__(self):
        self.dictionary = Dictionary()

    def get_data(self, text, batch_size=20):
        tokens = 0
        for line in text.splitlines():
            words = line.split() + ["<eos>"]
            tokens += len(words)
            for word in words:
                self.dictionary.add_word(word)
        ids = torch.LongTensor(tokens)
        token = 0
        for line in text.splitlines():
            words = line.split() + ["<eos>"]
            for word in words:
                ids[token] = self.dictionary.word2idx[word]
                token += 1
        num_batches = ids.size(0) // batch_size
        ids = ids[: num_batches * batch_size]
        return ids.view(batch_size, -1)


TEXT = """the cat sat on the mat
the dog sat on the log
a cat and a dog met on the mat
the log was by the mat and the cat sat"""

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
embed_size = 16
hidden_size = 32
num_layers = 1
num_epochs = 2
num_samples = 12
batch_size = 2
seq_length = 5
learning_rate = 0.002

corpus = Corpus()
ids = corpus.get_data(TEXT, batch_size)
vocab_size = len(corpus.dictionary)
num_batches = ids.size(1) // seq_length
print(ids.shape, vocab_size, num_batches)


class RNNLM(nn.Module):
    def __init__(self, vocab_size, embed_size, hidden_size, num_layers):
        super(RNNLM, self).__init__()  # noqa: UP008
        self.embed = nn.Embedding(vocab_size, embed_size)
        self.lstm = nn.LSTM(embed_size, hidden_size, num_layers, batch_first=True)
        self.linear = nn.Linear(hidden_size, vocab_size)

    def forward(self, x, h):
        x = self.embed(x)
        out, (h, c) = self.lstm(x, h)
        out = out.reshape(out.size(0) * out.size(1), out.size(2))
        out = self.linear(out)
        return out, (h, c)


model = RNNLM(vocab_size, embed_size, hidden_size, num_layers).to(device)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)


def detach(states):
    return [state.detach() for state in states]


for epoch in range(num_epochs):
    states = (
        torch.zeros(num_layers, batch_size, hidden_size).to(device),
        torch.zeros(num_layers, batch_size, hidden_size).to(device),
    )
    for i in range(0, ids.size(1) - seq_length, seq_length):
        inputs = ids[:, i : i + seq_length].to(device)
        targets = ids[:, (i + 1) : (i + 1) + seq_length].to(device)
        states = detach(states)
        outputs, states = model(inputs, states)
        loss = criterion(outputs, targets.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        clip_grad_norm_(model.parameters(), 0.5)
        optimizer.step()
        step = (i + 1) // seq_length
        print(
            "Epoch [{}/{}], Step[{}/{}], Loss: {:.4f}, Perplexity: {:5.2f}".format(  # noqa: UP032
                epoch + 1, num_epochs, step, num_batches, loss.item(), np.exp(loss.item())
            )
        )

with torch.no_grad():
    state = (
        torch.zeros(num_layers, 1, hidden_size).to(device),
        torch.zeros(num_layers, 1, hidden_size).to(device),
    )
    prob = torch.ones(vocab_size)
    input = torch.multinomial(prob, num_samples=1).unsqueeze(1).to(device)
    words = []
    for i in range(num_samples):  # noqa: B007
        output, state = model(input, state)
        prob = output.exp()
        word_id = torch.multinomial(prob, num_samples=1).item()
        input.fill_(word_id)
        word = corpus.dictionary.idx2word[word_id]
        words.append("\n" if word == "<eos>" else word + " ")
    print("".join(words))
