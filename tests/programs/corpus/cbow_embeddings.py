"""Word embeddings exercise: Continuous Bag-of-Words (context of 2 words each side, summed
embeddings, Linear, log_softmax, NLLLoss, SGD), as the word embeddings tutorial asks.

Model: https://pytorch.org/tutorials/beginner/nlp/word_embeddings_tutorial.html
(pytorch/tutorials, BSD-3-Clause; the tutorial leaves CBOW as an exercise with
make_context_vector). Written for jitgrad's corpus, not copied. 10 epochs.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
CONTEXT_SIZE = 2
raw_text = """We are about to study the idea of a computational process.
Computational processes are abstract beings that inhabit computers.
As they evolve, processes manipulate other abstract things called data.
The evolution of a process is directed by a pattern of rules
called a program. People create programs to direct processes. In effect,
we conjure the spirits of the computer with our spells.""".split()
vocab = sorted(set(raw_text))
vocab_size = len(vocab)
word_to_ix = {word: i for i, word in enumerate(vocab)}
data = []
for i in range(CONTEXT_SIZE, len(raw_text) - CONTEXT_SIZE):
    context = [raw_text[i - j - 1] for j in range(CONTEXT_SIZE)] + [
        raw_text[i + j + 1] for j in range(CONTEXT_SIZE)
    ]
    data.append((context, raw_text[i]))
print(data[:2])


class CBOW(nn.Module):
    def __init__(self, vocab_size, embedding_dim):
        super().__init__()
        self.embeddings = nn.Embedding(vocab_size, embedding_dim)
        self.linear = nn.Linear(embedding_dim, vocab_size)

    def forward(self, inputs):
        embeds = self.embeddings(inputs).sum(dim=0, keepdim=True)
        return F.log_softmax(self.linear(embeds), dim=-1)


def make_context_vector(context, word_to_ix):
    idxs = [word_to_ix[w] for w in context]
    return torch.tensor(idxs, dtype=torch.long)


print(make_context_vector(data[0][0], word_to_ix))
model = CBOW(vocab_size, 16)
loss_function = nn.NLLLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
for epoch in range(10):
    total_loss = 0.0
    for context, target in data:
        model.zero_grad()
        log_probs = model(make_context_vector(context, word_to_ix))
        loss = loss_function(log_probs, torch.tensor([word_to_ix[target]]))
        loss.backward()
        optimizer.step()
        total_loss += loss.item()
    if epoch % 3 == 0:
        print(epoch, round(total_loss, 4))
with torch.no_grad():
    probs = model(make_context_vector(data[5][0], word_to_ix)).exp()
    print(vocab[probs.argmax().item()], data[5][1], f"{probs.max().item():.4f}")
